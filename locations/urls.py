from __future__ import annotations

from django.urls import path

from locations import views

app_name = "locations"

urlpatterns = [
    path("switch/", views.location_switch, name="switch"),
]
