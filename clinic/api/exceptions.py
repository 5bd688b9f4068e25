"""One exception handler so services' errors map to R15's status codes."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "This record was changed by someone else; reload and try again."
    default_code = "conflict"


def exception_handler(exc, context):
    # Services raise Django's ValidationError; give it DRF's 400 shape with
    # field names, so pages and API say the same thing.
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    return drf_exception_handler(exc, context)
