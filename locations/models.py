"""Clinic locations (R16) and the locations each staff member works at or manages (R17)."""

from __future__ import annotations

import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

from clinic.clinical import FREE_TEXT_MAX_LENGTH, NAME_MAX_LENGTH
from clinic.history import HistoricalRecords

MAIN_LOCATION_NAME = "Main clinic"


@functools.cache
def zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    """An IANA time-zone name such as 'Europe/Berlin' (R16)."""
    if value not in zone_names():
        raise ValidationError(
            "'%(value)s' is not an IANA time zone (e.g. 'America/New_York', 'Europe/Berlin').",
            params={"value": value},
            code="time_zone",
        )


class Location(models.Model):
    """One site of the clinic (chain): its days, calendars and reminder hour are its own."""

    name = models.CharField(max_length=NAME_MAX_LENGTH, unique=True)
    address = models.TextField(blank=True, validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)])
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @staticmethod
    def only_pk() -> int | None:
        return only_location_pk()


def only_location_pk() -> int | None:
    """The id of the one active location when there is exactly one, else None.

    The default of a patient's home location: a single clinic never has to
    choose, a chain always does (None fails validation, naming the field).
    """
    ids = list(Location.objects.filter(active=True).values_list("pk", flat=True)[:2])
    return ids[0] if len(ids) == 1 else None


class StaffScope(models.Model):
    """Where a staff member works (`locations`) and, for managers, what they manage.

    A therapist may only be booked at a location they work at (R16). A
    manager sees the patients whose home location they manage, or every
    patient with `manages_all_locations` (the chain's head office, R17).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="location_scope"
    )
    locations = models.ManyToManyField(Location, blank=True, related_name="staff")
    managed_locations = models.ManyToManyField(Location, blank=True, related_name="managers")
    manages_all_locations = models.BooleanField(
        default=False, help_text="Head office: manages every location, present and future."
    )

    class Meta:
        verbose_name = "staff locations"
        verbose_name_plural = "staff locations"

    def __str__(self) -> str:
        return f"Locations of {self.user}"
