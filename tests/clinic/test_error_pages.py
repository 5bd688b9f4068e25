"""Error pages live in the app shell: navigation, a plain explanation, what to do next."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import timezone
from django.views.defaults import server_error

from clinic.errors import WrongRole
from clinic.views import too_many_requests
from sessions.services import session_schedule
from tests import factories

pytestmark = pytest.mark.django_db

NAVBAR = 'class="navbar navbar-expand-lg navbar-clinic'


def _html(response) -> str:
    return response.content.decode()


def test_wrong_discipline_is_a_403_page_with_the_reason_and_navigation(
    client, physical_therapist, patient
):
    plan = factories.TreatmentPlanFactory(patient=patient)
    client.force_login(physical_therapist)
    response = client.get(f"/plans/{plan.pk}/massage/")
    assert response.status_code == 403
    html = _html(response)
    assert NAVBAR in html and 'href="/patients/"' in html
    assert 'data-error="403"' in html
    assert (
        "Massage therapists edit the massage part; the physical therapist edits exercises." in html
    )


def test_wrong_role_for_scheduling_explains_who_schedules(massage_therapist, patient):
    plan = factories.ActivePlanFactory(patient=patient)
    with pytest.raises(WrongRole) as refused:
        session_schedule(
            user=massage_therapist,
            plan=plan,
            kind="combined",
            scheduled_start=timezone.now() + dt.timedelta(days=1),
        )
    assert "the physical therapist schedules" in str(refused.value)
    assert "(R12)" not in str(refused.value)


def test_unknown_or_hidden_record_is_a_404_page_in_the_shell(client, massage_therapist):
    hidden = factories.PatientFactory()  # not on this therapist's care team
    client.force_login(massage_therapist)
    for url in (f"/patients/{hidden.pk}/", "/patients/999999/", "/no-such-page/"):
        response = client.get(url)
        assert response.status_code == 404, url
        html = _html(response)
        assert NAVBAR in html and 'data-error="404"' in html
        assert "This page is not here" in html
        assert hidden.last_name not in html


def test_500_page_renders_without_a_request_or_database(django_assert_num_queries):
    request = RequestFactory().get("/anything/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    html = _html(response)
    assert 'data-error="500"' in html and NAVBAR in html
    assert "Something went wrong on our side" in html


def test_csrf_failure_is_a_page_in_the_shell(physical_therapist, patient):
    client = Client(enforce_csrf_checks=True)
    client.force_login(physical_therapist)
    response = client.post(f"/patients/{patient.pk}/edit/", {"first_name": "X"})
    assert response.status_code == 403
    html = _html(response)
    assert 'data-error="403-csrf"' in html and NAVBAR in html
    assert "This form could not be sent" in html and "nothing was saved" in html
    assert "CSRF" not in html  # no jargon for people


def test_429_page_says_how_long_to_wait(physical_therapist):
    request = RequestFactory().get("/")
    request.user = physical_therapist
    response = too_many_requests(request, minutes=2)
    assert response.status_code == 429
    assert response["Retry-After"] == "120"
    html = _html(response)
    assert 'data-error="429"' in html and NAVBAR in html
    assert "2 minutes" in html


def test_login_lockout_is_a_429_page_in_the_shell(client, physical_therapist):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            "/login/", {"username": physical_therapist.username, "password": "wrong-password!"}
        )
    assert response.status_code == 429
    html = _html(response)
    assert 'data-error="429"' in html and NAVBAR in html
    assert "Too many failed logins" in html


@pytest.mark.parametrize(
    ("user_factory", "label"),
    [
        (factories.PhysicalTherapistFactory, "Physical therapist"),
        (factories.MassageTherapistFactory, "Massage therapist"),
        (factories.ManagerFactory, "Clinic manager"),
    ],
)
def test_navbar_names_the_user_and_the_full_role(client, user_factory, label):
    user = user_factory(first_name="Robin", last_name="Reed")
    client.force_login(user)
    html = _html(client.get("/patients/"))
    assert f"data-role-badge>{label}</span>" in html
    assert "data-user-name>Robin Reed</span>" in html


def test_help_page_explains_the_rules_in_words(client, massage_therapist):
    client.force_login(massage_therapist)
    response = client.get("/help/")
    assert response.status_code == 200
    html = _html(response)
    for anchor in ("care-team", "roles", "consultation", "plans", "sessions", "figures"):
        assert f'id="{anchor}"' in html
    assert not re.search(r"\bR\d{1,2}\b", html)


# UI text says rules in words (or links the help page), never "(R9)" or a repository path.
_COMMENTS = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.S)
_RULE_OR_PATH = re.compile(r"\(R\d{1,2}\)|\bR\d{1,2}\b(?=[),])|\bdocs/\w+\.md\b")


def test_no_rule_numbers_or_repository_paths_in_templates():
    offenders = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = _COMMENTS.sub("", template.read_text())
        offenders += [f"{template.name}: {m}" for m in _RULE_OR_PATH.findall(text)]
    assert not offenders
