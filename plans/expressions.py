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
from django.db.models import BooleanField, DateField, FloatField, Func

_D = "CAST({} AS double precision)"


def _clamp(connection, sql: str) -> str:
    # GREATEST/LEAST and SQLite's MAX/MIN differ only for NULL, which `sql` never is.
    if connection.vendor == "sqlite":
        return f"MAX({_D.format(0)}, MIN({_D.format(1)}, {sql}))"
    return f"GREATEST({_D.format(0)}, LEAST({_D.format(1)}, {sql}))"


def _date(connection, value: datetime.date) -> tuple[str, list]:
    if connection.vendor == "sqlite":
        return "%s", [value.isoformat()]
    return "CAST(%s AS date)", [value]


def _table(model_name: str, connection) -> str:
    return connection.ops.quote_name(apps.get_model("plans", model_name)._meta.db_table)


def _counted(connection, alias, milestone, as_of, published_by) -> tuple[str, list]:
    """The WHERE clause of the updates of `milestone` that count."""
    as_of_sql, params = _date(connection, as_of)
    sql = f"{alias}.milestone_id = {milestone} AND {alias}.as_of <= {as_of_sql}"
    if published_by is not None:
        published_sql, published_params = _date(connection, published_by)
        sql += f" AND {alias}.published_on IS NOT NULL AND {alias}.published_on <= {published_sql}"
        params = params + published_params
    return sql, params


def _progress(connection, alias: str, kind: str, baseline: str, target: str) -> str:
    """`plans.progress.report_progress` of the update row `alias`."""
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


def own_term_sql(connection, term, columns, as_of, published_by, prefix="gt") -> tuple[str, list]:
    """SQL of one of a milestone's own figures; `columns` are the SQL of its pk, kind,
    baseline and target; `prefix` keeps the aliases of nested uses apart."""
    pk, kind, baseline, target = columns
    table = _table("ProgressUpdate", connection)
    u, v = f"{prefix}_u", f"{prefix}_v"
    where_u, params_u = _counted(connection, u, pk, as_of, published_by)
    if term in ("progress", "latest"):
        column = (
            _progress(connection, u, kind, baseline, target) if term == "progress" else f"{u}.as_of"
        )
        sql = (
            f"(SELECT {column} FROM {table} {u} WHERE {where_u}"
            f" ORDER BY {u}.as_of DESC, {u}.id DESC LIMIT 1)"
        )
        return sql, params_u
    where_v, params_v = _counted(connection, v, pk, as_of, published_by)
    sql = (
        f"(SELECT MIN({u}.as_of) FROM {table} {u} WHERE {where_u}"
        f" AND {_progress(connection, u, kind, baseline, target)} >= {_D.format(1)}"
        f" AND NOT EXISTS (SELECT 1 FROM {table} {v} WHERE {where_v}"
        f" AND ({v}.as_of > {u}.as_of OR ({v}.as_of = {u}.as_of AND {v}.id > {u}.id))"
        f" AND {_progress(connection, v, kind, baseline, target)} < {_D.format(1)}))"
    )
    return sql, params_u + params_v


class _TrackerTerm(Func):
    terms = ("progress", "latest", "achieved")

    def __init__(self, term: str, as_of, published_by, *expressions, **extra):
        if term not in self.terms:
            raise ValueError(f"unknown term {term!r}")
        self.term = term
        self.as_of = as_of
        self.published_by = published_by
        output_field = FloatField() if term == "progress" else DateField()
        super().__init__(*expressions, output_field=output_field, **extra)

    def _columns(self, compiler) -> list[str]:
        compiled = [compiler.compile(e) for e in self.get_source_expressions()]
        if any(params for _sql, params in compiled):
            # Plain columns only: parameters would have to be repeated in the SQL.
            raise ValueError(f"{type(self).__name__} takes column references only")
        return [sql for sql, _params in compiled]


class OwnUpdateTerm(_TrackerTerm):
    """One figure of a milestone from its own counted updates (dated on or before
    `as_of`, and published by `published_by` unless that is None):

    - "progress": the latest update's progress (latest: greatest as_of, then greatest
      id), NULL when nothing is counted;
    - "latest": that update's as_of;
    - "achieved": the as_of of the first update of the final unbroken run of complete
      (progress 1) updates, NULL unless the latest update is complete.

    Arguments: the milestone's pk, kind, baseline and target, as expressions on the
    outer row (F("pk"), F("kind"), ...).
    """

    def as_sql(self, compiler, connection, **extra_context):
        columns = self._columns(compiler)
        return own_term_sql(connection, self.term, columns, self.as_of, self.published_by)


class ChildrenTerm(_TrackerTerm):
    """One figure of a milestone from its sub-milestones' own figures (one level deep):

    - "progress": the weighted mean of their progress (SUM skips NULLs: an unreported
      child adds 0 but keeps its weight; NULL while none has reported);
    - "latest": the latest of their updates;
    - "achieved": once every child is achieved, the date the last one was.

    Argument: the milestone's pk (F("pk")).
    """

    def as_sql(self, compiler, connection, **extra_context):
        (pk,) = self._columns(compiler)
        c = "gt_c"
        columns = (f"{c}.id", f"{c}.kind", f"{c}.baseline_value", f"{c}.target_value")

        def own(term):
            return own_term_sql(
                connection, term, columns, self.as_of, self.published_by, prefix="gt_c"
            )

        if self.term == "progress":
            p, params = own("progress")
            weight = _D.format(f"{c}.weight")
            select = f"SUM({weight} * {p}) / SUM({weight})"
        elif self.term == "latest":
            latest, params = own("latest")
            select = f"MAX({latest})"
        else:
            achieved, achieved_params = own("achieved")
            select = f"CASE WHEN COUNT(*) = COUNT({achieved}) THEN MAX({achieved}) END"
            params = achieved_params + achieved_params
        table = _table("Milestone", connection)
        return f"(SELECT {select} FROM {table} {c} WHERE {c}.parent_id = {pk})", params


class HasChildren(Func):
    """Whether the milestone (argument: F("pk")) is broken into sub-milestones."""

    conditional = True
    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        pk, params = compiler.compile(self.get_source_expressions()[0])
        table = _table("Milestone", connection)
        return f"EXISTS (SELECT 1 FROM {table} gt_h WHERE gt_h.parent_id = {pk})", params
