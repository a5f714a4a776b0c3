"""Domain errors raised by services; rendered once for the API (cxgap_project/api.py) and by forms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class ApplicationError(Exception):
    """A rule of the product was broken by the input; the message is safe to show to the user."""

    def __init__(self, message: str, *, fields: Mapping[str, Sequence[str] | str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = {
            name: [errors] if isinstance(errors, str) else list(errors) for name, errors in (fields or {}).items()
        }


class NotFoundError(ApplicationError):
    """The thing does not exist for this user (or must look as if it did not)."""


class PermissionDeniedError(ApplicationError):
    """The user may see this client but their role does not allow the action."""


class ConflictError(ApplicationError):
    """The action does not fit the current state (e.g. launching a closed campaign)."""
