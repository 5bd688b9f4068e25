"""Demo plans for `seed_demo` (idempotent): one plan per demo patient, from its template.

Plans whose patient passes R5 are activated (the sessions demo logs visits on
active plans); patients blocked by the consultation gate keep a draft, and the
last two patients keep a draft to show the builder.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from plans import seed_data, selectors, services
from plans.models import TreatmentPlan

DRAFT_ONLY = 2  # the last patients keep a draft plan


@transaction.atomic
def seed(*, staff, patients) -> dict:
    seed_data.load_current()  # a flushed database (tests) has no library yet
    start = timezone.localdate() - dt.timedelta(weeks=8)
    for index, patient in enumerate(patients):
        if TreatmentPlan.objects.filter(patient=patient).exists():
            continue
        author = patient.physical_therapist or patient.massage_therapist
        template = selectors.template_for(patient)
        if author is None or template is None:
            continue
        plan = services.plan_create_from_template(
            user=author,
            patient=patient,
            template=template,
            start_date=start,
            end_date=start + dt.timedelta(weeks=16),
        )
        if index >= len(patients) - DRAFT_ONLY:
            continue
        try:
            with transaction.atomic():
                services.plan_activate(user=author, plan_id=plan.pk)
        except ValidationError:
            pass  # R5 blocks it: the draft shows why on its page
    count = TreatmentPlan.objects.filter(patient__in=[p.pk for p in patients]).count()
    return {"plans": count}
