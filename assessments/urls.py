from __future__ import annotations

from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("patient/<int:patient_pk>/", views.patient_assessments, name="patient"),
    path(
        "patient/<int:patient_pk>/new/<slug:instrument>/",
        views.assessment_record,
        name="record",
    ),
    path("patient/<int:patient_pk>/body-chart/", views.body_chart_edit, name="body-chart"),
]
