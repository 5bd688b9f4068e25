from __future__ import annotations

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
