"""One exception handler: domain errors map to R15's status codes for the API."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from clinic.errors import NotVisible, RuleRefused, StaleVersion, WrongRole


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "This record was changed by someone else; reload and try again."
    default_code = "conflict"


def to_api_exception(exc: Exception) -> Exception:
    """The DRF exception a domain exception stands for (others unchanged)."""
    if isinstance(exc, DjangoValidationError) and getattr(exc, "rule", None):
        # A plan rule (plans.services.RuleViolation): which rule, in a therapist's words.
        return exceptions.ValidationError({"detail": exc.messages[0], "rule": exc.rule})
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "api_detail"):  # nested paths, e.g. assessment items (R18)
            return exceptions.ValidationError(exc.api_detail)
        # Field names kept, so pages and API say the same thing.
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, RuleRefused):
        return exceptions.ValidationError(exc.message_dict)
    if isinstance(exc, NotVisible):
        return exceptions.NotFound(exc.message)
    if isinstance(exc, WrongRole):
        return exceptions.PermissionDenied(exc.message)
    if isinstance(exc, StaleVersion):
        return Conflict(exc.message)
    return exc


def exception_handler(exc, context):
    return drf_exception_handler(to_api_exception(exc), context)
