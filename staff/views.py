"""Head office's staff pages (R16, R17): list, add, change. The services decide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from clinic.forms import apply_service_errors
from clinic.roles import ROLE_NAMES, role_of
from locations.models import StaffScope
from locations.selectors import require_head_office
from staff.forms import StaffCreateForm, StaffEditForm
from staff.services import staff_create, staff_update

User = get_user_model()


def _staff():
    return (
        User.objects.filter(groups__name__in=ROLE_NAMES)
        .distinct()
        .prefetch_related(
            "groups", "location_scope__locations", "location_scope__managed_locations"
        )
        .order_by("-is_active", "last_name", "first_name", "username")
    )


@login_required
def staff_list(request):
    require_head_office(request.user)
    return render(request, "staff/staff_list.html", {"staff": _staff()})


@login_required
def staff_create_page(request):
    require_head_office(request.user)
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        manages_all = data.pop("manages_all_locations")
        managed = data.pop("managed_locations")
        try:
            user = staff_create(
                actor=request.user,
                **data,
                managed_locations=None if manages_all else managed,
                manages_all_locations=manages_all or None,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{user.get_full_name() or user.username} added.")
            return redirect("staff:list")
    return render(request, "staff/staff_form.html", {"form": form, "member": None})


def _initial(member) -> dict:
    scope = StaffScope.objects.filter(user=member).first()
    return {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "email": member.email,
        "role": role_of(member) or (member.groups.first().name if member.groups.exists() else ""),
        "is_active": member.is_active,
        "locations": list(scope.locations.all()) if scope else [],
        "managed_locations": list(scope.managed_locations.all()) if scope else [],
        "manages_all_locations": bool(scope and scope.manages_all_locations),
    }


@login_required
def staff_edit(request, pk: int):
    require_head_office(request.user)
    member = get_object_or_404(_staff(), pk=pk)
    form = StaffEditForm(request.POST or None, initial=_initial(member))
    if request.method == "POST" and form.is_valid():
        try:
            staff_update(actor=request.user, user=member, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{member.get_full_name() or member.username} saved.")
            return redirect("staff:list")
    return render(request, "staff/staff_form.html", {"form": form, "member": member})
