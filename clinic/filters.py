"""Filter pieces shared by every app's lists."""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from clinic.forms import IdField


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """Filter on a database id; out-of-range or non-integer values are a 400."""

    field_class = IdField
