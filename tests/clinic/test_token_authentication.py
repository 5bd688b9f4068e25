"""API token authentication reads the caller's role in the same query as the token."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from clinic.roles import Role, role_of
from tests import factories

pytestmark = pytest.mark.django_db


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.mark.parametrize(
    "factory, role",
    [
        (factories.ManagerFactory, Role.CLINIC_MANAGER),
        (factories.MassageTherapistFactory, Role.MASSAGE_THERAPIST),
        (factories.PhysicalTherapistFactory, Role.PHYSICAL_THERAPIST),
    ],
)
def test_one_query_authenticates_and_gives_the_role(factory, role):
    user = factory()
    token = Token.objects.create(user=user)
    # The first use records the token's last use (idle expiry); later uses
    # within TOKEN_TOUCH_SECONDS write nothing.
    assert _client(token.key).get("/api/v1/me/").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = _client(token.key).get("/api/v1/me/")
    assert response.status_code == 200, response.content
    assert response.json()["role"] == role
    # The token, its user and the role group: one statement, no groups query after it.
    # (A therapist's /me/ also reads their calendar feed, R32: not authentication.)
    auth = [
        q["sql"]
        for q in ctx.captured_queries
        if "interop_calendarfeed" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]
    assert len(auth) == 1, auth
    assert "auth_group" in auth[0]


def test_unknown_token_is_401(db):
    response = _client("0" * 40).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."


def test_inactive_user_token_is_401(massage_therapist):
    token = Token.objects.create(user=massage_therapist)
    massage_therapist.is_active = False
    massage_therapist.save()
    response = _client(token.key).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["detail"] == "User inactive or deleted."


def test_user_without_a_role_is_403(db):
    user = factories.UserFactory()
    token = Token.objects.create(user=user)
    assert _client(token.key).get("/api/v1/patients/").status_code == 403


def test_user_with_two_role_groups_gets_the_same_role_both_ways(massage_therapist):
    """Not a supported setup (create_staff gives one role), but both reads agree on it."""
    massage_therapist.groups.add(Group.objects.get(name=Role.PHYSICAL_THERAPIST))
    token = Token.objects.create(user=massage_therapist)
    via_token = _client(token.key).get("/api/v1/me/").json()["role"]
    fresh = type(massage_therapist).objects.get(pk=massage_therapist.pk)
    assert via_token == role_of(fresh) == Role.MASSAGE_THERAPIST


def test_a_role_change_applies_to_the_next_request(massage_therapist):
    token = Token.objects.create(user=massage_therapist)
    client = _client(token.key)
    assert client.get("/api/v1/me/").json()["role"] == Role.MASSAGE_THERAPIST
    massage_therapist.groups.clear()
    assert client.get("/api/v1/patients/").status_code == 403
