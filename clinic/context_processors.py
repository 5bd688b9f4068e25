from __future__ import annotations

from clinic.roles import Role, role_of


def clinic(request) -> dict:
    """Role and unread-reminder count for the navbar (lazily: one query when shown)."""
    user = getattr(request, "user", None)
    role = role_of(user)

    def unread():
        if role is None:
            return 0
        return user.reminders.filter(read_at__isnull=True, resolved_at__isnull=True).count()

    return {
        "clinic_role": role,
        # The badge in the navbar: the full role ("Physical therapist"), not a cut of its key.
        "clinic_role_label": Role(role).label if role else "",
        "is_manager": role == Role.CLINIC_MANAGER,
        "is_massage_therapist": role == Role.MASSAGE_THERAPIST,
        "is_physical_therapist": role == Role.PHYSICAL_THERAPIST,
        "unread_reminders": unread,
    }
