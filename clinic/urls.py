from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clinic import views
from clinic.auth_views import LogoutView

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("help/", views.help_page, name="help"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("patients/", include("patients.urls")),
    path("clearance/", include("clearance.urls")),
    path("plans/", include("plans.urls")),
    path("sessions/", include("sessions.urls")),
    path("audit/", include("audit.urls")),
    path("reports/", include("reports.urls")),
    path("locations/", include("locations.urls")),
    path("staff/", include("staff.urls")),
    path("assessments/", include("assessments.urls")),
    path("outreach/", include("outreach.urls")),
    path(settings.PATIENT_PAGES_PREFIX, include("outreach.public_urls")),
    path("", include("interop.urls")),
    path("api/v1/", include("clinic.api.urls")),
    path("admin/", admin.site.urls),
]
