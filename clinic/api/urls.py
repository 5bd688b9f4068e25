"""The whole /api/v1/ tree: each app contributes its own urls module."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

app_name = "api"

urlpatterns = [
    path("", include("staff.api.urls")),
    path("", include("locations.api.urls")),
    path("", include("patients.api.urls")),
    path("", include("clearance.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("sessions.api.urls")),
    path("", include("plans.api.urls")),
    path("", include("assessments.api.urls")),
    path("", include("outreach.api.urls")),
    path("", include("interop.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Split view: the init script is served as a file, so the docs work under the CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api_docs/swagger_ui.html"
        ),
        name="docs",
    ),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
