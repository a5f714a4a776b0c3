"""Create a client (tenant) from the command line: schema, domain and a consultant member."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import User
from accounts.selectors import client_url
from cxgap_project.errors import ApplicationError


class Command(BaseCommand):
    help = "Create a client organisation with its own schema and portal address."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slug", help="Portal address, e.g. acme for acme.<BASE_DOMAIN>")
        parser.add_argument("name", help="Client organisation name")
        parser.add_argument("--consultant", required=True, help="Email of the consultancy user who owns it")
        parser.add_argument("--brand-colour", default="#1d4ed8")
        parser.add_argument("--threshold", type=int, default=5, help="k-anonymity threshold")
        parser.add_argument("--benchmark-opt-in", action="store_true")
        parser.add_argument("--timezone", default="UTC")

    def handle(self, *args: Any, **options: Any) -> None:
        services.public_tenant_ensure()
        consultant = User.objects.filter(email__iexact=options["consultant"]).first()
        if consultant is None or not consultant.is_consultant:
            raise CommandError(f"{options['consultant']} is not a consultancy user.")
        try:
            client = services.client_create(
                acting_user=consultant,
                name=options["name"],
                slug=options["slug"],
                brand_colour=options["brand_colour"],
                k_anonymity_threshold=options["threshold"],
                benchmark_opt_in=options["benchmark_opt_in"],
                timezone_name=options["timezone"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from error
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Created {client.name} at {client_url(client)}"))
