"""Form helpers shared by every app's pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: by field where it has one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# Ids outside the database's integer range would overflow in the query (a 500);
# refuse them as ordinary bad input.
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    """A positive database id, within BIGINT range."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
