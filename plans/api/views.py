"""The /plans/, /exercises/ and /plan-templates/ API (SPEC section 3, R5-R8)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from clinic.roles import Role, require_role
from patients.models import Patient
from patients.selectors import patient_get, patients_visible_to
from plans import selectors, services
from plans.api.serializers import (
    ExerciseSerializer,
    PlanActionSerializer,
    PlanDetailSerializer,
    PlanSerializer,
    PlanTemplateSerializer,
    RuleErrorSerializer,
)
from plans.filters import ExerciseFilter, PlanFilter

RULE_400 = OpenApiResponse(RuleErrorSerializer, description="A plan rule refused the action.")


def _service_arguments(validated: dict) -> dict:
    """Serializer names (live_massage / live_exercises) back to the service's names."""
    data = dict(validated)
    if "live_massage" in data:
        data["massage_components"] = [dict(i) for i in data.pop("live_massage")]
    if "live_exercises" in data:
        data["exercise_prescriptions"] = [dict(i) for i in data.pop("live_exercises")]
    return data


class PlanViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Synergy treatment plans (R6-R8). No DELETE: cancel instead; nothing is hard-deleted.

    A nested list sent in a write replaces that list (items keep their `id` to be
    updated, items left out are removed from the plan but kept on record); a list
    not sent is left alone. Massage therapists may send `massage_components` only,
    physical therapists `exercise_prescriptions` only (403 otherwise).
    """

    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = PlanFilter

    def get_queryset(self):
        return selectors.plan_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return PlanSerializer
        if self.action in services.ACTIONS:
            return PlanActionSerializer
        return PlanDetailSerializer

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)  # a bad ?patient= is a 400 here
        patient = self.request.query_params.get("patient")
        if self.action == "list" and patient:
            patient_get(user=self.request.user, pk=patient)  # hidden: 404, never an empty 200
        return queryset

    def _plan_detail(self, plan):
        return PlanDetailSerializer(
            selectors.plan_get(user=self.request.user, pk=plan.pk),
            context=self.get_serializer_context(),
        ).data

    def _patient_from(self, request):
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": "Expected a JSON object."})
        raw = request.data.get("patient")
        if raw in (None, ""):
            raise ValidationError({"patient": "This field is required."})
        try:
            return patients_visible_to(request.user).get(pk=int(raw))
        except (TypeError, ValueError) as exc:
            raise ValidationError({"patient": "A valid patient id is required."}) from exc
        except Patient.DoesNotExist as exc:  # unknown or hidden (R3)
            raise Http404("No such patient.") from exc

    def create(self, request, *args, **kwargs):
        patient = self._patient_from(request)
        context = {**self.get_serializer_context(), "patient": patient}
        serializer = PlanDetailSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        data = _service_arguments(serializer.validated_data)
        data.pop("version", None)
        template = data.pop("template", None)
        if template is not None:
            plan = services.plan_create_from_template(
                user=request.user, patient=patient, template=template, **data
            )
        else:
            plan = services.plan_create(user=request.user, patient=patient, **data)
        return Response(self._plan_detail(plan), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        plan = self.get_object()
        require_role(request.user, Role.MASSAGE_THERAPIST, Role.PHYSICAL_THERAPIST)  # 403 first
        if not isinstance(request.data, dict) or request.data.get("version") in (None, ""):
            # Optimistic locking is not optional: a write names the version it read.
            raise ValidationError(
                {"version": ["Required: send the plan's version you read (a stale one is 409)."]}
            )
        context = {**self.get_serializer_context(), "patient": plan.patient}
        serializer = PlanDetailSerializer(plan, data=request.data, partial=True, context=context)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_update(
            user=request.user, plan=plan, **_service_arguments(serializer.validated_data)
        )
        return Response(self._plan_detail(plan))

    def _change_status(self, request, name: str):
        serializer = PlanActionSerializer(data=request.data or {})
        if not serializer.is_valid():
            self.get_object()  # a hidden plan is a 404 before any 400
            raise ValidationError(serializer.errors)
        plan = services.ACTIONS[name](
            user=request.user,
            plan_id=self.kwargs["pk"],
            version=serializer.validated_data.get("version"),
        )
        return Response(self._plan_detail(plan))

    @extend_schema(
        request=PlanActionSerializer, responses={200: PlanDetailSerializer, 400: RULE_400}
    )
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Activate: synergy rule, consultation gate (R5), one active plan, R7."""
        return self._change_status(request, "activate")

    @extend_schema(
        request=PlanActionSerializer, responses={200: PlanDetailSerializer, 400: RULE_400}
    )
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        """Put an active plan on hold."""
        return self._change_status(request, "hold")

    @extend_schema(
        request=PlanActionSerializer, responses={200: PlanDetailSerializer, 400: RULE_400}
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Complete an active or on-hold plan."""
        return self._change_status(request, "complete")

    @extend_schema(
        request=PlanActionSerializer, responses={200: PlanDetailSerializer, 400: RULE_400}
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a plan that is not yet completed (the record is kept)."""
        return self._change_status(request, "cancel")


class ExerciseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The clinic's exercise library (R8). Physical therapists and managers may add exercises."""

    serializer_class = ExerciseSerializer
    filterset_class = ExerciseFilter

    def get_queryset(self):
        return selectors.exercise_list()

    def perform_create(self, serializer):
        serializer.instance = services.exercise_create(
            user=self.request.user, **serializer.validated_data
        )


class PlanTemplateViewSet(viewsets.ReadOnlyModelViewSet):
    """Plan templates per neuropathy cause; POST /plans/ with `template` starts from one."""

    serializer_class = PlanTemplateSerializer

    def get_queryset(self):
        return selectors.template_list()
