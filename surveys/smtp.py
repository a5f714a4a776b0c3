"""SMTP with DATA in two steps, so the database can commit between the content and the final dot.

`smtplib.SMTP.sendmail` writes the message and its terminating `<CRLF>.<CRLF>` in one call. Here
`begin()` sends MAIL FROM, RCPT TO, DATA and the (dot-stuffed) content without the terminator;
`end(held=True)` queues the terminator in the kernel; the caller sends the COMMIT of "sent";
`release()` lets the terminator go and `reply()` reads the answer. A process killed before the
terminator was queued leaves a connection dropped mid-DATA, which SMTP servers discard; one killed
after it still delivers (the kernel sends what is queued as it closes the socket). See
docs/faults.md ("Residual window") for what remains.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
import ssl
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

# Linux: hold small writes in the kernel until released (or the socket is closed).
TCP_CORK: int = getattr(socket, "TCP_CORK", 0)
CAN_HOLD = bool(TCP_CORK)
_LEADING_DOT = re.compile(rb"(?m)^\.")
_BARE_LINE_END = re.compile(rb"\r\n|\r|\n")


class SmtpReplyError(Exception):
    """The server answered with an error code: `code` tells transient (4xx) from permanent (5xx)."""

    def __init__(self, code: int, message: str, *, stage: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message
        self.stage = stage

    @property
    def is_permanent(self) -> bool:
        return 500 <= self.code < 600

    @property
    def is_unknown_mailbox(self) -> bool:
        return self.stage == "rcpt" and self.code in (550, 551, 553)


class DataNotEndedError(Exception):
    """The end of DATA could not be written: the message was not accepted."""


class ReplyLostError(Exception):
    """The end of DATA was written but the reply never came: delivery is unknown."""


def _reply_text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:300]


def prepare_data(message: bytes) -> bytes:
    """CRLF line ends, dot-stuffed (RFC 5321 4.5.2), ending in CRLF, without the terminating dot."""
    data = _BARE_LINE_END.sub(b"\r\n", message)
    data = _LEADING_DOT.sub(b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data


@dataclass
class SmtpSettings:
    host: str
    port: int
    username: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    timeout: float = 20

    @classmethod
    def from_django(cls) -> SmtpSettings:
        return cls(
            host=settings.EMAIL_HOST,
            port=int(settings.EMAIL_PORT),
            username=settings.EMAIL_HOST_USER or "",
            password=settings.EMAIL_HOST_PASSWORD or "",
            use_tls=bool(getattr(settings, "EMAIL_USE_TLS", False)),
            use_ssl=bool(getattr(settings, "EMAIL_USE_SSL", False)),
            timeout=float(getattr(settings, "EMAIL_TIMEOUT", None) or 20),
        )


class TwoStepSmtp:
    """One SMTP connection reused for a batch; each message is `begin()` then `finish()` (or `abort()`)."""

    def __init__(self, config: SmtpSettings) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def open(self) -> None:
        config = self.config
        if config.use_ssl:
            self.connection = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=ssl.create_default_context()
            )
        else:
            self.connection = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        # The end of DATA is a tiny write right after the content: with Nagle's algorithm it waits
        # for the server's (delayed, ~40 ms) ACK of the content, which capped sending at ~15/s.
        if self.connection.sock is not None:
            self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connection.ehlo()
        if config.use_tls:
            self.connection.starttls(context=ssl.create_default_context())
            self.connection.ehlo()
        if config.username:
            self.connection.login(config.username, config.password)

    def _require(self) -> smtplib.SMTP:
        if self.connection is None:
            raise smtplib.SMTPServerDisconnected("not connected")
        return self.connection

    def begin(self, *, from_address: str, recipient: str, message: bytes) -> None:
        """Envelope and content, without the end of DATA. Raises SmtpReplyError or a connection error."""
        smtp = self._require()
        code, reply = smtp.mail(from_address)
        if code != 250:
            self._reset()
            raise SmtpReplyError(code, _reply_text(reply), stage="mail")
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            self._reset()
            raise SmtpReplyError(code, _reply_text(reply), stage="rcpt")
        smtp.putcmd("data")
        code, reply = smtp.getreply()
        if code != 354:
            self._reset()
            raise SmtpReplyError(code, _reply_text(reply), stage="data")
        smtp.send(prepare_data(message))

    def end(self, *, held: bool = False) -> None:
        """Write the end of DATA (DataNotEndedError if it could not be written).

        `held=True` (Linux): the kernel keeps it queued (TCP_CORK) until `release()`, or until this
        process dies: closing the socket then sends what is queued. `abort()` drops it instead.
        Linux sends corked data by itself after 200 ms; the caller releases within microseconds.
        """
        smtp = self._require()
        try:
            if held and smtp.sock is not None:
                smtp.sock.setsockopt(socket.IPPROTO_TCP, TCP_CORK, 1)
            smtp.send(b".\r\n")
        except (smtplib.SMTPException, OSError) as error:
            self.abort()
            raise DataNotEndedError(str(error) or type(error).__name__) from error

    def release(self) -> None:
        """Send what `end(held=True)` queued (DataNotEndedError if the connection is gone)."""
        smtp = self._require()
        try:
            if smtp.sock is not None:
                smtp.sock.setsockopt(socket.IPPROTO_TCP, TCP_CORK, 0)
        except OSError as error:
            self.abort()
            raise DataNotEndedError(str(error) or type(error).__name__) from error

    def reply(self) -> None:
        """Read the reply to the end of DATA (ReplyLostError if none came, SmtpReplyError if not 250)."""
        smtp = self._require()
        try:
            code, reply = smtp.getreply()
        except (smtplib.SMTPException, OSError) as error:
            self.abort()
            raise ReplyLostError(str(error) or type(error).__name__) from error
        if code != 250:
            raise SmtpReplyError(code, _reply_text(reply), stage="end")

    def abort(self) -> None:
        """Drop the connection in the middle of DATA: the server discards the message.

        An abortive close (RST): whatever is still queued, a held end of DATA included, is thrown
        away instead of being sent after the fact.
        """
        if self.connection is not None:
            try:
                if self.connection.sock is not None:
                    with contextlib.suppress(OSError):
                        self.connection.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            finally:
                self.connection = None

    def _reset(self) -> None:
        try:
            self._require().rset()
        except (smtplib.SMTPException, OSError):
            self.abort()

    def close(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            self.abort()


def begin_all(jobs: Sequence[tuple[TwoStepSmtp, str, str, bytes]]) -> list[BaseException | None]:
    """`begin()` on several connections at once, one job (connection, from, to, message) each.

    Each step (MAIL, RCPT, DATA) is written to every connection before any reply is read, so the
    server round trips overlap instead of adding up. Returns, per job, None (content written,
    waiting for the end of DATA) or the error: SmtpReplyError, or a connection error (OSError,
    smtplib.SMTPException) after which that connection is unusable.
    """
    results: list[BaseException | None] = [None] * len(jobs)
    steps: tuple[tuple[str, tuple[int, ...]], ...] = (("mail", (250,)), ("rcpt", (250, 251)), ("data", (354,)))
    for name, accepted in steps:
        active = [index for index, result in enumerate(results) if result is None]
        for index in active:
            line = jobs[index][0]
            if name == "mail":
                argument = f"FROM:{smtplib.quoteaddr(jobs[index][1])}"
            elif name == "rcpt":
                argument = f"TO:{smtplib.quoteaddr(jobs[index][2])}"
            else:
                argument = ""
            try:
                line._require().putcmd(name, argument)
            except (smtplib.SMTPException, OSError) as error:
                results[index] = error
        for index in active:
            if results[index] is not None:
                continue
            line = jobs[index][0]
            try:
                code, reply = line._require().getreply()
            except (smtplib.SMTPException, OSError) as error:
                results[index] = error
                continue
            if code not in accepted:
                line._reset()
                results[index] = SmtpReplyError(code, _reply_text(reply), stage=name)
    for index, result in enumerate(results):
        if result is None:
            try:
                jobs[index][0]._require().send(prepare_data(jobs[index][3]))
            except (smtplib.SMTPException, OSError) as error:
                results[index] = error
    return results
