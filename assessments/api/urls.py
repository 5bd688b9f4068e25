from __future__ import annotations

from django.urls import path

from assessments.api import views

urlpatterns = [
    path(
        "patients/<int:pk>/assessments/",
        views.PatientAssessmentsView.as_view(),
        name="patient-assessments",
    ),
    path(
        "patients/<int:pk>/body-chart/",
        views.PatientBodyChartView.as_view(),
        name="patient-body-chart",
    ),
    path("assessments/<int:pk>/", views.AssessmentDetailView.as_view(), name="assessment-detail"),
]
