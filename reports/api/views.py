"""Report endpoints: managers only (403 for therapists, 401 without credentials)."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.routes import note_patients
from clinic.api.permissions import IsClinicManager
from locations.selectors import report_scope
from reports import exports, selectors
from reports.api.serializers import ClinicReportSerializer, ReportQuerySerializer


def report_filters(request) -> dict:
    """Validated `start`, `end`, `therapist`, `cause` (400 naming the field otherwise),
    and the caller's location scope (R17: `?location=` outside it is 403)."""
    query = ReportQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    filters = dict(query.validated_data)
    filters["locations"] = report_scope(request.user, filters.get("location"))
    return filters


class ClinicReportView(APIView):
    """The clinic progress report (SPEC R14); the window selects sessions."""

    permission_classes = [IsClinicManager]

    @extend_schema(parameters=[ReportQuerySerializer], responses=ClinicReportSerializer)
    def get(self, request):
        return Response(selectors.clinic_report(**report_filters(request)))


class JSONErrorsNegotiation(BaseContentNegotiation):
    """The CSV endpoint answers CSV, and its errors JSON, whatever Accept says."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return (renderers[0], renderers[0].media_type)

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


class SessionsCsvView(APIView):
    """One row per completed session in the window, for spreadsheets (UTF-8 with BOM)."""

    permission_classes = [IsClinicManager]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONErrorsNegotiation

    @extend_schema(
        parameters=[ReportQuerySerializer],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV")},
    )
    def get(self, request):
        filters = report_filters(request)
        sessions = exports.completed_sessions(**filters)
        # The audit traces the export once per patient it carries (the body is streamed).
        note_patients(request, sessions.values_list("patient_id", flat=True).distinct())
        rows = exports.session_rows(sessions)
        response = StreamingHttpResponse(
            exports.csv_lines(rows), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.localdate().isoformat()
        window = "-".join(str(filters[k]) for k in ("start", "end") if filters.get(k)) or "all"
        response["Content-Disposition"] = f'attachment; filename="sessions-{window}-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response
