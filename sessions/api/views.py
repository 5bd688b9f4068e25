from __future__ import annotations

from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.selectors import progress_assessments
from audit.routes import note_patient
from clinic import dates
from clinic.forms import IdField
from clinic.roles import require_role
from locations.selectors import list_location
from outreach.home import home_adherence_pct
from patients.selectors import patient_get, patients_visible_to
from plans.models import TreatmentPlan
from sessions import selectors, services
from sessions.api.serializers import (
    AmendmentSerializer,
    HeldSession,
    ProgressSerializer,
    SeriesResultSerializer,
    SeriesScheduleSerializer,
    SessionAmendSerializer,
    SessionCancelSerializer,
    SessionCompleteSerializer,
    SessionDetailSerializer,
    SessionScheduleSerializer,
    SessionSerializer,
    session_detail,
)
from sessions.models import SessionStatus
from sessions.progress import patient_progress


class SessionQueryForm(forms.Form):
    """List filters; a bad value is a 400 naming the parameter, not an empty list."""

    patient = IdField(required=False)
    plan = IdField(required=False)
    status = forms.ChoiceField(choices=[("", "")] + SessionStatus.choices, required=False)
    therapist = IdField(required=False)
    date = dates.DateField(required=False)
    location = IdField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # `from` is a Python keyword, so these two are added by name.
        self.fields["from"] = dates.DateField(required=False)
        self.fields["to"] = dates.DateField(required=False)


LIST_PARAMETERS = [
    OpenApiParameter("patient", OpenApiTypes.INT),
    OpenApiParameter("plan", OpenApiTypes.INT),
    OpenApiParameter("status", OpenApiTypes.STR, enum=SessionStatus.values),
    OpenApiParameter("therapist", OpenApiTypes.INT, description="massage or physical therapist"),
    OpenApiParameter("date", OpenApiTypes.DATE, description="one clinic-local day"),
    OpenApiParameter("from", OpenApiTypes.DATE, description="first day, inclusive"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="last day, inclusive"),
    OpenApiParameter(
        "location",
        OpenApiTypes.INT,
        description="held at this location (one the caller manages or works at; 403 otherwise)",
    ),
]


class SessionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Therapy sessions (R9-R12). POST schedules; verbs complete, cancel, no-show, amend."""

    filter_backends: list = []
    serializer_class = SessionSerializer

    def get_queryset(self):
        return selectors.sessions_visible_to(self.request.user).none()

    def get_object(self):
        session = selectors.session_get(user=self.request.user, pk=self.kwargs["pk"])
        note_patient(self.request, "session", session.pk, session.patient_id)
        return session

    def _detail_response(self, session, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.session_get(user=self.request.user, pk=session.pk)
        return Response(session_detail(fresh), status=code)

    @extend_schema(parameters=LIST_PARAMETERS)
    def list(self, request, *args, **kwargs):
        form = SessionQueryForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        q = form.cleaned_data
        if q.get("patient") is not None:
            patient_get(user=request.user, pk=q["patient"])  # hidden: 404, never an empty 200
        day = q.get("date")
        location = list_location(request.user, q.get("location"))  # R17: 403 outside
        qs = selectors.session_list(
            location=location,
            user=request.user,
            patient=q.get("patient"),
            plan=q.get("plan"),
            status=q.get("status") or None,
            therapist=q.get("therapist"),
            date_from=day or q.get("from"),
            date_to=day or q.get("to"),
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(SessionSerializer(page, many=True).data)

    @extend_schema(responses=SessionDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        return Response(session_detail(self.get_object()))

    def _plans(self):
        # Any status: the service says why a plan that is not active cannot be used.
        return TreatmentPlan.objects.filter(
            patient__in=patients_visible_to(self.request.user).values("pk")
        ).select_related("patient", "patient__massage_therapist", "patient__physical_therapist")

    @extend_schema(request=SessionScheduleSerializer, responses={201: SessionDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Schedule one session (R9, R10, R12). A clash is a 400 naming it."""
        require_role(request.user, *services.THERAPIST_ROLES)  # 403 before any 400
        serializer = SessionScheduleSerializer(data=request.data, plans=self._plans())
        serializer.is_valid(raise_exception=True)
        session = services.session_schedule(user=request.user, **serializer.validated_data)
        return self._detail_response(session, status.HTTP_201_CREATED)

    @extend_schema(request=SeriesScheduleSerializer, responses={201: SeriesResultSerializer})
    @action(detail=False, methods=["post"])
    def series(self, request):
        """Book a recurring series; clashing occurrences are skipped and listed in `skipped`."""
        require_role(request.user, *services.THERAPIST_ROLES)
        serializer = SeriesScheduleSerializer(data=request.data, plans=self._plans())
        serializer.is_valid(raise_exception=True)
        result = services.session_series_schedule(user=request.user, **serializer.validated_data)
        return Response(SeriesResultSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SessionCompleteSerializer, responses=SessionDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """R11: log scores and notes. Once; a second attempt is 400 on `status`."""
        serializer = SessionCompleteSerializer(data=request.data)
        if not serializer.is_valid():
            # A hidden session (404) or the wrong user (403) is said before the input.
            services.session_to_complete(user=request.user, session_id=pk)
            raise ValidationError(serializer.errors)
        completion = services.session_complete(
            user=request.user, session_id=pk, **serializer.validated_data
        )
        session = completion.session
        note_patient(request, "session", session.pk, session.patient_id)
        # The detail as a GET would return it, from the rows the service holds.
        held = HeldSession(
            session,
            covered_prescriptions=completion.covered_prescriptions,
            exercises_performed=completion.exercises_performed,
        )
        return Response(session_detail(held))

    @extend_schema(request=SessionCancelSerializer, responses=SessionDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        session = self.get_object()
        services.require_may_change_status(request.user, session, "cancel")
        serializer = SessionCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.session_cancel(
            user=request.user, session=session, **serializer.validated_data
        )
        return self._detail_response(session)

    @extend_schema(request=None, responses=SessionDetailSerializer)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        session = self.get_object()
        session = services.session_mark_no_show(user=request.user, session=session)
        return self._detail_response(session)

    @extend_schema(request=SessionAmendSerializer, responses={201: AmendmentSerializer})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        """Correct a completed session (its author only); the original is kept."""
        session = self.get_object()
        require_role(request.user, *services.THERAPIST_ROLES)
        serializer = SessionAmendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        amendment = services.session_amend(
            user=request.user, session=session, **serializer.validated_data
        )
        return Response(AmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)


class PatientProgressView(APIView):
    """R14: a visible patient's progress figures (404 for hidden patients)."""

    @extend_schema(responses=ProgressSerializer)
    def get(self, request, pk: int):
        patient = get_object_or_404(patients_visible_to(request.user), pk=pk)
        return Response(
            {
                **patient_progress(patient=patient),
                "assessments": progress_assessments(patient),
                "home_adherence_pct": home_adherence_pct(patient),
            }
        )
