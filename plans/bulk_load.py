"""Loading millions of generated rows fast: COPY on PostgreSQL, batched inserts on SQLite.

Rows arrive as tuples in a fixed column order, already holding what the column stores
(ints, ISO date strings, decimal strings, booleans, None). Nothing that migrations own is
dropped or disabled: indexes, constraints and foreign keys stay in force while loading,
so every row is checked by the database as it goes in.

- PostgreSQL: psycopg 3's `cursor.copy()` on Django's connection, one transaction per
  table, in COPY statements of `COPY_CHUNK` rows. Foreign keys (deferrable, initially
  deferred in Django's schema) are switched to IMMEDIATE inside each table's transaction,
  so PostgreSQL checks them at the end of each chunk instead of queueing one pending
  check per row until commit; the default is restored afterwards.
- SQLite: `executemany` INSERTs of `SQLITE_BATCH` rows, in one transaction per table
  (the data for tests and small local runs).

Ids are given explicitly (children refer to their parents by id without a round trip),
starting above both the largest id and the sequence, and the sequences are brought
forward afterwards, so later rows entered through the site never collide with them.
"""

import time
from collections.abc import Iterable

from django.core.management.color import no_style
from django.db import connection, models, transaction

from govtracker import cache as page_cache

COPY_CHUNK = 250_000
SQLITE_BATCH = 5_000
PROGRESS_STEP = 10_000


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def next_id(model: type[models.Model]) -> int:
    """The first id free for explicit use: above every row and above the sequence, so
    ids that rows once had (and history may still name) are never reused."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {table}")
        highest = cursor.fetchone()[0] or 0
        if is_postgresql():
            cursor.execute(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, 'id'))",
                [model._meta.db_table],
            )
            highest = max(highest, cursor.fetchone()[0] or 0)
        else:
            cursor.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = %s", [model._meta.db_table]
            )
            row = cursor.fetchone()
            highest = max(highest, row[0] if row else 0)
    return highest + 1


class Loader:
    """Writes row streams into tables and keeps count of what it wrote."""

    def __init__(self, *, progress: bool = True):
        self.progress = progress
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def load(
        self,
        model: type[models.Model],
        columns: tuple[str, ...],
        rows: Iterable[tuple],
        *,
        total: int | None = None,
        label: str | None = None,
    ) -> int:
        label = label or model._meta.db_table
        started = time.monotonic()
        bar = self._bar(label, total)
        with transaction.atomic():
            if is_postgresql():
                written = self._copy(model, columns, rows, bar)
            else:
                written = self._insert(model, columns, rows, bar)
        if bar is not None:
            bar.close()
        self.counts[label] = self.counts.get(label, 0) + written
        self.seconds[label] = self.seconds.get(label, 0.0) + time.monotonic() - started
        return written

    def _bar(self, label: str, total: int | None):
        if not self.progress:
            return None
        from tqdm import tqdm

        return tqdm(total=total, desc=label, unit=" rows", unit_scale=True, mininterval=1.0)

    def _copy(self, model, columns, rows, bar) -> int:
        table = connection.ops.quote_name(model._meta.db_table)
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        written = 0
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            iterator = iter(rows)
            exhausted = False
            while not exhausted:
                exhausted = True
                # cursor.cursor is psycopg's own cursor under Django's wrapper.
                with cursor.cursor.copy(sql) as copy:
                    for row in iterator:
                        copy.write_row(row)
                        written += 1
                        if written % PROGRESS_STEP == 0 and bar is not None:
                            bar.update(PROGRESS_STEP)
                        if written % COPY_CHUNK == 0:
                            exhausted = False
                            break
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # COPY goes around Django's cursor, where the page cache sees writes.
        page_cache.data_changed()
        if bar is not None:
            bar.update(written % PROGRESS_STEP)
        return written

    def _insert(self, model, columns, rows, bar) -> int:
        table = connection.ops.quote_name(model._meta.db_table)
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        written = 0
        batch: list[tuple] = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append(row)
                if len(batch) == SQLITE_BATCH:
                    cursor.executemany(sql, batch)
                    written += len(batch)
                    if bar is not None:
                        bar.update(len(batch))
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                written += len(batch)
                if bar is not None:
                    bar.update(len(batch))
        return written


def reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    """Bring each table's id sequence past its largest id (PostgreSQL; SQLite's
    AUTOINCREMENT counter follows explicit ids by itself)."""
    if not is_postgresql():
        return
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def refresh_statistics(models_: Iterable[type[models.Model]]) -> None:
    """PostgreSQL: VACUUM ANALYZE the loaded tables, so the planner knows their size and
    the visibility map lets index-only scans skip the heap, as on a database that
    autovacuum has visited. Inside a transaction (tests) VACUUM is not allowed: ANALYZE
    alone then."""
    if not is_postgresql():
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
