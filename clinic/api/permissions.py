from __future__ import annotations

from django.conf import settings
from rest_framework.permissions import BasePermission

from clinic.roles import Role, role_of


class IsClinicStaff(BasePermission):
    """Authenticated, active and holding one of the three clinic roles."""

    message = "Only clinic staff with a role may use the API."

    def has_permission(self, request, view) -> bool:
        return role_of(request.user) is not None


class IsClinicManager(BasePermission):
    message = "Only clinic managers may do this."

    def has_permission(self, request, view) -> bool:
        return role_of(request.user) == Role.CLINIC_MANAGER


class SchemaAccess(BasePermission):
    """The OpenAPI schema and docs: clinic staff only, unless `API_DOCS_PUBLIC`.

    The schema names every endpoint and field of a health record system; it is
    no secret, but there is no reason to hand it to anonymous scanners. Read
    per request, so tests and deployments can switch it.
    """

    message = "The API documentation is for clinic staff."

    def has_permission(self, request, view) -> bool:
        if getattr(settings, "API_DOCS_PUBLIC", False):
            return True
        return role_of(request.user) is not None
