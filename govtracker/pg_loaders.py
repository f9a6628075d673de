"""PostgreSQL timestamps read by psycopg's C loader, as Django reads them.

Django's psycopg backend registers its own loader for `timestamptz` (it puts the
connection's time zone on each value) as a subclass of psycopg's pure-Python loader, so
with psycopg-binary installed every timestamp is still parsed by a regular expression in
Python: 4.4 µs a value against 0.26 µs in C, about 170 values (0.75 ms) on a plan's
page. The C class cannot be subclassed (it is final), so `FastTzLoader` keeps Django's
class, whose `timezone` Django checks before each cursor, and parses with a C loader it
holds. Django ticket #36960 and psycopg issue #1273 describe the problem; this is the
workaround proposed there, with the same result value for value
(tests/test_pg_loaders.py).

`AdaptersMap._get_optimised` is psycopg's own (private) way of finding the C class of a
loader; if it is missing or finds none (pure-Python psycopg), nothing is changed.
"""

import logging

logger = logging.getLogger(__name__)


def _optimised_timestamptz_loader():
    try:
        from psycopg import adapters
        from psycopg.types.datetime import TimestamptzLoader

        optimised = adapters._get_optimised(TimestamptzLoader)
    except Exception:  # another psycopg, or none
        return None
    return None if optimised is TimestamptzLoader else optimised


def use_c_timestamp_loader(connection, **kwargs) -> None:
    """connection_created receiver: the connection's timestamptz loader parses in C."""
    if connection.vendor != "postgresql":
        return
    optimised = _optimised_timestamptz_loader()
    if optimised is None:
        return
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader

    class FastTzLoader(BaseTzLoader):
        timezone = connection.timezone

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._parse = optimised(oid, context).load

        def load(self, data):
            return self._parse(data).replace(tzinfo=self.timezone)

    connection.connection.adapters.register_loader("timestamptz", FastTzLoader)


def install() -> None:
    from django.db import connections
    from django.db.backends.signals import connection_created

    connection_created.connect(use_c_timestamp_loader, dispatch_uid="govtracker.pg_loaders")
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            use_c_timestamp_loader(connection)
