from __future__ import annotations

from django.urls import path

from patients import inbox_views, views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("reminders/", inbox_views.reminder_list, name="reminders"),
    path("reminders/read-all/", inbox_views.reminders_read_all, name="reminders-read-all"),
    path("reminders/<int:pk>/read/", inbox_views.reminder_read, name="reminder-read"),
    path("reminders/<int:pk>/open/", inbox_views.reminder_open, name="reminder-open"),
    path("new/", views.patient_create, name="create"),
    path("<int:pk>/", views.patient_detail, name="detail"),
    path("<int:pk>/edit/", views.patient_edit, name="edit"),
    path("<int:pk>/discharge/", views.patient_discharge, name="discharge"),
    path("<int:pk>/consultations/new/", views.consultation_create, name="consultation-create"),
]
