"""Patient pages, mounted at PATIENT_PAGES_PREFIX (default /p/): no staff login."""

from __future__ import annotations

from django.urls import path

from outreach import public_views

app_name = "patient_pages"

urlpatterns = [
    path("home/<str:token>/", public_views.home_programme, name="home"),
    path("intake/<str:token>/", public_views.intake, name="intake"),
    path(
        "appointment/<str:token>/confirm/",
        public_views.appointment_confirm,
        name="appointment-confirm",
    ),
    path(
        "appointment/<str:token>/cancel/",
        public_views.appointment_cancel,
        name="appointment-cancel",
    ),
]
