"""The API fuzzed from its own OpenAPI schema with schemathesis, every check on: no 500,
responses that match the schema, bad input refused with a 4xx.

Skipped until the API (/api/v1/schema/, drf-spectacular) is on the branch: the moment it
resolves, this runs against every operation it documents. (The schema is loaded when the
module is collected: schemathesis' lazy `from_fixture` loader does not work with pytest 9.)
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, settings

SCHEMA_PATH = "/api/v1/schema/"

try:
    resolve(SCHEMA_PATH)
except Resolver404:
    pytest.skip(
        f"the API schema ({SCHEMA_PATH}) is not served on this branch yet",
        allow_module_level=True,
    )

from govtracker.wsgi import application  # noqa: E402

schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, application)


def all_checks():
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    return CHECKS.get_all()


@pytest.fixture
def keep_test_connection():
    """Calls go straight into the WSGI application, whose request signals close "old"
    connections, and the test's connection (inside the test's transaction, autocommit
    off) looks old: on PostgreSQL it would be closed under the test. Django's own test
    client disconnects the same receivers for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_operations_under_fuzzing(case, source_data, keep_test_connection):
    case.call_and_validate(checks=all_checks())
