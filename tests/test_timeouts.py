"""A statement cut off by PostgreSQL's statement_timeout (DB_STATEMENT_TIMEOUT, set for the
web server) is answered with a 503 that says to narrow the question, in the visitor's
language: a page, or JSON under /api/ (govtracker/timeouts.py)."""

from unittest import mock

import psycopg
import pytest
from django.db import OperationalError, connection

from tests.factories import make_tracked_plan

pytestmark = pytest.mark.django_db


def cancelled(*args, **kwargs):
    """What Django raises when PostgreSQL cancels a statement: psycopg's QueryCanceled
    wrapped in django.db.OperationalError."""
    try:
        raise psycopg.errors.QueryCanceled("canceling statement due to statement timeout")
    except psycopg.errors.QueryCanceled as error:
        raise OperationalError(*error.args) from error


def test_a_page_whose_statement_was_cancelled_says_to_narrow_the_question(client):
    make_tracked_plan()
    with mock.patch("plans.views.PlanListView.get_context_data", side_effect=cancelled):
        response = client.get("/zh-hant/plans/?status=missed&as_of=2024-01-01")
    assert response.status_code == 503
    text = response.content.decode()
    assert "錯誤 503" in text or "503" in text
    assert "縮小" in text  # "narrow": the message is in the page's language
    with mock.patch("plans.views.PlanListView.get_context_data", side_effect=cancelled):
        english = client.get("/en/plans/?status=missed&as_of=2024-01-01")
    assert english.status_code == 503
    assert "Narrow the question" in english.content.decode()


def test_the_api_answers_json(client):
    make_tracked_plan()
    with mock.patch("plans.viewsets.PlanViewSet.list", side_effect=cancelled):
        response = client.get("/api/v1/plans/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "Narrow the question" in response.json()["detail"]


def test_other_database_errors_are_not_taken_for_a_timeout(client):
    def broken(*args, **kwargs):
        raise OperationalError("the server closed the connection")

    client.raise_request_exception = False
    with mock.patch("plans.views.PlanListView.get_context_data", side_effect=broken):
        response = client.get("/en/plans/")
    assert response.status_code == 500


@pytest.mark.django_db(transaction=True)
def test_postgresql_cancels_a_statement_past_the_limit_and_the_page_says_so(client):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's statement_timeout")

    def slow(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")

    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '200ms'")
    try:
        with mock.patch("plans.views.PlanListView.get_context_data", side_effect=slow):
            response = client.get("/en/plans/")
        assert response.status_code == 503
        assert "Narrow the question" in response.content.decode()
        # The connection is usable afterwards.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")
