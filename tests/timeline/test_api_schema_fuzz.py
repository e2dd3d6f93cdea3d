"""Schemathesis against /api/schema/: generated requests find no 500 and no off-schema response.

Runs in-process on the WSGI app with a bounded number of examples per operation, once
anonymously (writes must be refused as documented) and once with an editor's token (writes are
attempted with generated data).
"""

import io

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
EXAMPLES = 12


@pytest.fixture
def api_schema(db, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "100000/hour"})
    call_command("load_seed", stdout=io.StringIO())
    # As Django's own test client does: a request must not close the connection that holds the
    # test's transaction (PostgreSQL would lose it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def fuzz(api_schema, headers: dict) -> list[str]:
    """Run every operation with generated data; return what failed, by operation."""
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as error:  # collect every operation's failure, then report
            failures.append(f"{operation.label}: {type(error).__name__}: {str(error)[:1500]}")
    return failures


def test_anonymous_requests_conform_to_the_schema(api_schema):
    # Identity: schemathesis's in-process WSGI transport does not undo gzip as an HTTP client does.
    assert fuzz(api_schema, {"Host": "testserver", "Accept-Encoding": "identity"}) == []


def test_editor_requests_conform_to_the_schema(api_schema, editor):
    token, _created = Token.objects.get_or_create(user=editor)
    assert fuzz(api_schema, {"Host": "testserver", "Authorization": f"Token {token.key}"}) == []
