"""The OpenAPI schema: valid, warning-free, describing errors; and the API keeps every
promise it makes, checked by schemathesis with all its checks, as a visitor and as an
editor writing with a token."""

import io

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import make_editor, make_milestone, make_source, make_update

pytestmark = pytest.mark.django_db


def test_schema_validates_without_a_single_warning():
    out = io.StringIO()
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out
    )
    assert '"openapi": "3.0.3"' in out.getvalue()


def test_schema_describes_every_resource_and_its_errors():
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for resource in (
        "jurisdictions",
        "plans",
        "milestones",
        "updates",
        "sources",
        "indicators",
        "observations",
    ):
        assert f"/api/v1/{resource}/" in paths
    plans = paths["/api/v1/plans/"]
    listed = plans["get"]["responses"]
    assert {"200", "400", "401", "404", "429"} <= set(listed)
    assert "Retry-After" in listed["429"]["headers"]
    assert {"201", "400", "401", "403"} <= set(plans["post"]["responses"])
    parameters = {p["name"] for p in plans["get"]["parameters"]}
    assert {
        "as_of",
        "jurisdiction",
        "level",
        "kind",
        "status",
        "deadline_year",
        "issued_after",
        "issued_before",
        "q",
        "ordering",
        "page",
        "page_size",
        "format",
    } <= parameters
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


# --- schemathesis ------------------------------------------------------------------------


# Loaded through the WSGI application when the tests are collected: the schema view reads
# no database, and the schema tested is exactly the one clients download.
#
# Every check runs, with its defaults, but one allowance: a write that matches the schema
# may still be refused with 400, because what makes a write valid cannot all be said in
# JSON Schema: the plan or source it names must exist, a deadline must follow its start
# date, a quantitative milestone needs a target different from its baseline.
WRITES_MAY_BREAK_RULES = {
    "operations": [
        {
            "include-method": ["POST", "PUT", "PATCH"],
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]
                }
            },
        }
    ]
}
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/schema/?format=json",
    get_wsgi_application(),
    config=schemathesis.Config.from_dict(WRITES_MAY_BREAK_RULES),
)


@pytest.fixture(autouse=True)
def api_data(request, settings):
    if "case" not in request.fixturenames:
        return
    request.getfixturevalue("source_data")
    # Throttling would answer 429 to a fuzzer, which is correct but tests nothing.
    settings.API_ANON_RATE = ""
    milestone = make_milestone()
    make_update(milestone=milestone, sources=[make_source()])
    make_update(milestone=milestone, published_on=None)


FUZZ = settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ
def test_api_keeps_its_schema_for_visitors(case):
    case.call_and_validate()


@pytest.fixture
def editor_token(db):
    return Token.objects.create(user=make_editor(superuser=True)).key


@schema.parametrize()
@FUZZ
def test_api_keeps_its_schema_for_editors(case, editor_token):
    case.call_and_validate(headers={"Authorization": f"Token {editor_token}"})
