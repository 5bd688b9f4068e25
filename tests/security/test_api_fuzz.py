"""Schemathesis against the served OpenAPI schema, with a token per role.

For every operation and role: no 5xx, responses (and their content types)
conform to the schema, and the same request without a token is refused (401).
Bounded for CI: FUZZ_EXAMPLES examples per operation (default 10), no deadline.
Marked `fuzz`: not part of `make test`; `make fuzz` (and its own CI step) runs it.
"""

from __future__ import annotations

import os
from urllib.parse import unquote

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.security.routes import build_world

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
ROLES = ("manager", "massage_therapist", "physical_therapist")
PUBLIC_PATHS = {"/api/v1/auth/token/"}

pytestmark = pytest.mark.fuzz


# Loaded at collection: generating the schema needs no database (and, made
# public for this one anonymous read, no login: staff only by default).
with override_settings(API_DOCS_PUBLIC=True):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@pytest.fixture
def world(db):
    cache.clear()  # token throttle
    return build_world()


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Schemathesis calls the WSGI app directly, not through Django's test client,
    so request_started/finished would run close_old_connections and close the
    PostgreSQL connection holding the test's transaction. The test client
    disconnects it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_and_never_fails(case, world):
    tokens = {role: Token.objects.get_or_create(user=world.user(role))[0] for role in ROLES}
    for role in ROLES:
        # Token logins with generated names must not trip the throttle.
        cache.clear()
        token = tokens[role]
        if not Token.objects.filter(pk=token.pk).exists():  # an example logged out
            token = tokens[role] = Token.objects.create(user=world.user(role))
        response = case.call(headers={"Authorization": f"Token {token.key}"})
        case.validate_response(
            response,
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )
    if case.path in PUBLIC_PATHS or not _resolves(case.formatted_path):
        return  # the token endpoint is public; an unroutable URL is 404 for everybody
    anonymous = case.call(headers={"Authorization": ""})
    assert anonymous.status_code == 401, (case.method, case.formatted_path)


def _resolves(path: str) -> bool:
    try:
        resolve(unquote(path))
    except Resolver404:
        return False
    return True
