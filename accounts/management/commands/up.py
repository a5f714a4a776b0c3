"""Run the whole product locally: migrate, load the demo, then web server, worker and beat.

Ctrl-C stops everything, including the embedded services this command started. Running it
again reuses the data under .cxgap/.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from accounts import services
from accounts.selectors import console_url
from cxgap_project import embedded

# A worker or beat that exits on its own is started again this many times before `up` gives up.
MAX_RESTARTS = 5


class Command(BaseCommand):
    help = "Run web server, Celery worker and beat with the embedded default services and demo data."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(settings.SITE_PORT or 8000))
        parser.add_argument("--bind", default="127.0.0.1", help="Address the web server listens on.")
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo data.")
        parser.add_argument("--concurrency", type=int, default=2, help="Worker processes.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("Migrating the public schema and every client schema…")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        services.public_tenant_ensure()
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
        if not options["no_demo"]:
            self.stdout.write("Loading the demo consultancy…")
            call_command("seed_demo", quiet=True)

        # Links in emails and the banner use the port actually served.
        settings.SITE_PORT = str(options["port"])
        child_env = {
            **os.environ,
            "DEBUG": os.environ.get("DEBUG", "1"),
            "SITE_PORT": str(options["port"]),
            "PYTHONUNBUFFERED": "1",
        }
        python = sys.executable
        manage = str(embedded.PROJECT_DIR / "manage.py")
        celery = [python, "-m", "celery", "-A", "cxgap_project"]
        commands = {
            "web": [python, manage, "runserver", f"{options['bind']}:{options['port']}", "--noreload"],
            "worker": [*celery, "worker", "-l", "INFO", "--concurrency", str(options["concurrency"]), "-n", "cxgap@%h"],
            "beat": [*celery, "beat", "-l", "INFO", "--schedule", str(embedded.home() / "celerybeat-schedule")],
        }

        def start(name: str) -> subprocess.Popen[bytes]:
            return subprocess.Popen(commands[name], env=child_env, cwd=embedded.PROJECT_DIR)

        children = {name: start(name) for name in commands}
        from accounts.management.commands.seed_demo import Command as SeedDemo

        self.stdout.write(SeedDemo.banner() if not options["no_demo"] else "")
        self.stdout.write(f"  Outgoing mail lands in {embedded.mail_dir()} (admins: {console_url('/outbox/')})")
        self.stdout.write("  Press Ctrl-C to stop everything.\n")

        stopping = False
        restarts = dict.fromkeys(commands, 0)

        def request_stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        try:
            while not stopping:
                exited = [name for name, child in children.items() if child.poll() is not None]
                if "web" in exited:
                    self.stderr.write("web stopped unexpectedly; shutting down.")
                    break
                if any(restarts[name] >= MAX_RESTARTS for name in exited):
                    self.stderr.write(f"{', '.join(exited)} keeps stopping; shutting down (see the log above).")
                    break
                for name in exited:
                    # As a process supervisor would: a Celery worker can exit when it loses Redis
                    # (a known race in kombu's Redis transport); its leased work is taken over.
                    restarts[name] += 1
                    self.stderr.write(f"{name} stopped unexpectedly; starting it again.")
                    children[name] = start(name)
                time.sleep(0.5)
        finally:
            self._stop(children)

    def _stop(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        self.stdout.write("Stopping web, worker and beat…")
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        embedded.stop_started_here()
        self.stdout.write("Stopped.")
