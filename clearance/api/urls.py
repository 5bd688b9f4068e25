from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from clearance.api import views

router = SimpleRouter()
router.register("physicians", views.PhysicianViewSet, basename="physician")

urlpatterns = [
    *router.urls,
    path(
        "patients/<int:patient_pk>/clearance-requests/",
        views.PatientClearanceRequestsView.as_view(),
        name="patient-clearance-requests",
    ),
    path(
        "clearance-requests/<int:pk>/letter.pdf",
        views.ClearanceLetterView.as_view(),
        name="clearance-request-letter",
    ),
    path(
        "consultations/<int:pk>/document/",
        views.ConsultationDocumentView.as_view(),
        name="consultation-document",
    ),
]
