"""Access rules proven: every route x role x care team (R3, R15).

One case per (route, role, scope): a fresh clinic each time, so a write by one
case never changes what another sees. Scope `own` aims at the therapists' own
patient (or its plan/session/reminder), `other` at another care team's, `none`
is a route without an object. Expected answers per role, in the order
manager / massage_therapist / physical_therapist / anonymous:

  a number   that exact status (a 400 where the world's record is in a state
             the action refuses: access was granted, the rule said no)
  ok         allowed and done: 2xx, or a redirect that is not to the login page
  login      302 to the login page (pages, anonymous)

Writes are sent with a body the view accepts where the outcome depends on it,
so a role rule (403) is not hidden behind a 400 for missing fields.

test_every_route_has_a_matrix_entry fails when a route is added without an
entry here: the access rules of a new endpoint must be decided, not assumed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.security.routes import World, all_routes, build_world

pytestmark = pytest.mark.django_db

ROLES = ("manager", "massage_therapist", "physical_therapist", "anonymous")

COMPLETE = {"pain_before": 6, "pain_after": 4, "mobility_score": 5.5}


@dataclass(frozen=True)
class E:
    method: str
    obj: str | None  # what `pk` (or `patient_pk`) names: patient, plan, session, ...
    own: str  # expectations for scope own (or none, for routes without an object)
    other: str | None = None
    body: dict | Callable[[World], dict] = field(default_factory=dict)
    kwargs: dict = field(default_factory=dict)


def _series(world: World) -> dict:
    return {
        "plan": world.own["plan"].pk,
        "kind": "massage",
        "weekdays": [1, 4],
        "start_time": "10:00",
        "first_date": str(dt.date.today() + dt.timedelta(days=1)),
        "weeks": 1,
    }


READ_API = "200 200 200 401"
TEAM_API = ("200 200 200 401", "200 404 404 401")
READ_PAGE = "200 200 200 login"
TEAM_PAGE = ("200 200 200 login", "200 404 404 login")
MANAGER_API = "200 403 403 401"
MANAGER_PAGE = "200 403 403 login"


def team(method, obj, pair, **kw):
    return E(method, obj, pair[0], pair[1], **kw)


MATRIX: dict[str, E] = {
    # --- project and auth ---------------------------------------------------
    "home": E("GET", None, "302 302 302 login"),
    "healthz": E("GET", None, "200 200 200 200"),
    "help": E("GET", None, "200 200 200 login"),
    "login": E("GET", None, "302 302 302 200"),
    "logout": E("POST", None, "login login login login"),
    "audit:log": E("GET", None, MANAGER_PAGE),
    "api:token": E("POST", None, "400 400 400 400"),
    "api:logout": E("POST", None, "204 204 204 401"),
    "api:me": E("GET", None, READ_API),
    "api:staff-list": E("GET", None, READ_API),
    "api:staff-deactivate": E("POST", "staff", "200 403 403 401"),
    "api:location-list": E("GET", None, READ_API),
    # R17: the managers' location switcher ("" = all my locations)
    "locations:switch": E("POST", None, "ok 403 403 login", body={"location": ""}),
    # head office (the world's manager manages all locations) administers locations and staff
    "locations:list": E("GET", None, MANAGER_PAGE),
    "locations:create": E("GET", None, MANAGER_PAGE),
    "locations:edit": E("GET", "location", MANAGER_PAGE),
    "staff:list": E("GET", None, MANAGER_PAGE),
    "staff:create": E("GET", None, MANAGER_PAGE),
    "staff:edit": E("GET", "staff", MANAGER_PAGE),
    # --- patients (R1-R4) ---------------------------------------------------
    "patients:list": E("GET", None, READ_PAGE),
    "patients:create": E("GET", None, READ_PAGE),
    "patients:detail": team("GET", "patient", TEAM_PAGE),
    "patients:edit": team("GET", "patient", TEAM_PAGE),
    "patients:discharge": E(
        "POST",
        "patient",
        "302 302 302 login",
        "302 404 404 login",
        body=lambda w: {"version": w.own["patient"].version},
    ),
    # Therapists record consultations; managers read them (docs/rules.md).
    "patients:consultation-create": E("GET", "patient", "403 200 200 login", "403 404 404 login"),
    "api:patient-list": E("GET", None, READ_API),
    "api:patient-detail": team("GET", "patient", TEAM_API),
    "api:patient-consultations": team("GET", "patient", TEAM_API),
    "api:patient-progress": team("GET", "patient", TEAM_API),
    "api:patient-fhir": team("GET", "patient", TEAM_API),
    # --- reminders: the caller's own (others' are 404, whoever asks) ---------
    "patients:reminders": E("GET", None, READ_PAGE),
    "patients:reminders-read-all": E("POST", None, "302 302 302 login"),
    "patients:reminder-read": E("POST", "reminder", "404 302 404 login", "404 404 404 login"),
    "patients:reminder-open": E("POST", "reminder", "404 302 404 login", "404 404 404 login"),
    "api:reminder-list": E("GET", None, READ_API),
    "api:reminder-read-all": E("POST", None, "200 200 200 401"),
    "api:reminder-detail": E("GET", "reminder", "404 200 404 401", "404 404 404 401"),
    "api:reminder-read": E("POST", "reminder", "404 200 404 401", "404 404 404 401"),
    # --- plans (R6-R8): managers read, write no clinical content --------------
    "plans:list": E("GET", None, READ_PAGE),
    "plans:create": E("GET", None, "403 200 200 login"),
    "plans:detail": team("GET", "plan", TEAM_PAGE),
    # Managers read plans but write no clinical content (403 on the edit page).
    "plans:edit": E("GET", "plan", "403 200 200 login", "403 404 404 login"),
    "plans:handout": team("GET", "plan", TEAM_PAGE),
    "plans:massage-edit": E("GET", "plan", "403 200 403 login", "403 404 404 login"),
    "plans:exercises-edit": E("GET", "plan", "403 403 200 login", "403 404 404 login"),
    "plans:action": E(
        "POST", "plan", "403 ok ok login", "403 404 404 login", kwargs={"action": "hold"}
    ),
    "plans:exercise-list": E("GET", None, READ_PAGE),
    "plans:exercise-create": E("GET", None, "200 403 200 login"),
    "api:plan-list": E("GET", None, READ_API),
    "api:plan-detail": team("GET", "plan", TEAM_API),
    # The world's plan is already active: access granted, R6's status rule says no (400).
    "api:plan-activate": E("POST", "plan", "403 400 400 401", "403 404 404 401"),
    "api:plan-hold": E("POST", "plan", "403 ok ok 401", "403 404 404 401"),
    "api:plan-complete": E("POST", "plan", "403 ok ok 401", "403 404 404 401"),
    "api:plan-cancel": E("POST", "plan", "403 ok ok 401", "403 404 404 401"),
    "api:exercise-list": E("GET", None, READ_API),
    "api:exercise-detail": E("GET", "exercise", READ_API),
    "api:plan-template-list": E("GET", None, READ_API),
    "api:plan-template-detail": E("GET", "template", READ_API),
    # --- sessions (R9-R12, R14); the session is a massage session of the
    # massage therapist: the physical therapist is on the team but not its therapist
    "sessions:today": E("GET", None, READ_PAGE),
    "sessions:calendar": E("GET", None, READ_PAGE),
    "sessions:schedule": E("GET", None, "403 200 200 login"),
    "sessions:detail": team("GET", "session", TEAM_PAGE),
    "sessions:complete": E("GET", "session", "403 200 403 login", "403 404 404 login"),
    "sessions:cancel": E(
        "POST", "session", "403 ok ok login", "403 404 404 login", body={"reason": "Patient ill."}
    ),
    "sessions:no-show": E("POST", "session", "403 ok ok login", "403 404 404 login"),
    "sessions:amend": E("GET", "session", "403 403 403 login", "403 404 404 login"),
    "sessions:progress": team("GET", "patient", TEAM_PAGE),
    "api:session-list": E("GET", None, READ_API),
    "api:session-series": E("POST", None, "403 ok ok 401", body=lambda world: _series(world)),
    "api:session-detail": team("GET", "session", TEAM_API),
    "api:session-complete": E(
        "POST", "session", "403 ok 403 401", "403 404 404 401", body=COMPLETE
    ),
    "api:session-cancel": E(
        "POST", "session", "403 ok ok 401", "403 404 404 401", body={"reason": "Patient ill."}
    ),
    "api:session-no-show": E("POST", "session", "403 ok ok 401", "403 404 404 401"),
    # The world's session is scheduled: only a completed one can be amended (400).
    "api:session-amend": E(
        "POST", "session", "403 400 400 401", "403 404 404 401", body={"reason": "Typo."}
    ),
    # --- reports: managers only, except a patient's own progress report -------
    "reports:dashboard": E("GET", None, MANAGER_PAGE),
    "reports:patient": team("GET", "patient", TEAM_PAGE),
    "api:reports-clinic": E("GET", None, MANAGER_API),
    "api:reports-sessions-csv": E("GET", None, MANAGER_API),
    # --- patients in the loop (R25-R29) ---------------------------------------
    "api:patient-home-programme-link": E("POST", "patient", "201 201 201 401", "201 404 404 401"),
    "api:patient-intake-link": E("POST", "patient", "201 201 201 401", "201 404 404 401"),
    "api:link-revoke": E("POST", "link", "200 200 200 401", "200 404 404 401"),
    "outreach:patient-link-create": E(
        "POST", "patient", "302 302 302 login", "302 404 404 login", kwargs={"purpose": "intake"}
    ),
    "outreach:link-revoke": E("POST", "link", "302 302 302 login", "302 404 404 login"),
    "outreach:link-resend": E("POST", "link", "302 302 302 login", "302 404 404 login"),
    "outreach:intake-review": team("GET", "intake", TEAM_PAGE),
    "outreach:handout-with-link": E("POST", "plan", "200 200 200 login", "200 404 404 login"),
    # Patient pages: no login; an unknown token is the same 404 for everybody.
    "patient_pages:home": E("GET", None, "404 404 404 404", kwargs={"token": "x" * 43}),
    "patient_pages:intake": E("GET", None, "404 404 404 404", kwargs={"token": "x" * 43}),
    "patient_pages:appointment-confirm": E(
        "POST", None, "404 404 404 404", kwargs={"token": "x" * 43}
    ),
    "patient_pages:appointment-cancel": E(
        "POST", None, "404 404 404 404", kwargs={"token": "x" * 43}
    ),
    # --- open data (R30-R32) ----------------------------------------------------
    "interop:patient-import": E("GET", None, MANAGER_PAGE),
    "interop:patient-import-job": E("GET", "import_job", MANAGER_PAGE, "404 403 403 login"),
    "interop:patient-import-progress": E("GET", "import_job", MANAGER_PAGE, "404 403 403 login"),
    "interop:patient-import-now": E("POST", "import_job", "ok 403 403 login", "404 403 403 login"),
    # A feed's token is its only credential: a wrong one is 404 for everyone.
    "interop:calendar-feed": E("GET", None, "404 404 404 404", kwargs={"token": "x" * 43}),
    "interop:calendar": E("GET", None, "403 200 200 login"),
    "interop:calendar-regenerate": E("POST", None, "403 302 302 login"),
    "api:me-calendar-regenerate": E("POST", None, "403 200 200 401"),
    # --- assessments and body charts (R18, R20): managers read, the care team records
    "assessments:patient": team("GET", "patient", TEAM_PAGE),
    # A valid NPRS: the therapists are sent back to the list; managers write no
    # clinical records (403, whichever team); another team is a 404 for therapists.
    "assessments:record": E(
        "POST",
        "patient",
        "403 302 302 login",
        "403 404 404 login",
        body={"pain": "5", "context": "intake"},
        kwargs={"instrument": "nprs"},
    ),
    # No rows posted records "no symptom charted now", a valid chart.
    "assessments:body-chart": E("POST", "patient", "403 302 302 login", "403 404 404 login"),
    "api:patient-assessments": E(
        "POST",
        "patient",
        "403 201 201 401",
        "403 404 404 401",
        body={"instrument": "nprs", "items": {"pain": 5}, "context": "intake"},
    ),
    "api:assessment-detail": team("GET", "assessment", TEAM_API),
    "api:patient-body-chart": E(
        "POST", "patient", "403 201 201 401", "403 404 404 401", body={"entries": []}
    ),
    "reports:assessments-csv": E("GET", None, MANAGER_PAGE),
    # --- medical clearance (R24): the directory is every staff member's; requests,
    # letters and documents follow the patient (R3)
    "clearance:physician-list": E("GET", None, READ_PAGE),
    "clearance:physician-create": E("GET", None, READ_PAGE),
    "clearance:physician-edit": E("GET", "physician", READ_PAGE),
    "api:physician-detail": E("GET", "physician", READ_API),
    "api:physician-list": E("GET", None, READ_API),
    "clearance:patient-request-create": team("GET", "patient", TEAM_PAGE),
    "clearance:patient-consultation-document": team("GET", "consultation", TEAM_PAGE),
    "clearance:request-letter": team("GET", "clearance_request", TEAM_PAGE),
    "clearance:request-letter-html": team("GET", "clearance_request", TEAM_PAGE),
    "api:patient-clearance-requests": team("GET", "patient", TEAM_API),
    "api:clearance-request-letter": team("GET", "clearance_request", TEAM_API),
    "api:consultation-document": team("GET", "consultation", TEAM_API),
}


def _cases():
    for name, entry in MATRIX.items():
        scopes = ("own", "other") if entry.other else ("own",)
        for scope in scopes:
            expected = (entry.own if scope == "own" else entry.other).split()
            assert len(expected) == len(ROLES), name
            for role, want in zip(ROLES, expected, strict=True):
                yield pytest.param(name, scope, role, want, id=f"{name}-{scope}-{role}")


def test_every_route_has_a_matrix_entry():
    names = {r.name for r in all_routes()}
    missing = sorted(names - set(MATRIX))
    assert not missing, f"routes without an access-matrix entry: {missing}"
    stale = sorted(set(MATRIX) - names)
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


def _object(world, entry: E, scope: str):
    if entry.obj in ("exercise", "template", "staff", "physician", "location"):
        return world.extra[entry.obj]
    return (world.own if scope == "own" else world.other)[entry.obj]


def _url(name: str, world, entry: E, scope: str) -> str:
    """The route's URL aimed at the scope's object: `pk`, or `patient_pk` for
    routes under a patient (both when the object is a record of that patient)."""
    kwargs = dict(entry.kwargs)
    if entry.obj is not None:
        obj = _object(world, entry, scope)
        params = next(r.kwargs for r in all_routes() if r.name == name)
        if "patient_pk" in params and "pk" in params:
            kwargs["patient_pk"] = obj.patient_id
            kwargs["pk"] = obj.pk
        elif "patient_pk" in params:
            kwargs["patient_pk"] = obj.pk
        else:
            kwargs["pk"] = obj.pk
    return reverse(name, kwargs=kwargs)


def _client(name: str, user):
    if name.startswith("api:"):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(("name", "scope", "role", "want"), list(_cases()))
def test_access(name, scope, role, want):
    # given a small clinic
    world = build_world()
    entry = MATRIX[name]
    url = _url(name, world, entry, scope)
    client = _client(name, world.user(role))
    # when
    body = entry.body(world) if callable(entry.body) else entry.body
    if entry.method == "GET":
        response = client.get(url)
    elif name.startswith("api:"):
        response = client.post(url, body, format="json")
    else:
        response = client.post(url, body)
    # then
    _assert_answer(response, want, f"{entry.method} {url} as {role}", role == "anonymous")


def _assert_answer(response, want: str, what: str, anonymous: bool = False) -> None:
    status = response.status_code
    location = response.get("Location", "")
    detail = f"{what}: {status} {location}".strip()
    if want == "login":
        assert status == 302 and location.startswith("/login/"), detail
    elif want == "ok":
        done = status in (200, 201, 204) or (status == 302 and not location.startswith("/login/"))
        assert done, detail
    else:
        assert status == int(want), detail
        if status == 302:
            assert not location.startswith("/login/") or anonymous, detail


# --- the location dimension (R17) ---------------------------------------------
# A manager of another location only ("site manager") is a manager for routes
# without a record, and a stranger for the world's patients (all at the main
# clinic): every record of theirs is a 404, whatever the head office may do with it.
RECORDS = {
    "patient",
    "plan",
    "session",
    "consultation",
    "link",
    "intake",
    "assessment",
    "clearance_request",
    "import_job",  # another manager's upload
}
SCOPED_PAGES = (
    "reports:dashboard",
    "reports:assessments-csv",
    "audit:log",
    "api:reports-clinic",
    "api:reports-sessions-csv",
    # the lists' location filter
    "patients:list",
    "api:patient-list",
    "sessions:today",
    "sessions:calendar",
    "api:session-list",
)


# Head office only: a manager of some locations is refused.
HEAD_OFFICE_ONLY = {
    "locations:list",
    "locations:create",
    "locations:edit",
    "staff:list",
    "staff:create",
    "staff:edit",
}


def _site_manager_cases():
    for name, entry in MATRIX.items():
        want = entry.own.split()[0]
        if entry.obj in RECORDS:
            want = "404"  # as the other care team's record for a therapist
        if name in HEAD_OFFICE_ONLY:
            want = "403"
        yield pytest.param(name, want, id=f"{name}-site_manager")


def _site_manager(world):
    from locations.models import StaffScope
    from tests import factories

    elsewhere = factories.LocationFactory(name="Elsewhere")
    manager = factories.ManagerFactory(username="m-site-manager")
    scope = StaffScope.objects.get(user=manager)
    scope.manages_all_locations = False
    scope.save()
    scope.locations.set([elsewhere])
    scope.managed_locations.set([elsewhere])
    return manager, elsewhere


@pytest.mark.parametrize(("name", "want"), list(_site_manager_cases()))
def test_access_of_a_manager_of_another_location(name, want):
    # given a clinic whose patients all live at the main clinic
    world = build_world()
    manager, _ = _site_manager(world)
    entry = MATRIX[name]
    url = _url(name, world, entry, "own")
    client = _client(name, manager)
    # when
    body = entry.body(world) if callable(entry.body) else entry.body
    if entry.method == "GET":
        response = client.get(url)
    elif name.startswith("api:"):
        response = client.post(url, body, format="json")
    else:
        response = client.post(url, body)
    # then
    _assert_answer(response, want, f"{entry.method} {url} as a manager of another location")


@pytest.mark.parametrize("name", SCOPED_PAGES)
def test_a_location_outside_the_managers_scope_is_403(name):
    from locations.models import Location

    world = build_world()
    manager, elsewhere = _site_manager(world)
    main = Location.objects.exclude(pk=elsewhere.pk).first()
    client = _client(name, manager)
    assert client.get(reverse(name), {"location": main.pk}).status_code == 403
    assert client.get(reverse(name), {"location": 999999}).status_code == 403
    assert client.get(reverse(name), {"location": elsewhere.pk}).status_code == 200


def test_assessments_csv_and_figures_show_no_row_of_another_location():
    # given the world's patients (all at the main clinic) with assessments
    from assessments.models import Assessment
    from assessments.reports import assessment_csv_rows, assessment_figures
    from locations.selectors import report_scope

    world = build_world()
    manager, _ = _site_manager(world)
    assert Assessment.objects.exists()
    # when a manager of another location exports and reads the figures
    response = _client("reports:assessments-csv", manager).get(reverse("reports:assessments-csv"))
    body = b"".join(response.streaming_content).decode()
    scope = report_scope(manager)
    # then only the header, and no figure
    assert response.status_code == 200
    assert len(body.strip().splitlines()) == 1
    assert list(assessment_csv_rows(locations=scope))[1:] == []
    assert assessment_figures(locations=scope)["mean_change"] == []
    assert assessment_figures(locations=scope)["dn4_patients"] == 0
