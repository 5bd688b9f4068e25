"""Staff pages of the outreach app (login required), mounted at /outreach/."""

from __future__ import annotations

from django.urls import path

from outreach import views

app_name = "outreach"

urlpatterns = [
    path(
        "patients/<int:pk>/links/<str:purpose>/",
        views.link_create,
        name="patient-link-create",
    ),
    path(
        "intakes/<int:pk>/",
        views.intake_review,
        name="intake-review",
    ),
    path("links/<int:pk>/revoke/", views.link_revoke, name="link-revoke"),
    path("links/<int:pk>/resend/", views.link_resend, name="link-resend"),
    path(
        "plans/<int:pk>/handout-with-link/",
        views.handout_with_link,
        name="handout-with-link",
    ),
]
