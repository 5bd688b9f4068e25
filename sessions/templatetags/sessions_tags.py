"""The sessions card on a patient's page (included from patients/_detail_sections.html)."""

from __future__ import annotations

from django import template
from django.db.models import Count, Q

from sessions import selectors, services
from sessions.models import SessionStatus

register = template.Library()

CARD_ROWS = 15


@register.inclusion_tag("sessions/_patient_sessions_card.html", takes_context=True)
def patient_sessions_card(context, patient):
    user = context["request"].user
    # The page already resolved `patient` through patients_visible_to (R3).
    qs = selectors.session_list(user=user, patient=patient).order_by("-scheduled_start", "-id")
    rows = list(qs[: CARD_ROWS + 1])
    counts = patient.sessions.aggregate(
        completed=Count("pk", filter=Q(status=SessionStatus.COMPLETED)),
        no_show=Count("pk", filter=Q(status=SessionStatus.NO_SHOW)),
    )
    return {
        "patient": patient,
        "sessions": rows[:CARD_ROWS],
        "more": len(rows) > CARD_ROWS,
        "can_schedule": services.can_schedule(user),
        **counts,
    }
