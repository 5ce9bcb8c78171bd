"""schemathesis against /api/schema/: every operation gets generated requests (valid and not),
sent as a customer and as a provider with their JWT access tokens, in the matrix's world (a
booking, a job with a quote, a conversation, a notification, a draft service, a review). No
answer may be a server error, and every documented answer must match the schema.

Marked `system`: it runs in `make test`'s system step. MAX_EXAMPLES bounds the run (about a
minute on the two-core CI machine); SCHEMATHESIS_EXAMPLES overrides it for a deeper run.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.config import SchemathesisConfig

from marketplace.wsgi import application

from .test_api_matrix import world  # noqa: F401 (the shared fixture)

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "10"))
# schemathesis' coverage phase sends every boundary value the schema allows (dozens of
# requests an operation whatever MAX_EXAMPLES says): SCHEMATHESIS_COVERAGE=1 turns it on.
COVERAGE = os.environ.get("SCHEMATHESIS_COVERAGE", "0") == "1"
CHECKS = [not_a_server_error, response_schema_conformance]

# Operations whose answers this run found not to match their schema, reported to their
# owners: only server errors are checked for them until the schema (or the answer) is fixed.
# Remove a line once it is; the run then checks the answers again.
SCHEMA_MISMATCHES: dict[str, str] = {}

pytestmark = pytest.mark.system

_tally = {"operations": set(), "examples": 0}


# Loaded as the module is collected (the schema needs no database). Not through
# schemathesis.pytest.from_fixture: its lazy schema sets Node._nodeid, which pytest 9 removed.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json",
    application,
    config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": COVERAGE}}}),
)


@pytest.fixture
def _connection_kept_open():
    """The WSGI application closes the database connection after each request, as a server
    should; in a test that would end the test's transaction. Django's test client keeps it
    open the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def bearers(world, _connection_kept_open):  # noqa: F811
    return {
        role: {"Authorization": f"Bearer {AccessToken.for_user(getattr(world, role))}"}
        for role in ("customer", "provider")
    }


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_error_and_every_answer_matches_the_schema(case, bearers):
    checks = [not_a_server_error] if case.operation.label in SCHEMA_MISMATCHES else CHECKS
    for headers in bearers.values():
        case.call_and_validate(headers=headers, checks=checks)
        _tally["examples"] += 1
    _tally["operations"].add(case.operation.label)


def test_report_the_run():
    """Runs last in this module: how much the run covered (shown with -s or -rA)."""
    print(
        f"\nschemathesis: {len(_tally['operations'])} operations, "
        f"{_tally['examples']} requests ({MAX_EXAMPLES} examples per operation, two callers)"
    )
