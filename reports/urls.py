from __future__ import annotations

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("patients/<int:pk>/", views.patient_report, name="patient"),
    path("assessments.csv", views.assessments_csv, name="assessments-csv"),
]
