from __future__ import annotations

from django.urls import path

from interop.api import views

urlpatterns = [
    path("patients/<int:pk>/fhir/", views.PatientFhirView.as_view(), name="patient-fhir"),
    path(
        "me/calendar/regenerate/",
        views.CalendarRegenerateView.as_view(),
        name="me-calendar-regenerate",
    ),
]
