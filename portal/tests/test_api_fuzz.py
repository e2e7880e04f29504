"""Schemathesis against the live schema, in-process over WSGI, with a real ROM token.

Every operation gets generated requests (valid and invalid); the API must never answer 5xx and
every response must match the schema (status code, content type, headers, body).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from initiatives.tests.factories import InitiativeFactory
from portal.tests import api_support
from portal.tests.api_support import World

world = api_support.world
application = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
# Per operation; raise it locally with FUZZ_MAX_EXAMPLES=500 for a deeper run.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "60"))
# FUZZ_REPORT=<file> appends "<operation> <status>" per request, to see what the run exercised.
REPORT = os.environ.get("FUZZ_REPORT")


@pytest.fixture
def _keep_test_connection() -> Iterator[None]:
    """The WSGI handler closes "old" connections after each request, which would close the
    test's transaction; Django's own test client disconnects the same signal handlers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_token(world: World, settings: object, _keep_test_connection: None) -> str:
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000  # type: ignore[attr-defined]
    # Objects the generated ids may hit: one the ROM may write, one it may only read.
    InitiativeFactory(ecosystem=world.ecosystem, owner_organisation=world.rom_org, id=1)
    InitiativeFactory(ecosystem=world.other_ecosystem, id=2)
    return world.tokens["rom"]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_never_errors_and_matches_its_schema(case: schemathesis.Case, fuzz_token: str) -> None:
    response = case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_token}"}, checks=CHECKS)
    if REPORT:
        with open(REPORT, "a") as report:
            report.write(f"{case.operation.label} {response.status_code}\n")
