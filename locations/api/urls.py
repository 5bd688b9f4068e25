from __future__ import annotations

from rest_framework.routers import SimpleRouter

from locations.api import views

router = SimpleRouter()
router.register("locations", views.LocationViewSet, basename="location")

urlpatterns = router.urls
