from __future__ import annotations

from rest_framework.routers import SimpleRouter

from patients.api import views
from patients.api.reminders import ReminderViewSet

router = SimpleRouter()
router.register("patients", views.PatientViewSet, basename="patient")
router.register("reminders", ReminderViewSet, basename="reminder")

urlpatterns = router.urls
