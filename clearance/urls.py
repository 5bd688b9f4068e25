from __future__ import annotations

from django.urls import path

from clearance import views

app_name = "clearance"

urlpatterns = [
    path("physicians/", views.physician_list, name="physician-list"),
    path("physicians/new/", views.physician_form, name="physician-create"),
    path("physicians/<int:pk>/edit/", views.physician_form, name="physician-edit"),
    path("patients/<int:patient_pk>/new/", views.request_create, name="patient-request-create"),
    path(
        "patients/<int:patient_pk>/consultations/<int:pk>/document/",
        views.consultation_document,
        name="patient-consultation-document",
    ),
    path("requests/<int:pk>/letter.pdf", views.request_letter, name="request-letter"),
    path("requests/<int:pk>/letter/", views.request_letter_html, name="request-letter-html"),
]
