from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from sessions.api import views

router = SimpleRouter()
router.register("sessions", views.SessionViewSet, basename="session")

urlpatterns = [
    path(
        "patients/<int:pk>/progress/",
        views.PatientProgressView.as_view(),
        name="patient-progress",
    ),
    *router.urls,
]
