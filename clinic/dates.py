"""One sane range for every date a person or a client sends in.

A date far in the future (`9999-12-31`) is valid ISO 8601 but leaves no room
for "the next day", "plus the session's length" or "plus six weeks": Python's
`datetime` overflows and the request would be a 500. Every date input (query
filters, API fields, page forms) is bounded here, and out of range is a 400
(or a form error) naming the field. The range is wide enough for any date of
birth (R1: at most 120 years ago) and any plan or booking a clinic will make.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)
OUT_OF_RANGE = f"Enter a date between {EARLIEST.isoformat()} and {LATEST.isoformat()}."


def validate_date_in_range(value: dt.date | dt.datetime | None) -> None:
    """Django validator for a date or a datetime (its calendar day counts)."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(OUT_OF_RANGE, code="date_out_of_range")


class DateField(forms.DateField):
    default_validators = [validate_date_in_range]


class DateTimeField(forms.DateTimeField):
    default_validators = [validate_date_in_range]


class ApiDateField(serializers.DateField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_date_in_range)


class ApiDateTimeField(serializers.DateTimeField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_date_in_range)
