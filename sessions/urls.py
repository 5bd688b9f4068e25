from __future__ import annotations

from django.urls import path

from sessions import views

app_name = "sessions"

urlpatterns = [
    path("", views.today, name="today"),
    path("calendar/", views.calendar, name="calendar"),
    path("schedule/", views.schedule, name="schedule"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/complete/", views.session_complete, name="complete"),
    path("<int:pk>/cancel/", views.session_cancel, name="cancel"),
    path("<int:pk>/no-show/", views.session_no_show, name="no-show"),
    path("<int:pk>/amend/", views.session_amend, name="amend"),
    path("patients/<int:pk>/progress/", views.progress, name="progress"),
]
