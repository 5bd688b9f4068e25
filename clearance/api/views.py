"""R24 over the API: the directory, a patient's clearance requests, letters, documents."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.routes import note_patient
from clearance import selectors, services
from clearance.api.serializers import ClearanceRequestSerializer, PhysicianSerializer
from clearance.documents import document_response
from clearance.letter import letter_response
from clinic.errors import NotVisible
from patients.models import Patient
from patients.selectors import patients_visible_to


class PhysicianViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The clinic's physician directory: `GET` lists, `POST` adds one, `PATCH`
    corrects one (a new fax number); any staff role."""

    serializer_class = PhysicianSerializer
    queryset = selectors.physician_list()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.physician_create(
            user=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.physician_update(
            user=self.request.user,
            physician_id=serializer.instance.pk,
            **serializer.validated_data,
        )


class PatientClearanceRequestsView(generics.ListCreateAPIView):
    """A patient's clearance requests, newest first; `POST` makes one (R24)."""

    serializer_class = ClearanceRequestSerializer

    def get_patient(self):
        try:
            return patients_visible_to(self.request.user).get(pk=self.kwargs["patient_pk"])
        except (Patient.DoesNotExist, ValueError) as exc:
            raise NotVisible("No such patient.") from exc

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.ClearanceRequest.objects.none()
        patient = self.get_patient()
        return selectors.clearance_requests_visible_to(self.request.user).filter(patient=patient)

    def create(self, request, *args, **kwargs):
        patient = self.get_patient()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        made = services.clearance_request_create(
            user=request.user, patient=patient, **serializer.validated_data
        )
        return Response(self.get_serializer(made).data, status=status.HTTP_201_CREATED)


class ClearanceLetterView(APIView):
    """The request's letter as a PDF (for fax or print; the same one e-mailed)."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        clearance_request = selectors.clearance_request_get(user=request.user, pk=pk)
        note_patient(request, "clearancerequest", pk, clearance_request.patient_id)
        return letter_response(clearance_request)


class ConsultationDocumentView(APIView):
    """The signed reply stored on a consultation (R24), for those who may see the patient."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        consultation = selectors.consultation_get(user=request.user, pk=pk)
        if not consultation.document:
            raise NotVisible("This consultation has no document.")
        note_patient(request, "consultation", pk, consultation.patient_id)
        return document_response(consultation)
