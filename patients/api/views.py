from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from patients import selectors, services
from patients.api.serializers import (
    ConsultationSerializer,
    PatientListSerializer,
    PatientSerializer,
)
from patients.filters import PatientApiFilter
from patients.models import Patient


class PatientViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Patients (R1-R3). No DELETE: discharge with PATCH {"status": "discharged"}."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = PatientApiFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema: no request
            return Patient.objects.none()
        qs = selectors.patient_list(user=self.request.user)
        if self.action == "list":
            # A list row carries the therapists' ids only: no join to users.
            qs = qs.select_related(None)
        if self.action == "retrieve" or self.action == "consultations":
            qs = qs.prefetch_related("consultations")
        return qs

    def get_serializer_class(self):
        if self.action == "list":
            return PatientListSerializer
        if self.action == "consultations":
            return ConsultationSerializer
        return PatientSerializer

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        # Issue 14: the future sessions that followed a care-team change.
        response.data["moved_sessions"] = self._moved
        return response

    def perform_update(self, serializer):
        instance = serializer.save()
        self._moved = [s.pk for s in getattr(instance, "moved_sessions", [])]
        # Re-read so the response carries a fresh consultation status.
        serializer.instance = selectors.patient_get(user=self.request.user, pk=instance.pk)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        patient = serializer.save()
        data = PatientSerializer(
            selectors.patient_get(user=request.user, pk=patient.pk), context={"request": request}
        ).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ConsultationSerializer, responses=ConsultationSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def consultations(self, request, pk=None):
        """R4: a patient's consultations, newest first; POST records one."""
        patient = get_object_or_404(selectors.patients_visible_to(request.user), pk=pk)
        if request.method == "POST":
            services.require_consultation_recorder(request.user, patient)  # 403 before 400
            serializer = ConsultationSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            consultation = services.consultation_create(
                user=request.user, patient=patient, **serializer.validated_data
            )
            return Response(
                ConsultationSerializer(consultation).data, status=status.HTTP_201_CREATED
            )
        page = self.paginate_queryset(selectors.consultation_list(patient=patient))
        return self.get_paginated_response(ConsultationSerializer(page, many=True).data)
