"""R22 `clearance_overdue`: a clearance request 7 or more days old without a
consultation recorded since; to the care team and the active managers of the
patient's home location (head-office managers included, R17).

One query (the outstanding overdue requests with the patient's team) plus
the managers; once per request (occurrence ``clearance_overdue:request<id>``),
resolved when a consultation answers the request or it is cancelled (R23).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from clearance.models import ClearanceRequest, ClearanceStatus
from clearance.selectors import overdue_cutoff
from locations.selectors import ManagersByLocation
from patients.models import PatientStatus, ReminderKind
from patients.reminders.engine import TEAM_COLUMNS, Due, register, team_of

KIND = ReminderKind.CLEARANCE_OVERDUE.value


def occurrence_of(request_id: int) -> str:
    return f"{KIND}:request{request_id}"


@register
class ClearanceOverdueRule:
    name = KIND
    kinds = (KIND,)

    def due(self, *, today: dt.date, now: dt.datetime) -> list[Due]:
        rows = (
            ClearanceRequest.objects.filter(
                status=ClearanceStatus.REQUESTED,
                requested_at__lt=overdue_cutoff(today),
                patient__status=PatientStatus.ACTIVE,
            )
            .order_by("pk")
            .values_list(
                "pk",
                "patient_id",
                "requested_at",
                "physician__name",
                "patient__first_name",
                "patient__last_name",
                "patient__mrn",
                "patient__home_location_id",
                *TEAM_COLUMNS,
            )
        )
        rows = list(rows)
        if not rows:
            return []
        managers = ManagersByLocation()  # R17: the patient's home location's and head office
        due = []
        for pk, patient_id, requested_at, physician, first, last, mrn, home, *team in rows:
            # R16: the scan runs in the home location's zone (engine._scan).
            days = (today - timezone.localdate(requested_at)).days
            message = (
                f"{first} {last} ({mrn}): clearance requested from {physician} {days} days ago "
                "and not answered. Please follow up."
            )
            members = team_of(*team)
            due += [Due(KIND, patient_id, m, occurrence_of(pk), message) for m in members]
            due += [
                Due(KIND, patient_id, m, occurrence_of(pk), message, escalated=True)
                for m in managers.ids(home)
                if m not in members
            ]
        return due
