from __future__ import annotations

from django.urls import path

from interop import views

app_name = "interop"

urlpatterns = [
    path("import/patients/", views.patient_import, name="patient-import"),
    path("import/patients/<int:pk>/", views.patient_import_job, name="patient-import-job"),
    path(
        "import/patients/<int:pk>/progress/",
        views.patient_import_progress,
        name="patient-import-progress",
    ),
    path("import/patients/<int:pk>/import/", views.patient_import_now, name="patient-import-now"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("me/calendar/", views.calendar_profile, name="calendar"),
    path("me/calendar/regenerate/", views.calendar_regenerate, name="calendar-regenerate"),
]
