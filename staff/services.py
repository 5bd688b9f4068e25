"""Staff accounts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from audit.models import AuditAction
from audit.services import audit_record
from clinic.roles import ROLE_NAMES, Role, remember_role, require_role, role_of

User = get_user_model()


@transaction.atomic
def staff_create(
    *,
    username: str,
    role: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    check_password: bool = True,
    locations=None,
    managed_locations=None,
    manages_all_locations: bool | None = None,
    actor=None,
):
    """Create a staff member in exactly one role group, at their locations (R16, R17).

    `locations` default to the only location when there is one; a manager
    given neither `managed_locations` nor `manages_all_locations` manages all.
    `actor` (the staff pages): a manager of all locations (WrongRole
    otherwise); the creation is audited.
    """
    from locations.selectors import require_head_office
    from locations.services import audit_head_office_change, staff_scope_set

    if actor is not None:
        require_head_office(actor)
    if role not in ROLE_NAMES:
        raise ValidationError(
            {"role": f"Unknown role '{role}'. Choose one of: {', '.join(sorted(ROLE_NAMES))}."}
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"A user named '{username}' already exists."})
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=role))
    staff_scope_set(
        user=user,
        locations=locations,
        managed_locations=managed_locations,
        manages_all_locations=manages_all_locations,
    )
    audit_head_office_change(actor, AuditAction.CREATE, "user", user, "staff_create")
    return user


@transaction.atomic
def staff_update(
    *,
    actor,
    user,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    is_active: bool,
    locations,
    managed_locations=None,
    manages_all_locations: bool = False,
):
    """Head office changes a staff member: name, e-mail, role, active, locations (R16, R17).

    One role group; a manager manages `managed_locations` or all of them.
    Head office cannot change their own role, scope or active flag (no one
    locks the chain out of its own administration). Deactivating goes
    through `staff_deactivate` (no login, no token, no live session).
    """
    from locations.selectors import require_head_office
    from locations.services import audit_head_office_change, staff_scope_set

    require_head_office(actor)
    if role not in ROLE_NAMES:
        raise ValidationError({"role": f"Unknown role '{role}'."})
    if user.pk == actor.pk and (
        role != Role.CLINIC_MANAGER or not is_active or not manages_all_locations
    ):
        raise ValidationError(
            {"role": "You cannot change your own role, active flag or head-office scope."}
        )
    user.first_name, user.last_name, user.email = first_name, last_name, email
    if is_active:  # reactivated first: an inactive account has no role to scope
        user.is_active = True
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name", "email", "is_active"])
    if role_of(user) != role:
        user.groups.remove(*Group.objects.filter(name__in=ROLE_NAMES))
        user.groups.add(Group.objects.get(name=role))
        remember_role(user, role)
    is_manager = role == Role.CLINIC_MANAGER
    staff_scope_set(
        user=user,
        locations=locations,
        managed_locations=(None if manages_all_locations else managed_locations or [])
        if is_manager
        else None,
        manages_all_locations=bool(manages_all_locations) if is_manager else None,
    )
    if not is_active and user.is_active:
        staff_deactivate(actor=actor, user=user)
    audit_head_office_change(actor, AuditAction.UPDATE, "user", user, "staff_update")
    return user


def _end_sessions(user) -> int:
    """Delete the user's live browser sessions (db-backed sessions; idle ones expire in 30 min)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def staff_deactivate(*, actor, user):
    """A manager deactivates a staff member: no login, no token, no live session.

    Nothing is deleted: the account keeps its history, care-team links and
    audit trail; a manager can reactivate it in the admin.
    """
    require_role(actor, Role.CLINIC_MANAGER)
    if user.pk == actor.pk:
        raise ValidationError({"user": "You cannot deactivate your own account."})
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    Token.objects.filter(user=user).delete()
    _end_sessions(user)
    audit_record(
        action=AuditAction.STAFF_DEACTIVATED,
        user=actor,
        object_type="user",
        object_id=user.pk,
        route="staff_deactivate",
        status_code=200,
    )
    return user
