from __future__ import annotations

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from interop.calendar_feed import calendar_feed_regenerate, calendar_url
from interop.fhir_bundle import FHIR_JSON, patient_bundle


class FhirJSONRenderer(JSONRenderer):
    """Lets FHIR clients ask for `Accept: application/fhir+json` (errors come back so too)."""

    media_type = FHIR_JSON
    format = "fhir"


class FhirNegotiation(DefaultContentNegotiation):
    """An unknown `?format=` falls back to FHIR JSON instead of a 404 that would
    answer before authentication (anonymous callers get 401 like everywhere else)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            return renderers[0], renderers[0].media_type


class PatientFhirView(APIView):
    """R30: the patient's record as a FHIR R4 Bundle (type `collection`)."""

    renderer_classes = [FhirJSONRenderer, JSONRenderer]
    content_negotiation_class = FhirNegotiation

    @extend_schema(
        responses={
            (200, FHIR_JSON): OpenApiResponse(description="A FHIR R4 Bundle of type collection."),
            404: OpenApiResponse(description="No such patient, or not one of yours (R3)."),
        }
    )
    def get(self, request, pk: int):
        bundle = patient_bundle(user=request.user, patient_id=pk)
        return HttpResponse(bundle.model_dump_json(), content_type=FHIR_JSON)


class CalendarRegenerateView(APIView):
    """R32: revoke the caller's calendar feed and answer the new `calendar_url` (therapists)."""

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer("CalendarUrl", {"calendar_url": serializers.URLField()}),
            403: OpenApiResponse(description="Only therapists have a calendar feed."),
        },
    )
    def post(self, request):
        calendar_feed_regenerate(user=request.user)
        return Response({"calendar_url": calendar_url(user=request.user)})
