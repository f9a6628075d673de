"""On PostgreSQL, a query the app repeats is planned once per connection (settings.py,
DB_PREPARED_STATEMENTS): psycopg prepares it once it has run five times."""

import pytest
from django.db import connection

from plans.models import Plan

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's prepared statements"
    ),
]


def prepared_plan_queries() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "plans_plan"%'],
        )
        return cursor.fetchone()[0]


def test_a_repeated_query_is_prepared_once_with_its_parameters_apart():
    before = prepared_plan_queries()
    slugs = [f"fictional-{n}" for n in range(6)]
    for slug in slugs[:5]:
        list(Plan.objects.filter(slug=slug))
    assert prepared_plan_queries() == before
    # The sixth execution, with another slug, runs the statement prepared for all six.
    list(Plan.objects.filter(slug=slugs[5]))
    assert prepared_plan_queries() == before + 1
