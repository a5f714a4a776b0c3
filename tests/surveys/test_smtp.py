"""The two-step SMTP connection: an end of DATA held in the kernel leaves on release, or when the
sending process dies (as an MTA sees it), and is thrown away by an abort."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from surveys.smtp import CAN_HOLD, SmtpSettings, TwoStepSmtp
from tests.surveys.conftest import SmtpSink, free_port

PROJECT_DIR = Path(__file__).resolve().parents[2]
MESSAGE = b"From: survey@cxgap.test\r\nTo: ann@example.com\r\nMessage-ID: <held@cxgap.test>\r\n\r\nHello\r\n"

pytestmark = pytest.mark.skipif(not CAN_HOLD, reason="holding writes needs Linux's TCP_CORK")


@pytest.fixture
def sink_port():
    sink, port = SmtpSink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


def _begun(port: int) -> TwoStepSmtp:
    line = TwoStepSmtp(SmtpSettings(host="127.0.0.1", port=port))
    line.open()
    line.begin(from_address="survey@cxgap.test", recipient="ann@example.com", message=MESSAGE)
    return line


def _count_after(sink: SmtpSink, seconds: float) -> int:
    time.sleep(seconds)
    return sink.count()


def test_a_held_end_of_data_leaves_only_on_release(sink_port):
    sink, port = sink_port
    line = _begun(port)
    line.end(held=True)
    assert _count_after(sink, 0.05) == 0  # Linux sends corked data by itself after 200 ms
    line.release()
    line.reply()
    assert sink.message_ids() == ["<held@cxgap.test>"]
    line.close()


def test_an_abort_throws_a_held_end_of_data_away(sink_port):
    sink, port = sink_port
    line = _begun(port)
    line.end(held=True)
    line.abort()
    assert _count_after(sink, 0.5) == 0


def test_a_held_end_of_data_still_leaves_when_the_sender_is_killed(sink_port):
    """What sending relies on: a worker SIGKILLed after its COMMIT went out has delivered."""
    sink, port = sink_port
    script = textwrap.dedent(
        f"""
        import os, signal
        from surveys.smtp import SmtpSettings, TwoStepSmtp
        line = TwoStepSmtp(SmtpSettings(host="127.0.0.1", port={port}))
        line.open()
        line.begin(from_address="survey@cxgap.test", recipient="ann@example.com", message={MESSAGE!r})
        line.end(held=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    sender = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_DIR, env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)}
    )
    assert sender.returncode == -9
    deadline = time.monotonic() + 5
    while sink.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sink.message_ids() == ["<held@cxgap.test>"]
