"""Start, stop or locate the embedded PostgreSQL, Redis and SMTP sink (.cxgap/)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cxgap_project import embedded


class Command(BaseCommand):
    help = "Manage the embedded default services: status | stop | reset (deletes all local data)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["status", "stop", "reset"])

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "status":
            self.stdout.write(f"Data folder: {embedded.home()}")
            for name, ensure in (
                ("PostgreSQL", embedded.ensure_postgres),
                ("Redis", embedded.ensure_redis),
                ("SMTP sink", embedded.ensure_mail_sink),
            ):
                self.stdout.write(f"{name}: {ensure().url}")
        elif action == "stop":
            embedded.stop_all()
            self.stdout.write("Embedded services stopped.")
        else:
            embedded.remove_data()
            self.stdout.write(f"Embedded services stopped and {embedded.home()} removed.")
