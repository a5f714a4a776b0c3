"""Turning domain errors into inline form errors, so a page never loses what was typed."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from cxgap_project.errors import ApplicationError


def apply_errors(form: forms.BaseForm, error: ValidationError | ApplicationError) -> None:
    """Attach a service's errors to the form's fields (unknown fields become form-level errors)."""
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
        fields = error.fields
    elif hasattr(error, "error_dict"):
        fields = {name: [str(message) for message in messages] for name, messages in error.message_dict.items()}
    else:
        form.add_error(None, error.messages)
        return
    for name, messages in fields.items():
        target = name if name in form.fields and name != NON_FIELD_ERRORS else None
        for message in messages:
            form.add_error(target, message)
