"""Issue 13: throttles, caches, headers, e-mail and logs under production-like faults."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from tests import factories

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ROOT = Path(__file__).resolve().parents[2]


def settings_in_subprocess(env: dict, code: str) -> list[str]:
    """Settings as a fresh process reads them from this environment."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_rotating_x_forwarded_for_does_not_bypass_the_token_throttle(anon_client):
    rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"].split("/")[0])
    statuses = [
        anon_client.post(
            TOKEN_URL,
            {"username": f"guess{i}", "password": "x" * 12},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        ).status_code
        for i in range(rate + 2)
    ]
    assert statuses[rate:] == [429, 429]


def test_token_expiry_defaults_are_12_hours_idle_and_30_days():
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOKEN_")}
    env["DJANGO_SETTINGS_MODULE"] = "clinic.settings.local"
    code = (
        "import django;django.setup();from django.conf import settings;"
        "print(settings.TOKEN_IDLE_HOURS, settings.TOKEN_MAX_AGE_DAYS)"
    )
    assert [float(x) for x in settings_in_subprocess(env, code)] == [12, 30]


def test_num_proxies_defaults_to_zero():
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
    }
)
def test_token_login_works_with_the_cache_down(anon_client, massage_therapist, caplog):
    started = time.monotonic()
    response = anon_client.post(
        TOKEN_URL,
        {"username": massage_therapist.username, "password": factories.TEST_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    assert time.monotonic() - started < 3
    assert "throttle cache unavailable" in caplog.text


def test_redis_cache_has_short_socket_timeouts():
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/0"}
    env["DJANGO_SETTINGS_MODULE"] = "clinic.settings.local"
    code = (
        "import django;django.setup();from django.conf import settings;"
        "o=settings.CACHES['default']['OPTIONS'];"
        "print(o['socket_connect_timeout'], o['socket_timeout'])"
    )
    out = settings_in_subprocess(env, code)
    assert all(float(x) <= 1 for x in out)


@pytest.mark.parametrize("url", ["/api/v1/patients/{pk}/", "/patients/{pk}/", "/api/v1/sessions/"])
def test_health_data_responses_are_not_stored(api_client_for, client, manager, patient, url):
    client.force_login(manager)
    caller = client if not url.startswith("/api/") else api_client_for(manager)
    response = caller.get(url.format(pk=patient.pk))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_openapi_schema_and_docs_are_staff_only_by_default(anon_client, api_client_for, manager):
    assert anon_client.get("/api/v1/schema/").status_code in (401, 403)
    assert anon_client.get("/api/v1/docs/").status_code in (401, 403)
    assert api_client_for(manager).get("/api/v1/schema/").status_code == 200


@override_settings(API_DOCS_PUBLIC=True)
def test_openapi_schema_public_when_the_setting_says_so(anon_client):
    assert anon_client.get("/api/v1/schema/").status_code == 200


def test_default_email_backend_writes_files_not_the_process_log():
    env = {k: v for k, v in os.environ.items() if k != "EMAIL_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "clinic.settings.local"
    code = (
        "import django;django.setup();from django.conf import settings;"
        "print(settings.EMAIL_BACKEND);print(settings.EMAIL_FILE_PATH)"
    )
    backend, path = settings_in_subprocess(env, code)
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert path.endswith(os.path.join("var", "mail"))


def test_gunicorn_access_log_has_no_query_strings():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    fmt = config["access_log_format"]
    assert "%(U)s" in fmt
    for with_query in ("%(r)s", "%(q)s", "%(f)s"):
        assert with_query not in fmt
    assert "gunicorn.conf.py" in (ROOT / "docker-compose.yml").read_text()
    assert "gunicorn.conf.py" in (ROOT / "Dockerfile").read_text()


# --- API token expiry -----------------------------------------------------------


@override_settings(TOKEN_IDLE_HOURS=12, TOKEN_MAX_AGE_DAYS=30)
def test_token_expires_after_idle_hours_and_a_new_login_issues_a_fresh_one(
    anon_client, api_client_for, massage_therapist
):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    login = {"username": massage_therapist.username, "password": factories.TEST_PASSWORD}
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        key = anon_client.post(TOKEN_URL, login, format="json").json()["token"]
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with time_machine.travel(start + dt.timedelta(hours=11), tick=False):
        assert anon_client.get("/api/v1/me/").status_code == 200  # use keeps it alive
    with time_machine.travel(start + dt.timedelta(hours=22), tick=False):
        assert anon_client.get("/api/v1/me/").status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=34, minutes=1), tick=False):
        assert anon_client.get("/api/v1/me/").status_code == 401  # 12 h idle
        anon_client.credentials()
        fresh = anon_client.post(TOKEN_URL, login, format="json").json()["token"]
    assert fresh != key


@override_settings(TOKEN_IDLE_HOURS=12, TOKEN_MAX_AGE_DAYS=30)
def test_token_expires_after_max_age_even_when_used(anon_client, massage_therapist):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    login = {"username": massage_therapist.username, "password": factories.TEST_PASSWORD}
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        key = anon_client.post(TOKEN_URL, login, format="json").json()["token"]
    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for hours in range(10, 30 * 24, 10):
        with time_machine.travel(start + dt.timedelta(hours=hours), tick=False):
            assert anon_client.get("/api/v1/me/").status_code == 200
    with time_machine.travel(start + dt.timedelta(days=30, minutes=1), tick=False):
        assert anon_client.get("/api/v1/me/").status_code == 401
