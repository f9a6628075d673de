"""The SQL twin's building blocks: a milestone's own figures from its own updates, each a
correlated subquery on the (milestone, as_of, id) index of progress updates.

They are written as SQL rather than as nested Django querysets because the ORM copies and
re-resolves every nested queryset each time an expression refers to it: the status of a
milestone refers to its progress four times, a plan's counts refer to the status eight
times, and building such a query took seconds. These expressions cost nothing to build,
and their SQL is the same on SQLite and PostgreSQL but for the clamp and the date cast.

The arithmetic mirrors `plans.progress.report_progress` operation by operation, in double
precision, so that both give the same bits.
"""

import datetime

from django.apps import apps
from django.db.models import DateField, FloatField, Func

_D = "CAST({} AS double precision)"


def _clamp(connection, sql: str) -> str:
    # GREATEST/LEAST and SQLite's MAX/MIN differ only for NULL, which `sql` never is.
    if connection.vendor == "sqlite":
        return f"MAX({_D.format(0)}, MIN({_D.format(1)}, {sql}))"
    return f"GREATEST({_D.format(0)}, LEAST({_D.format(1)}, {sql}))"


class OwnUpdateTerm(Func):
    """One figure of a milestone from its own counted updates (dated on or before
    `as_of`, and published by `published_by` unless that is None):

    - "progress": the latest update's progress (latest: greatest as_of, then greatest
      id), NULL when nothing is counted;
    - "latest": that update's as_of;
    - "achieved": the as_of of the first update of the final unbroken run of complete
      (progress 1) updates, NULL unless the latest update is complete.

    Arguments are the milestone's pk, kind, baseline and target, as expressions on the
    outer row (F("pk"), F("kind"), ...).
    """

    def __init__(
        self,
        term: str,
        as_of: datetime.date,
        published_by: datetime.date | None,
        *expressions,
        **extra,
    ):
        if term not in ("progress", "latest", "achieved"):
            raise ValueError(f"unknown term {term!r}")
        self.term = term
        self.as_of = as_of
        self.published_by = published_by
        output_field = FloatField() if term == "progress" else DateField()
        super().__init__(*expressions, output_field=output_field, **extra)

    def _date(self, connection, value: datetime.date) -> tuple[str, list]:
        if connection.vendor == "sqlite":
            return "%s", [value.isoformat()]
        return "CAST(%s AS date)", [value]

    def _counted(self, connection, alias: str, milestone: str) -> tuple[str, list]:
        as_of_sql, params = self._date(connection, self.as_of)
        sql = f"{alias}.milestone_id = {milestone} AND {alias}.as_of <= {as_of_sql}"
        if self.published_by is not None:
            published_sql, published_params = self._date(connection, self.published_by)
            sql += (
                f" AND {alias}.published_on IS NOT NULL AND {alias}.published_on <= {published_sql}"
            )
            params = params + published_params
        return sql, params

    def _progress(self, connection, alias: str, kind: str, baseline: str, target: str) -> str:
        value = _D.format(f"{alias}.value")
        base = _D.format(baseline)
        ratio = f"(({value} - {base}) / ({_D.format(target)} - {base}))"
        percent = f"({_D.format(f'{alias}.percent_complete')} / {_D.format(100)})"
        return (
            f"CASE WHEN {alias}.delivered THEN {_D.format(1)}"
            f" WHEN {kind} = 'quantitative' AND {alias}.value IS NOT NULL"
            f" THEN {_clamp(connection, ratio)}"
            f" WHEN {alias}.percent_complete IS NOT NULL THEN {_clamp(connection, percent)}"
            f" ELSE {_D.format(0)} END"
        )

    def as_sql(self, compiler, connection, **extra_context):
        compiled = [compiler.compile(e) for e in self.get_source_expressions()]
        (pk, kind, baseline, target) = (sql for sql, _params in compiled)
        outer_params = [p for _sql, params in compiled for p in params]
        if outer_params:
            # The arguments are plain columns; parameters would have to be repeated.
            raise ValueError("OwnUpdateTerm takes column references only")
        table = connection.ops.quote_name(apps.get_model("plans", "ProgressUpdate")._meta.db_table)
        u, v = "gt_u", "gt_v"
        where_u, params_u = self._counted(connection, u, pk)
        if self.term in ("progress", "latest"):
            column = (
                self._progress(connection, u, kind, baseline, target)
                if self.term == "progress"
                else f"{u}.as_of"
            )
            sql = (
                f"(SELECT {column} FROM {table} {u} WHERE {where_u}"
                f" ORDER BY {u}.as_of DESC, {u}.id DESC LIMIT 1)"
            )
            return sql, params_u
        where_v, params_v = self._counted(connection, v, pk)
        sql = (
            f"(SELECT MIN({u}.as_of) FROM {table} {u} WHERE {where_u}"
            f" AND {self._progress(connection, u, kind, baseline, target)} >= {_D.format(1)}"
            f" AND NOT EXISTS (SELECT 1 FROM {table} {v} WHERE {where_v}"
            f" AND ({v}.as_of > {u}.as_of OR ({v}.as_of = {u}.as_of AND {v}.id > {u}.id))"
            f" AND {self._progress(connection, v, kind, baseline, target)} < {_D.format(1)}))"
        )
        return sql, params_u + params_v
