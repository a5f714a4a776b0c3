"""Small typed accessors for django-tenants' connection state (the stubs do not know them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection

if TYPE_CHECKING:
    from accounts.models import Client


def current_schema_name() -> str:
    return str(connection.schema_name)  # type: ignore[attr-defined]


def use_public_schema() -> None:
    """Leave whatever tenant schema the connection is in (tests, after a request)."""
    connection.set_schema_to_public()  # type: ignore[attr-defined]


def current_client() -> Client:
    """The Client whose schema the connection is in (services called from tasks and other apps).

    Requests and `tenant_context` put the Client itself on the connection; `schema_context` (tasks)
    only a stand-in with the schema name, so that case reads the client row from the public schema.
    """
    from accounts.models import Client  # imported late: accounts imports this module

    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Client):
        return tenant
    return Client.objects.get(schema_name=current_schema_name())
