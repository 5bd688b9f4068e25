"""Staff accounts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.roles import ROLE_NAMES

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
):
    """Create a staff member in exactly one role group."""
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
    return user
