"""Authentication: lockout with cool-off, token throttling, passwords, idle timeout,
logout and deactivation ending every way in."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from staff import services
from tests import factories

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LIMIT = settings.AXES_FAILURE_LIMIT


def fail_login_page(client, username: str, times: int = LIMIT):
    for _ in range(times):
        client.post("/login/", {"username": username, "password": "not-the-password"})


def fail_token(api: APIClient, username: str, times: int = LIMIT):
    for _ in range(times):
        api.post(TOKEN_URL, {"username": username, "password": "not-the-password"}, format="json")


def end_cool_off():
    past = timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    AccessAttempt.objects.update(attempt_time=past)


# --- Lockout (django-axes) ------------------------------------------------------


def test_login_page_locks_after_repeated_failures_with_friendly_page(client, massage_therapist):
    # given
    fail_login_page(client, massage_therapist.username)
    # when the right password is tried
    response = client.post(
        "/login/", {"username": massage_therapist.username, "password": factories.TEST_PASSWORD}
    )
    # then it is refused with a page that says what to do
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed logins" in html
    assert "15 minutes" in html
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


def test_login_page_works_again_after_cool_off(client, massage_therapist):
    fail_login_page(client, massage_therapist.username)
    end_cool_off()
    response = client.post(
        "/login/", {"username": massage_therapist.username, "password": factories.TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(massage_therapist.pk)


def test_failures_below_the_limit_do_not_lock(client, massage_therapist):
    fail_login_page(client, massage_therapist.username, times=LIMIT - 1)
    response = client.post(
        "/login/", {"username": massage_therapist.username, "password": factories.TEST_PASSWORD}
    )
    assert response.status_code == 302


def test_lockout_of_one_account_leaves_others_alone(client, massage_therapist, physical_therapist):
    fail_login_page(client, massage_therapist.username)
    response = client.post(
        "/login/", {"username": physical_therapist.username, "password": factories.TEST_PASSWORD}
    )
    assert response.status_code == 302


def test_token_endpoint_locks_after_repeated_failures(anon_client, massage_therapist):
    fail_token(anon_client, massage_therapist.username)
    response = anon_client.post(
        TOKEN_URL,
        {"username": massage_therapist.username, "password": factories.TEST_PASSWORD},
        format="json",
    )
    assert response.status_code == 429
    assert "Too many failed logins" in response.json()["detail"]
    assert response["Retry-After"] == "900"
    assert not Token.objects.filter(user=massage_therapist).exists()


def test_token_endpoint_lockout_also_locks_the_login_page(anon_client, client, massage_therapist):
    fail_token(anon_client, massage_therapist.username)
    response = client.post(
        "/login/", {"username": massage_therapist.username, "password": factories.TEST_PASSWORD}
    )
    assert response.status_code == 429


def test_token_endpoint_works_again_after_cool_off(anon_client, massage_therapist):
    fail_token(anon_client, massage_therapist.username)
    end_cool_off()
    response = anon_client.post(
        TOKEN_URL,
        {"username": massage_therapist.username, "password": factories.TEST_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=massage_therapist).key


def test_successful_token_login_resets_failures_and_is_audited(anon_client, massage_therapist):
    fail_token(anon_client, massage_therapist.username, times=LIMIT - 1)
    ok = {"username": massage_therapist.username, "password": factories.TEST_PASSWORD}
    assert anon_client.post(TOKEN_URL, ok, format="json").status_code == 200
    # the count starts again: LIMIT - 1 more failures still do not lock
    fail_token(anon_client, massage_therapist.username, times=LIMIT - 1)
    assert anon_client.post(TOKEN_URL, ok, format="json").status_code == 200
    logins = AuditEvent.objects.filter(action=AuditAction.LOGIN, user=massage_therapist)
    assert logins.count() == 2
    assert {e.route for e in logins} == {"api:token"}


def test_token_endpoint_is_throttled_per_client(anon_client):
    # different usernames, so the lockout is not what stops them
    rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"].split("/")[0])
    statuses = [
        anon_client.post(
            TOKEN_URL, {"username": f"guess{i}", "password": "x" * 12}, format="json"
        ).status_code
        for i in range(rate + 1)
    ]
    assert statuses[:rate] == [400] * rate
    assert statuses[rate] == 429


def test_token_endpoint_bad_input_is_400_naming_fields(anon_client):
    response = anon_client.post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


# --- Passwords -------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["short-pass1", "123456789012345", "password12345", "mia.massey.clinic"],
)
def test_weak_passwords_are_refused(password):
    user = factories.UserFactory.build(username="mia.massey", first_name="Mia", last_name="Massey")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_twelve_character_password_is_accepted():
    validate_password("tulip-kayak-9")


def test_staff_create_refuses_an_eleven_character_password(db):
    with pytest.raises(ValidationError) as exc:
        services.staff_create(username="newbie", role="massage_therapist", password="tulip-kaya9")
    assert "password" in exc.value.message_dict


# --- Session idle timeout and logout ---------------------------------------------


def test_session_idle_timeout_is_thirty_minutes_and_refreshed_by_activity(
    client, massage_therapist
):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(massage_therapist)
    session = Session.objects.get(session_key=client.session.session_key)
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() + dt.timedelta(minutes=2)
    )
    # when the user does something
    assert client.get("/patients/").status_code == 200
    # then the 30-minute window starts again
    session.refresh_from_db()
    remaining = session.expire_date - timezone.now()
    assert dt.timedelta(minutes=29) < remaining <= dt.timedelta(minutes=30)


def test_idle_session_is_logged_out(client, massage_therapist):
    client.force_login(massage_therapist)
    key = client.session.session_key
    # 30 minutes without a request
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/patients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_logout_ends_the_session_and_revokes_the_token(client, api_client_for, massage_therapist):
    api = api_client_for(massage_therapist)
    client.force_login(massage_therapist)
    key = client.session.session_key
    # when
    response = client.post("/logout/")
    # then
    assert response.status_code == 302
    assert not Session.objects.filter(pk=key).exists()
    assert client.get("/patients/").status_code == 302
    assert api.get("/api/v1/me/").status_code == 401


def test_logout_needs_post(client, massage_therapist):
    client.force_login(massage_therapist)
    assert client.get("/logout/").status_code == 405
    assert client.get("/patients/").status_code == 200


def test_api_logout_revokes_the_token(api_client_for, massage_therapist):
    api = api_client_for(massage_therapist)
    assert api.get("/api/v1/me/").status_code == 200
    assert api.post("/api/v1/auth/logout/").status_code == 204
    assert not Token.objects.filter(user=massage_therapist).exists()
    assert api.get("/api/v1/me/").status_code == 401


def test_api_logout_needs_authentication(anon_client):
    assert anon_client.post("/api/v1/auth/logout/").status_code == 401


# --- Deactivation ----------------------------------------------------------------


def test_manager_deactivates_staff_and_every_way_in_closes(
    client, api_client_for, manager, massage_therapist
):
    # given the therapist is logged in on a browser and holds a token
    therapist_api = api_client_for(massage_therapist)
    client.force_login(massage_therapist)
    # when
    response = api_client_for(manager).post(f"/api/v1/staff/{massage_therapist.pk}/deactivate/")
    # then
    assert response.status_code == 200
    assert response.json()["id"] == massage_therapist.pk
    massage_therapist.refresh_from_db()
    assert not massage_therapist.is_active
    assert not Token.objects.filter(user=massage_therapist).exists()
    assert therapist_api.get("/api/v1/me/").status_code == 401
    assert client.get("/patients/").status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.STAFF_DEACTIVATED)
    assert (event.user, event.object_id) == (manager, massage_therapist.pk)


def test_deactivated_staff_cannot_log_in_or_get_a_token(client, anon_client, massage_therapist):
    massage_therapist.is_active = False
    massage_therapist.save()
    credentials = {"username": massage_therapist.username, "password": factories.TEST_PASSWORD}
    response = client.post("/login/", credentials)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert anon_client.post(TOKEN_URL, credentials, format="json").status_code == 400


def test_inactive_staff_token_is_refused_even_if_not_revoked(api_client_for, massage_therapist):
    api = api_client_for(massage_therapist)
    massage_therapist.is_active = False
    massage_therapist.save()  # e.g. unticked in the admin
    assert api.get("/api/v1/patients/").status_code == 401


def test_only_managers_deactivate_staff(api_client_for, physical_therapist, massage_therapist):
    response = api_client_for(physical_therapist).post(
        f"/api/v1/staff/{massage_therapist.pk}/deactivate/"
    )
    assert response.status_code == 403
    massage_therapist.refresh_from_db()
    assert massage_therapist.is_active


def test_manager_cannot_deactivate_themselves(api_client_for, manager):
    response = api_client_for(manager).post(f"/api/v1/staff/{manager.pk}/deactivate/")
    assert response.status_code == 400
    assert "user" in response.json()
    manager.refresh_from_db()
    assert manager.is_active


def test_deactivating_unknown_staff_is_404(api_client_for, manager):
    assert api_client_for(manager).post("/api/v1/staff/999999/deactivate/").status_code == 404
