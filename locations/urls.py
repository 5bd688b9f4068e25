from __future__ import annotations

from django.urls import path

from locations import views

app_name = "locations"

urlpatterns = [
    path("switch/", views.location_switch, name="switch"),
    path("", views.location_list, name="list"),
    path("new/", views.location_create_page, name="create"),
    path("<int:pk>/edit/", views.location_edit, name="edit"),
]
