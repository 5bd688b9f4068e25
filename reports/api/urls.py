from __future__ import annotations

from django.urls import path

from reports.api import views

urlpatterns = [
    path("reports/clinic/", views.ClinicReportView.as_view(), name="reports-clinic"),
    path("reports/sessions.csv", views.SessionsCsvView.as_view(), name="reports-sessions-csv"),
]
