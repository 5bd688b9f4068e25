"""Patient pages: thin views over the same selectors and services as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.routes import note_patients
from clinic.errors import RuleRefused, StaleVersion
from clinic.forms import apply_service_errors
from clinic.http import parse_int
from clinic.roles import role_of
from locations.switcher import query_with_location
from patients import selectors, services
from patients.filters import PatientFilter
from patients.forms import ConsultationForm, PatientForm


def _staff_role(request) -> str:
    role = role_of(request.user)
    if role is None:
        raise PermissionDenied("Your account has no clinic role.")
    return role


@login_required
def patient_list(request):
    _staff_role(request)
    # The switcher's remembered location is the default ?location= (R17).
    filterset = PatientFilter(
        query_with_location(request),
        queryset=selectors.patient_list(user=request.user).select_related("home_location"),
        request=request,
    )
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    note_patients(request, (patient.pk for patient in page))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "patients/patient_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            # The location filter and column, when the caller's scope has more than one.
            "many_locations": len(filterset.location_choices) > 1,
        },
    )


@login_required
def patient_detail(request, pk: int):
    _staff_role(request)
    patient = selectors.patient_get(user=request.user, pk=pk)
    consultations = list(selectors.consultation_list(patient=patient))
    return render(
        request,
        "patients/patient_detail.html",
        {
            "patient": patient,
            "consultations": consultations,
            "history": patient.history.select_related("history_user")[:20],
        },
    )


@login_required
def patient_create(request):
    role = _staff_role(request)
    form = PatientForm(request.POST or None, role=role)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{patient.full_name} recorded ({patient.mrn}).")
            return redirect("patients:detail", pk=patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "patient": None})


@login_required
def patient_edit(request, pk: int):
    role = _staff_role(request)
    patient = selectors.patient_get(user=request.user, pk=pk)
    initial = {"symptoms": patient.symptoms}
    form = PatientForm(request.POST or None, instance=patient, initial=initial, role=role)
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_update(user=request.user, patient=patient, **form.cleaned_data)
        except ValidationError as exc:
            patient.refresh_from_db()
            apply_service_errors(form, exc)
        except (RuleRefused, StaleVersion) as exc:
            patient.refresh_from_db()
            form.add_error(getattr(exc, "field", None), exc.message)
        else:
            moved = len(patient.moved_sessions)
            messages.success(
                request,
                "Patient updated."
                + (f" {moved} future session(s) moved to the new therapist." if moved else ""),
            )
            return redirect("patients:detail", pk=patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "patient": patient})


@login_required
@require_POST
def patient_discharge(request, pk: int):
    _staff_role(request)
    patient = selectors.patient_get(user=request.user, pk=pk)
    version = parse_int(request.POST.get("version"))
    if version is None:  # the page's form always sends it
        raise StaleVersion("Reload the patient's page and try again.")
    services.patient_discharge(user=request.user, patient=patient, version=version)
    messages.success(request, f"{patient.full_name} discharged. The record is kept.")
    return redirect("patients:detail", pk=patient.pk)


@login_required
def consultation_create(request, pk: int):
    _staff_role(request)
    patient = selectors.patient_get(user=request.user, pk=pk)
    services.require_consultation_recorder(request.user, patient)  # the 403 page for managers
    form = ConsultationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_create(user=request.user, patient=patient, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Consultation recorded.")
            return redirect("patients:detail", pk=patient.pk)
    return render(request, "patients/consultation_form.html", {"form": form, "patient": patient})
