from __future__ import annotations

from rest_framework.routers import SimpleRouter

from plans.api import views

router = SimpleRouter()
router.register("plans", views.PlanViewSet, basename="plan")
router.register("exercises", views.ExerciseViewSet, basename="exercise")
router.register("plan-templates", views.PlanTemplateViewSet, basename="plan-template")

urlpatterns = router.urls
