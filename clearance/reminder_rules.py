"""R22 `clearance_overdue`: a clearance request 7 or more days old without a
consultation recorded since; to the care team and the active managers of the
patient's home location (head-office managers included, R17).

One query (the outstanding overdue requests with the patient's team) plus
the managers; once per request (occurrence ``clearance_overdue:request<id>``),
resolved when a consultation answers the request or it is cancelled (R23).
"""

from __future__ import annotations

import datetime as dt

from clearance.models import ClearanceRequest, ClearanceStatus
from clearance.selectors import OVERDUE_CUTOFF_DAY
from locations.selectors import ManagersByLocation
from patients.models import PatientStatus, ReminderKind
from patients.reminders.days import LocalDays
from patients.reminders.engine import TEAM_COLUMNS, Due, register, team_of

KIND = ReminderKind.CLEARANCE_OVERDUE.value


def occurrence_of(request_id: int) -> str:
    return f"{KIND}:request{request_id}"


@register
class ClearanceOverdueRule:
    name = KIND
    kinds = (KIND,)

    def due(self, *, days: LocalDays, now: dt.datetime) -> list[Due]:
        home_of = "patient__home_location"
        rows = (
            ClearanceRequest.objects.filter(
                days.scope(home_of),
                status=ClearanceStatus.REQUESTED,
                # R16: the start of the home location's day, 6 days ago (overdue_cutoff)
                requested_at__lt=days.midnight_sql(home_of, OVERDUE_CUTOFF_DAY),
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
            today = days.day(home)
            if today is None:  # not one of this scan's locations
                continue
            # R16: the home location's days
            age = (today - days.local_date(requested_at, home)).days
            message = (
                f"{first} {last} ({mrn}): clearance requested from {physician} {age} days ago "
                "and not answered. Please follow up."
            )
            members = team_of(*team)
            key = occurrence_of(pk)
            due += [Due(KIND, patient_id, m, key, message, today) for m in members]
            due += [
                Due(KIND, patient_id, m, key, message, today, escalated=True)
                for m in managers.ids(home)
                if m not in members
            ]
        return due
