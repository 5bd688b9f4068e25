"""Assessments (R18) and body charts (R20) over the API; rules live in the services."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import scoring, selectors, services
from assessments.api.serializers import AssessmentSerializer, BodyChartSerializer
from audit.routes import note_patient
from patients.selectors import patients_visible_to


class PatientAssessmentsView(GenericAPIView):
    """A visible patient's assessments, newest first (`?instrument=`); POST records one."""

    serializer_class = AssessmentSerializer

    def _patient(self, pk):
        return get_object_or_404(patients_visible_to(self.request.user), pk=pk)

    @extend_schema(
        parameters=[
            OpenApiParameter("instrument", str, enum=scoring.Instrument.values, required=False)
        ]
    )
    def get(self, request, pk: int):
        patient = self._patient(pk)
        instrument = request.query_params.get("instrument") or None
        if instrument and instrument not in scoring.Instrument.values:
            return Response(
                {"instrument": [f"Choose one of {', '.join(scoring.Instrument.values)}."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        page = self.paginate_queryset(
            selectors.assessment_list(patient=patient, instrument=instrument)
        )
        return self.get_paginated_response(AssessmentSerializer(page, many=True).data)

    def post(self, request, pk: int):
        patient = self._patient(pk)
        serializer = AssessmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = services.assessment_record(
            user=request.user, patient=patient, **serializer.validated_data
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class AssessmentDetailView(APIView):
    @extend_schema(responses=AssessmentSerializer)
    def get(self, request, pk: int):
        assessment = selectors.assessment_get(user=request.user, pk=pk)
        note_patient(request, "assessment", assessment.pk, assessment.patient_id)
        return Response(AssessmentSerializer(assessment).data)


class PatientBodyChartView(APIView):
    """The current body chart (R20; `id` null and no entries without one); POST records one."""

    @extend_schema(responses=BodyChartSerializer)
    def get(self, request, pk: int):
        patient = get_object_or_404(patients_visible_to(request.user), pk=pk)
        chart = selectors.current_body_chart(patient)
        if chart is None:
            return Response({"id": None, "recorded_on": None, "entries": []})
        return Response(BodyChartSerializer(chart).data)

    @extend_schema(request=BodyChartSerializer, responses={201: BodyChartSerializer})
    def post(self, request, pk: int):
        patient = get_object_or_404(patients_visible_to(request.user), pk=pk)
        serializer = BodyChartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        chart = services.body_chart_record(
            user=request.user,
            patient=patient,
            entries=serializer.validated_data["entries"],
            recorded_on=serializer.validated_data.get("recorded_on"),
        )
        chart = selectors.current_body_chart(patient) or chart
        return Response(BodyChartSerializer(chart).data, status=status.HTTP_201_CREATED)
