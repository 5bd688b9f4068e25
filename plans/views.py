"""Plan pages: thin views over the same selectors and services as the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessments.selectors import current_body_chart
from audit.routes import note_patients, note_refused
from clinic.errors import StaleVersion
from clinic.forms import apply_service_errors
from clinic.http import parse_id, parse_int
from clinic.roles import Role, role_of
from patients.selectors import clearance_check, patients_visible_to
from plans import selectors, services
from plans.forms import (
    ExerciseForm,
    MassageFormSet,
    PlanCreateForm,
    PlanForm,
    PlanStatusFilterForm,
    PrescriptionFormSet,
    _grouped_exercise_choices,
)
from plans.models import ExerciseCategory, PlanStatus
from plans.precautions import massage_precautions
from plans.services import ACTION_VERBS, CLOSED_STATUSES, TRANSITIONS

ACTION_STYLE = {
    "activate": ("btn-success", "bi-play-circle", "Activate"),
    "hold": ("btn-outline-warning", "bi-pause-circle", "Put on hold"),
    "complete": ("btn-outline-primary", "bi-check2-circle", "Complete"),
    "cancel": ("btn-outline-danger", "bi-x-circle", "Cancel plan"),
}


def _staff_role(request) -> str:
    role = role_of(request.user)
    if role is None:
        raise PermissionDenied("Your account has no clinic role.")
    return role


def _on_team(user, patient) -> bool:
    return user.pk in (patient.massage_therapist_id, patient.physical_therapist_id)


@login_required
def plan_list(request):
    _staff_role(request)
    form = PlanStatusFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    qs = selectors.plan_list(user=request.user, status=status or None)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    note_patients(request, (plan.patient_id for plan in page))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "plans/plan_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "status": status},
    )


@login_required
def plan_create(request):
    role = _staff_role(request)
    if role == Role.CLINIC_MANAGER:
        raise PermissionDenied("Clinic managers read plans but do not write clinical content.")
    patients = patients_visible_to(request.user).filter(status="active")
    initial = {"start_date": timezone.localdate()}
    raw = request.GET.get("patient", "")
    if raw:
        pk = parse_id(raw)
        patient = patients.filter(pk=pk).first() if pk else None
        if patient is None:
            raise Http404("No such patient.")
        initial["patient"] = patient
        template = selectors.template_for(patient)
        if template:
            initial["template"] = template
    form = PlanCreateForm(request.POST or None, patients=patients, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        patient = data.pop("patient")
        template = data.pop("template")
        try:
            if template:
                plan = services.plan_create_from_template(
                    user=request.user, patient=patient, template=template, **data
                )
            else:
                plan = services.plan_create(user=request.user, patient=patient, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Draft plan “{plan.title}” created.")
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/plan_create.html", {"form": form})


def _detail_context(request, plan) -> dict:
    role = role_of(request.user)
    writable = plan.status not in CLOSED_STATUSES and _on_team(request.user, plan.patient)
    actions = [
        {"name": name, "cls": cls, "icon": icon, "label": label}
        for name, (cls, icon, label) in ACTION_STYLE.items()
        if plan.status in TRANSITIONS[name][0]
    ]
    return {
        "plan": plan,
        "patient": plan.patient,
        "clearance": clearance_check(plan.patient),
        "warnings": selectors.plan_warnings(plan),
        "can_edit": writable and role in (Role.MASSAGE_THERAPIST, Role.PHYSICAL_THERAPIST),
        "can_edit_massage": writable and role == Role.MASSAGE_THERAPIST,
        "can_edit_exercises": writable and role == Role.PHYSICAL_THERAPIST,
        "actions": actions if _on_team(request.user, plan.patient) else [],
        # Sessions are booked from an active plan by its care team (managers do not schedule).
        "can_schedule": plan.status == PlanStatus.ACTIVE
        and _on_team(request.user, plan.patient)
        and role in (Role.MASSAGE_THERAPIST, Role.PHYSICAL_THERAPIST),
        "history": plan.history.select_related("history_user")[:15],
    }


@login_required
def plan_detail(request, pk: int):
    _staff_role(request)
    plan = selectors.plan_get(user=request.user, pk=pk)
    return render(request, "plans/plan_detail.html", _detail_context(request, plan))


@login_required
def plan_edit(request, pk: int):
    role = _staff_role(request)
    plan = selectors.plan_get(user=request.user, pk=pk)
    if role == Role.CLINIC_MANAGER:
        raise PermissionDenied("Clinic managers read plans but do not write clinical content.")
    form = PlanForm(request.POST or None, instance=plan, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.plan_update(user=request.user, plan=plan, version=version, **data)
        except StaleVersion as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Plan updated.")
            return redirect("plans:detail", pk=plan.pk)
        plan = selectors.plan_get(user=request.user, pk=pk)
    return render(request, "plans/plan_edit.html", {"form": form, "plan": plan})


def _rows_editor(request, pk: int, *, part: str):
    """The massage editor (massage therapists) or exercise editor (physical therapists)."""
    _staff_role(request)
    plan = selectors.plan_get(user=request.user, pk=pk)
    role = role_of(request.user)
    needed = Role.MASSAGE_THERAPIST if part == "massage" else Role.PHYSICAL_THERAPIST
    if role != needed:
        raise PermissionDenied(
            "Massage therapists edit the massage part; the physical therapist edits exercises."
            if part == "massage"
            else "Physical therapists edit the exercises; the massage therapist edits the massage "
            "part."
        )
    if not _on_team(request.user, plan.patient):
        raise PermissionDenied("Only the patient's care team edits this plan.")
    precautions = None
    if part == "massage":
        formset_class, prefix = MassageFormSet, "massage"
        initial = [
            {"id": c.pk, **{f: getattr(c, f) for f in services.MASSAGE_FIELDS}}
            for c in plan.live_massage
        ]
        precautions = massage_precautions(plan.patient)
        form_kwargs = {"patient": plan.patient, "precautions": precautions}
    else:
        formset_class, prefix = PrescriptionFormSet, "rx"
        initial = [
            {
                "id": p.pk,
                "category": p.exercise.category,
                **{f: getattr(p, f) for f in services.PRESCRIPTION_FIELDS},
            }
            for p in plan.live_exercises
        ]
        form_kwargs = {"exercise_choices": _grouped_exercise_choices()}
    formset = formset_class(
        request.POST or None, initial=initial, prefix=prefix, form_kwargs=form_kwargs
    )
    errors: list[str] = []
    version = plan.version
    if request.method == "POST":
        version = request.POST.get("version")
        if formset.is_valid():
            key = "massage_components" if part == "massage" else "exercise_prescriptions"
            try:
                services.plan_update(
                    user=request.user,
                    plan=plan,
                    version=parse_int(version),
                    **{key: formset.rows()},
                )
            except StaleVersion as exc:
                errors.append(exc.message)
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                messages.success(
                    request, "Massage part saved." if part == "massage" else "Exercises saved."
                )
                return redirect("plans:detail", pk=plan.pk)
    return render(
        request,
        f"plans/plan_{part}_edit.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "formset": formset,
            "errors": errors,
            "version": version,
            "clearance": clearance_check(plan.patient),
            "warnings": selectors.plan_warnings(plan),
            "precautions": precautions if part == "massage" else None,
            "body_chart": current_body_chart(plan.patient) if part == "massage" else None,
        },
    )


@login_required
def plan_massage_edit(request, pk: int):
    return _rows_editor(request, pk, part="massage")


@login_required
def plan_exercises_edit(request, pk: int):
    return _rows_editor(request, pk, part="exercises")


@login_required
@require_POST
def plan_action(request, pk: int, action: str):
    _staff_role(request)
    if action not in services.ACTIONS:
        raise Http404("No such action.")
    version = request.POST.get("version", "")
    try:
        services.ACTIONS[action](user=request.user, plan_id=pk, version=parse_int(version))
    except StaleVersion as exc:
        note_refused(request)
        messages.error(request, exc.message)
    except services.RuleViolation as exc:
        note_refused(request)
        messages.error(request, f"Not {ACTION_VERBS[action]}: {exc.messages[0]}")
    else:
        messages.success(request, f"Plan {ACTION_VERBS[action]}.")
    return redirect("plans:detail", pk=pk)


@login_required
def plan_handout(request, pk: int):
    """The patient's printable home-exercise sheet: instructions and doses, no internal notes."""
    _staff_role(request)
    plan = selectors.plan_get(user=request.user, pk=pk)
    home = [p for p in plan.live_exercises if p.exercise.category != "modality"]
    clinic_only = [p for p in plan.live_exercises if p.exercise.category == "modality"]
    return render(
        request,
        "plans/plan_handout.html",
        {"plan": plan, "patient": plan.patient, "home": home, "clinic_only": clinic_only},
    )


@login_required
def exercise_list(request):
    role = _staff_role(request)
    category = request.GET.get("category", "")
    if category not in ExerciseCategory.values:
        category = ""
    exercises = selectors.exercise_list(category=category or None)
    return render(
        request,
        "plans/exercise_list.html",
        {
            "exercises": exercises,
            "category": category,
            "categories": ExerciseCategory.choices,
            "can_add": role in (Role.PHYSICAL_THERAPIST, Role.CLINIC_MANAGER),
        },
    )


@login_required
def exercise_create(request):
    role = _staff_role(request)
    if role not in (Role.PHYSICAL_THERAPIST, Role.CLINIC_MANAGER):
        raise PermissionDenied("Physical therapists and managers add exercises to the library.")
    form = ExerciseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            exercise = services.exercise_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"“{exercise.name}” added to the library.")
            return redirect(f"{reverse('plans:exercise-list')}?category={exercise.category}")
    return render(request, "plans/exercise_form.html", {"form": form})
