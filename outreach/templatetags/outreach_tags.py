"""What the patient page shows of the outreach app, without touching its view."""

from __future__ import annotations

from django import template

from clinic import clock
from outreach import home, intake, selectors

register = template.Library()


@register.simple_tag
def patient_outreach(patient) -> dict:
    now = clock.now()
    return {
        "links": [(link, link.state(now)) for link in selectors.patient_links(patient)],
        "adherence": home.patient_adherence(patient),
        "pending_intakes": list(intake.pending_intakes(patient)),
        "accepted_intake": intake.latest_accepted(patient),
    }


@register.filter
def region_name(code: str) -> str:
    """A body-chart region code in words ("foot_plantar_left" -> "Left foot (sole)")."""
    return intake.region_label(code)
