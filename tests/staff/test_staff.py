from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tests import factories

pytestmark = pytest.mark.django_db


def test_token_then_me(anon_client, physical_therapist):
    response = anon_client.post(
        "/api/v1/auth/token/",
        {"username": "physio1", "password": factories.TEST_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = anon_client.get("/api/v1/me/").json()
    calendar_url = me.pop("calendar_url")  # R32: a therapist's private feed
    assert calendar_url.endswith(".ics")
    assert me == {
        "id": physical_therapist.id,
        "username": "physio1",
        "full_name": "Paul Physio",
        "role": "physical_therapist",
    }


def test_wrong_password_gets_no_token(anon_client, physical_therapist):
    response = anon_client.post(
        "/api/v1/auth/token/", {"username": "physio1", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_staff_list_filters_by_role(api_client_for, manager, massage_therapist, physical_therapist):
    client = api_client_for(manager)
    everyone = client.get("/api/v1/staff/").json()
    assert everyone["count"] == 3
    massage = client.get("/api/v1/staff/?role=massage_therapist").json()["results"]
    assert [s["username"] for s in massage] == ["massage1"]
    assert client.get("/api/v1/staff/?role=wizard").status_code == 400


def test_create_staff_command(capsys):
    call_command("create_staff", "nina", role="massage_therapist", password="a-long-passphrase-1")
    user = get_user_model().objects.get(username="nina")
    assert user.groups.filter(name="massage_therapist").exists()
    assert user.check_password("a-long-passphrase-1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"role": "wizard", "password": "a-long-passphrase-1"}, "Unknown role"),
        ({"role": "clinic_manager", "password": "short"}, "password"),
    ],
)
def test_create_staff_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_staff", "nina", **args)


def test_create_staff_refuses_existing_user(manager):
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "create_staff", "manager1", role="clinic_manager", password="a-long-passphrase-1"
        )
