from __future__ import annotations

from django.urls import path

from outreach.api import views

urlpatterns = [
    path(
        "patients/<int:pk>/home-programme-link/",
        views.HomeProgrammeLinkView.as_view(),
        name="patient-home-programme-link",
    ),
    path(
        "patients/<int:pk>/intake-link/",
        views.IntakeLinkView.as_view(),
        name="patient-intake-link",
    ),
    path("links/<int:pk>/revoke/", views.LinkRevokeView.as_view(), name="link-revoke"),
]
