"""On PostgreSQL with psycopg's C extension, timestamps are parsed in C and come out as
Django's own loader gives them (govtracker/pg_loaders.py)."""

import datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader

from govtracker import pg_loaders
from tests.factories import make_source

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's loaders"),
]

needs_c = pytest.mark.skipif(
    connection.vendor != "postgresql" or pg_loaders._optimised_timestamptz_loader() is None,
    reason="psycopg without its C extension",
)

# Whole seconds, microseconds of every length, both ends of the range Django stores,
# and literals with offsets the connection (UTC) turns into UTC.
LITERALS = [
    "2026-06-29 12:00:00+08",
    "2026-06-29 04:00:00.5+00",
    "2026-06-29 04:00:00.000001+00",
    "2026-06-29 04:00:00.123456+00",
    "2020-11-30 23:59:59.99999-05:30",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
]


def read_back(literal: str):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz", [literal])
        return cursor.fetchone()[0]


@needs_c
def test_the_connection_parses_timestamps_with_the_c_loader():
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(1184, 0)  # timestamptz, text
    assert issubclass(loader, BaseTzLoader)  # what Django checks before each cursor
    assert loader.__name__ == "FastTzLoader"
    assert loader.timezone == connection.timezone


@needs_c
@pytest.mark.parametrize("literal", LITERALS)
def test_each_value_is_what_djangos_loader_gives(literal):
    fast = read_back(literal)
    with connection.cursor() as cursor:
        # Django's own loader for the same connection, put back on one cursor.
        from django.db.backends.postgresql.psycopg_any import register_tzloader

        register_tzloader(connection.timezone, cursor.cursor)
        cursor.execute("SELECT %s::timestamptz", [literal])
        django_value = cursor.fetchone()[0]
    assert fast == django_value
    assert fast.tzinfo == django_value.tzinfo == datetime.UTC


def test_a_models_timestamps_round_trip():
    source = make_source()
    source.refresh_from_db()
    created = source.created
    assert created.tzinfo is not None
    assert type(source).objects.get(pk=source.pk).created == created
