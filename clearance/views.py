"""R24 pages: request clearance (with a letter preview), letters, documents, directory."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from audit.routes import note_patient
from clearance import selectors, services
from clearance.documents import document_response
from clearance.forms import ClearanceRequestForm, PhysicianForm
from clearance.letter import letter_html, letter_response
from clearance.models import ClearanceMethod, ClearanceRequest, Physician
from clinic import clock
from clinic.errors import NotVisible
from clinic.forms import apply_service_errors
from clinic.roles import role_of
from patients import selectors as patient_selectors

# Service field -> the page form's field that shows its error.
FORM_FIELD = {"name": "new_name", "email": "new_email", "requested_at": "requested_on"}


def _staff(request) -> str:
    role = role_of(request.user)
    if role is None:
        raise PermissionDenied("Your account has no clinic role.")
    return role


@login_required
def request_create(request, patient_pk: int):
    """Request clearance: pick or add a physician, choose the method, preview, send."""
    _staff(request)
    patient = patient_selectors.patient_get(user=request.user, pk=patient_pk)
    initial = {"physician": patient.referring_physician_id}
    form = ClearanceRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        requested_at = None
        # R16: a back-dated request is 09:00 on that day at the patient's home location.
        if data.get("requested_on") and data["requested_on"] != patient.local_today():
            home = patient.home_location
            requested_at = timezone.make_aware(
                dt.datetime.combine(data["requested_on"], dt.time(9)), home.tz if home else None
            )
        if "preview" in request.POST:
            # Nothing is saved: the letter as it would be sent.
            physician = data["physician"] or Physician(**form.new_physician_data())
            draft = ClearanceRequest(
                patient=patient,
                physician=physician,
                requested_by=request.user,
                requested_at=requested_at or clock.now(),
                method=data["method"],
                questions=data.get("questions", ""),
            )
            return letter_response(draft)
        try:
            with transaction.atomic():
                physician = data["physician"] or services.physician_create(
                    user=request.user, **form.new_physician_data()
                )
                made = services.clearance_request_create(
                    user=request.user,
                    patient=patient,
                    physician=physician,
                    method=data["method"],
                    requested_at=requested_at,
                    questions=data.get("questions", ""),
                )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                exc = ValidationError({FORM_FIELD.get(k, k): v for k, v in exc.error_dict.items()})
            apply_service_errors(form, exc)
        else:
            if made.method == ClearanceMethod.EMAIL:
                messages.success(request, f"Clearance request e-mailed to {made.physician.name}.")
            else:
                messages.success(
                    request,
                    "Clearance request recorded. Download the letter to "
                    f"{made.get_method_display().lower()} it.",
                )
            return redirect("patients:detail", pk=patient.pk)
    return render(request, "clearance/request_form.html", {"form": form, "patient": patient})


@login_required
def request_letter(request, pk: int):
    _staff(request)
    clearance_request = selectors.clearance_request_get(user=request.user, pk=pk)
    note_patient(request, "clearancerequest", pk, clearance_request.patient_id)
    return letter_response(clearance_request)


@login_required
def request_letter_html(request, pk: int):
    """The letter as a web page (a quick look without a PDF viewer)."""
    _staff(request)
    clearance_request = selectors.clearance_request_get(user=request.user, pk=pk)
    note_patient(request, "clearancerequest", pk, clearance_request.patient_id)
    response = HttpResponse(letter_html(clearance_request))
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def consultation_document(request, patient_pk: int, pk: int):
    _staff(request)
    consultation = selectors.consultation_get(user=request.user, pk=pk, patient_pk=patient_pk)
    if not consultation.document:
        from clinic.errors import NotVisible

        raise NotVisible("This consultation has no document.")
    return document_response(consultation)


@login_required
def physician_form(request, pk: int | None = None):
    """Add a physician to the directory, or correct one (any staff role)."""
    _staff(request)
    physician = None
    if pk is not None:
        physician = selectors.physician_list().filter(pk=pk).first()
        if physician is None:
            raise NotVisible("No such physician.")
    form = PhysicianForm(request.POST or None, instance=physician)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in PhysicianForm.Meta.fields}
        try:
            if physician is None:
                saved = services.physician_create(user=request.user, **data)
            else:
                saved = services.physician_update(
                    user=request.user, physician_id=physician.pk, **data
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{saved.name} is in the directory.")
            return redirect("clearance:physician-list")
    return render(request, "clearance/physician_form.html", {"form": form, "physician": physician})


@login_required
def physician_list(request):
    _staff(request)
    return render(
        request,
        "clearance/physician_list.html",
        {"physicians": selectors.physician_list()},
    )
