"""Staff endpoints: API tokens, the caller's own profile, the staff list."""

from __future__ import annotations

from django.urls import path

from staff.api import views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    path("auth/logout/", views.LogoutView.as_view(), name="logout"),
    path("me/", views.MeView.as_view(), name="me"),
    path("staff/", views.StaffListView.as_view(), name="staff-list"),
    path(
        "staff/<int:pk>/deactivate/",
        views.StaffDeactivateView.as_view(),
        name="staff-deactivate",
    ),
]
