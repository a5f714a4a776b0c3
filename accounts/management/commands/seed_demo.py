"""Load the demo consultancy: users of every role and two clients with their own portals.

Idempotent: running it again changes nothing that exists. Apps add demo content to each client
through a `demo.py` module with `seed_client(client, users)` (diagnostics, surveys, reports).
"""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_tenants.utils import tenant_context

from accounts import services
from accounts.models import Client, Membership, Role, User
from accounts.selectors import client_url, console_url

DEMO_PASSWORD = "demo-cxgap-2026"  # local demo only: refused outside the embedded default/DEBUG
DEMO_CLIENTS = (
    ("acme", "Acme Telecom", "#b91c1c"),
    ("globex", "Globex Bank", "#047857"),
)
DEMO_APPS = ("diagnostics", "surveys", "reports")


def _user(email: str, full_name: str, **flags: Any) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name, **flags)
    return user


class Command(BaseCommand):
    help = "Create the demo consultancy (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Allow outside DEBUG/embedded runs.")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or settings.USES_EMBEDDED_DATABASE or options["force"]):
            raise CommandError("seed_demo creates users with a known password; use --force if you mean it.")
        services.public_tenant_ensure()
        admin = _user("admin@demo.cxgap", "Ada Admin", is_staff=True, is_superuser=True, is_consultant=True)
        consultant = _user("consultant@demo.cxgap", "Chris Consultant", is_consultant=True)
        people: dict[str, dict[str, User]] = {}
        for slug, name, colour in DEMO_CLIENTS:
            client = Client.objects.filter(slug=slug).first()
            if client is None:
                client = services.client_create(
                    acting_user=consultant,
                    name=name,
                    slug=slug,
                    brand_colour=colour,
                    benchmark_opt_in=True,
                    timezone_name="Europe/London",
                )
            leader = _user(f"leader@{slug}.demo", f"Lee Leader ({name})")
            viewer = _user(f"viewer@{slug}.demo", f"Val Viewer ({name})")
            with transaction.atomic():
                for user, role in ((consultant, Role.CONSULTANT), (leader, Role.LEADER), (viewer, Role.VIEWER)):
                    Membership.objects.get_or_create(user=user, client=client, defaults={"role": role})
            people[slug] = {"consultant": consultant, "leader": leader, "viewer": viewer, "admin": admin}
            for app in DEMO_APPS:
                try:
                    module = importlib.import_module(f"{app}.demo")
                except ModuleNotFoundError:
                    continue
                with tenant_context(client):
                    module.seed_client(client=client, users=people[slug])
            services.client_summary_refresh(client=client)
        if not options["quiet"]:
            self.stdout.write(self.banner())

    @staticmethod
    def banner() -> str:
        lines = [
            "",
            "CX Gap demo",
            f"  Console:          {console_url()}",
        ]
        for slug, name, _colour in DEMO_CLIENTS:
            client = Client.objects.get(slug=slug)
            lines.append(f"  {name + ':':<17} {client_url(client)}")
        lines += [
            "",
            f"  Logins (password {DEMO_PASSWORD}):",
            f"    {'admin@demo.cxgap':<24}consultancy admin (Django admin at /admin/)",
            f"    {'consultant@demo.cxgap':<24}consultant of both clients",
        ]
        for slug, _name, _colour in DEMO_CLIENTS:
            lines.append(f"    {f'leader@{slug}.demo':<24}client leader of {slug}")
            lines.append(f"    {f'viewer@{slug}.demo':<24}viewer (read only) of {slug}")
        lines.append("")
        return "\n".join(lines)
