from __future__ import annotations

from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("exercises/", views.exercise_list, name="exercise-list"),
    path("exercises/new/", views.exercise_create, name="exercise-create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/massage/", views.plan_massage_edit, name="massage-edit"),
    path("<int:pk>/exercises/", views.plan_exercises_edit, name="exercises-edit"),
    path("<int:pk>/handout/", views.plan_handout, name="handout"),
    path(
        "<int:pk>/<slug:action>/",
        views.plan_action,
        name="action",
    ),
]
