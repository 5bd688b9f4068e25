from __future__ import annotations

from django.urls import path

from staff import views

app_name = "staff"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("new/", views.staff_create_page, name="create"),
    path("<int:pk>/edit/", views.staff_edit, name="edit"),
]
