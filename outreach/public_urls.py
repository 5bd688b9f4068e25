"""Patient pages, mounted at PATIENT_PAGES_PREFIX (default /p/): no staff login."""

from __future__ import annotations

from django.urls import path

from outreach import public_views

app_name = "patient_pages"

urlpatterns = [
    path("home/<str:token>/", public_views.home_programme, name="home"),
    path("intake/<str:token>/", public_views.intake, name="intake"),
]
