from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import serializers

from clinic.errors import NotVisible


class VisibleRecordField(serializers.PrimaryKeyRelatedField):
    """An id in a request body naming a patient's record (a plan, a session).

    R3/R15: an unknown or hidden id is a 404, exactly as in the URL, never a 400
    "object does not exist" that would tell hidden ids from unknown ones apart
    differently from the URL. A value that is not an id at all stays a 400.
    """

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < pk < 2**63:
            raise NotVisible("No such record.")
        try:
            return self.get_queryset().get(pk=pk)
        except ObjectDoesNotExist as exc:
            raise NotVisible("No such record.") from exc


class BoundedManyRelatedField(serializers.ManyRelatedField):
    """A list of ids with at most `max_length` entries, checked before any is looked up."""

    def __init__(self, *, max_length: int, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, list | tuple) and len(data) > self.max_length:
            raise serializers.ValidationError(
                f"Ensure this field has no more than {self.max_length} elements."
            )
        return super().to_internal_value(data)
