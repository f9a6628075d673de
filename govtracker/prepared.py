"""Querysets built and compiled once, run again with new values.

A page's query costs more to build and compile than to run: the plan page's milestones,
with their status annotations, take about 3 M instructions to build and 2.6 M to compile
(session 18), for a query PostgreSQL answers from a prepared plan in a fraction of that.
Django has no statement cache (SQLAlchemy has one), so the busiest pages keep their own:

    PLAN_MILESTONES = PreparedQuery(
        "plan-milestones",
        lambda plan_id, *, as_of: Milestone.objects.with_status(as_of).filter(plan=plan_id),
    )
    milestones = PLAN_MILESTONES.rows(plan.pk, as_of=as_of)   # a list of Milestones

`build(*values, **shape)` returns the QuerySet. The *values* are what changes from one
request to the next (a plan's id): each must go into the query as it is, as a filter's
parameter. The *shape* (a date, a flag) may change the SQL itself and is part of the key,
with the values' types, the language, today's date and the data version: whatever the
built query read to choose its form (the snapshot's freshness, a setting) changes only
with one of those, or with a setting (the store is emptied when a setting changes). A
statement runs on the database it was compiled for (the project has one).

The first time a key is asked for, its QuerySet is built and run as usual. The second
time, the query is built and compiled twice: with the real values, and with stand-ins
of the same types, unlike any real value. Where the two
compilations agree except that one has the real values where the other has the
stand-ins, the SQL, the constant parameters, the values' places and the compiler's
reading of the columns are kept, and every later call runs that SQL with its own values
in those places, its rows read by Django's own ModelIterable, its prefetches run as the
QuerySet's would. Where they do not agree (a value inlined into the SQL, transformed
before it is bound, or choosing the query's form), the key is remembered as not
preparable and every call builds its QuerySet as usual.

A value that chooses the query's form by its own value (None against an id, a date
against today) would be mistaken for a value: with PREPARED_QUERIES_CHECK on (the test
settings), every call also builds and compiles its QuerySet and raises if the SQL or
parameters differ from the prepared ones. Inside a transaction that has written, the
data version has not moved yet: those calls build their QuerySet as usual.
"""

import copy
import hashlib
import operator
import threading
import weakref
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import connections
from django.db.models import prefetch_related_objects
from django.db.models.query import ModelIterable
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import get_language

from govtracker.cache import has_uncommitted_writes, request_data_version
from govtracker.memo import Remembered

# What the store holds for a key besides its statement.
SEEN_ONCE = object()
NOT_PREPARABLE = object()


class PreparedQueryMismatch(AssertionError):
    """A prepared query's SQL or parameters differ from its QuerySet's (the check mode)."""


def _stand_ins(values: tuple) -> tuple:
    """Values of the same types as `values`, unlike any real one or any constant."""
    out = []
    for position, value in enumerate(values):
        if isinstance(value, bool) or value is None:
            raise TypeError(f"A prepared query's value cannot be {value!r}: it is a shape.")
        # Ids and slugs, the values the pages look rows up by; anything else is a shape.
        number = 7_000_000_000 + position
        if isinstance(value, int):
            out.append(-number)
        elif isinstance(value, str):
            out.append(f"\x1fprepared-{number}")
        else:
            raise TypeError(f"A prepared query's value cannot be a {type(value).__name__}.")
    return tuple(out)


def _same(a, b) -> bool:
    return type(a) is type(b) and a == b


def _slots(real: tuple, stand_in: tuple, values: tuple, stand_ins: tuple):
    """Where the values go among the parameters, as (parameter index, value index) pairs:
    the places where the stand-ins' compilation has a stand-in and the real one has the
    real value. None if the two differ anywhere else."""
    if len(real) != len(stand_in):
        return None
    slots = []
    for index, (a, b) in enumerate(zip(real, stand_in, strict=True)):
        if _same(a, b):
            continue
        places = [j for j, value in enumerate(stand_ins) if _same(b, value)]
        if len(places) != 1 or not _same(a, values[places[0]]):
            return None
        slots.append((index, places[0]))
    return tuple(slots)


class _PreparedCompilerMixin:
    """A compiler whose SQL is already written: `as_sql()` hands it back, and its columns'
    converters, worked out once per connection (each run is a shallow copy of the
    statement's compiler, so the copies share `converters_by_connection`): Django asks
    every column's field and the backend for them on every run, about 0.1 ms a query."""

    def as_sql(self, *args, **kwargs):
        return self.prepared

    def get_converters(self, expressions):
        # Keyed by the database wrapper (one per thread and alias, kept for the thread's
        # life: few keys), for the columns the statement selects, the same objects on every
        # run (results_iter() passes them; anything else is worked out as Django does).
        known = self.converters_by_connection.get(self.connection)
        if known is not None and len(known[0]) == len(expressions):
            if all(map(operator.is_, known[0], expressions)):
                return known[1]
        converters = super().get_converters(expressions)
        if known is None:
            self.converters_by_connection[self.connection] = (tuple(expressions), converters)
        return converters


_compiler_classes: dict = {}


def _prepared_class(compiler_class):
    try:
        return _compiler_classes[compiler_class]
    except KeyError:
        name = f"Prepared{compiler_class.__name__}"
        cls = _compiler_classes[compiler_class] = type(
            name, (_PreparedCompilerMixin, compiler_class), {}
        )
        return cls


@dataclass(frozen=True)
class _Statement:
    """One compiled query: its SQL, its parameters and the values' places among them, and
    the compiler that wrote it (its select list, row layout and converters, which
    ModelIterable reads), never run itself: each run takes a copy."""

    sql: str
    params: tuple
    slots: tuple
    compiler: object
    model: type
    alias: str
    prefetches: tuple
    # The SQL with its parameters written in as literals (PreparedQuery's `literal`).
    literal_sql: str | None = None

    def params_for(self, values: tuple) -> tuple:
        params = list(self.params)
        for index, value_index in self.slots:
            params[index] = values[value_index]
        return tuple(params)

    def run(self, values: tuple) -> list:
        compiler = copy.copy(self.compiler)
        compiler.connection = connections[self.alias]  # this thread's connection
        if self.literal_sql is not None:
            compiler.prepared = (self.literal_sql, None)
        else:
            compiler.prepared = (self.sql, self.params_for(values))
        rows = list(ModelIterable(_Evaluation(compiler, self.model, self.alias)))
        if self.prefetches:
            prefetch_related_objects(rows, *self.prefetches)
        return rows


class _Evaluation:
    """What ModelIterable reads of a QuerySet, for one run of a prepared statement."""

    def __init__(self, compiler, model, db):
        self.query = self
        self.compiler = compiler
        self.model = model
        self.db = db
        self._known_related_objects = {}

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self.compiler


def _compiled(queryset):
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return compiler, None, ()
    return compiler, sql, tuple(params)


# Every PreparedQuery, to forget their statements when a setting changes.
_registry: "weakref.WeakSet[PreparedQuery]" = weakref.WeakSet()


class PreparedQuery:
    """A QuerySet built by `build(*values, **shape)`, compiled once per key (module doc)."""

    # Keys per query: a shape may come from a request (a date, filters, a page). A
    # statement holds its compiled Query, about 50 KiB (the plans list's, measured with
    # tracemalloc), so a query holds at most about 6 MiB; past the limit it starts afresh.
    LIMIT = 128

    def __init__(self, name: str, build, *, literal: bool = False, page_rows=None, count=None):
        self.name = name
        self.build = build
        # How the list's rows are counted, where counting `build(...)` would read more than
        # the count needs: `count(*values, **shape)`, a QuerySet of the same rows in any
        # order (the deadline-year page's, by the milestone's own deadline and its index,
        # where the page's order reads the snapshot's copy).
        self.count = count
        # Keys first, for a page of a list whose rows join more than its filters and order
        # need (a plan's progress from the status snapshot): `page_rows(**shape)` is the
        # QuerySet of the rows without the list's filters, and a page is its rows whose keys
        # the list's own query picks, `build(...).values("pk")[start:stop]`, a subquery
        # that reads the filters' and order's columns alone (the joins it does not read
        # are left out by PostgreSQL). The page reads the joined tables for its 25 rows,
        # not for every row the order passes over: the jurisdiction page's plans, 866 →
        # 272 buffers at national scale (with plan_jurisdiction_newest_idx).
        self.page_rows = page_rows
        # On PostgreSQL, a statement without values may run with its constants written
        # into its SQL (quoted by psycopg's client-side binding): PostgreSQL plans a
        # prepared statement with parameters afresh on every run while it finds its custom
        # plans cheaper than a generic one, and one without parameters once per
        # connection. Measured per query, so asked for per query: the deadline-year page
        # 1.42 → 1.02 ms a run; the home page's latest updates 0.12 → 1.30 ms.
        self.literal = literal
        self._statements = Remembered(self.LIMIT)
        self._lock = threading.Lock()
        _registry.add(self)

    def __repr__(self) -> str:
        return f"<PreparedQuery {self.name}>"

    def rows(self, *values, **shape) -> list:
        """The rows, as `list(build(*values, **shape))` would read them."""
        return self._rows(values, shape, None)

    def list(self, *values, **shape) -> "PreparedRows":
        """The rows for a paginator: counted, sliced a page at a time."""
        return PreparedRows(self, values, shape)

    def queryset(self, values: tuple, shape: dict, window: tuple | None = None):
        queryset = self.build(*values, **shape)
        if window is None:
            return queryset
        if self.page_rows is None:
            return queryset[window[0] : window[1]]
        keys = queryset.values("pk")[window[0] : window[1]]
        rows = self.page_rows(**shape).filter(pk__in=keys)
        # The list's order again (its keys come in it; IN does not keep it).
        return rows.order_by(*queryset.query.order_by) if queryset.query.order_by else rows

    def _rows(self, values: tuple, shape: dict, window: tuple | None) -> list:
        if not settings.PREPARED_QUERIES or has_uncommitted_writes():
            return list(self.queryset(values, shape, window))
        try:
            version = request_data_version()
        except Exception:  # Redis unreachable: pages are rendered without the cache (logged there)
            return list(self.queryset(values, shape, window))
        key = (
            tuple(sorted(shape.items())),
            window,
            tuple(type(value) for value in values),
            get_language(),
            timezone.localdate(),
            version,
        )
        statement = self._statements.values.get(key)
        if statement is None:
            # A key asked for once may never come back (a search, a date typed in an
            # address): preparing costs a second build and compilation, paid only for a
            # key asked for again.
            with self._lock:
                self._statements.get(key, lambda: SEEN_ONCE)
            return list(self.queryset(values, shape, window))
        if statement is SEEN_ONCE:
            return self._prepare(key, values, shape, window)
        if statement is NOT_PREPARABLE:
            return list(self.queryset(values, shape, window))
        if settings.PREPARED_QUERIES_CHECK:
            self._check(statement, values, shape, window)
        return statement.run(values)

    def _prepare(self, key, values: tuple, shape: dict, window) -> list:
        """Build and compile the query with the real values and with stand-ins; keep the
        statement if they differ only where the values go. The rows of the first run."""
        queryset = self.queryset(values, shape, window)
        stand_ins = _stand_ins(values)
        if any(_same(value, stand_in) for value, stand_in in zip(values, stand_ins, strict=True)):
            # A request that sent a stand-in as its value: the two compilations would agree
            # everywhere, and the value would be kept as a constant. Not this time.
            return list(queryset)
        statement = NOT_PREPARABLE
        if queryset._iterable_class is ModelIterable and not queryset._known_related_objects:
            compiler, sql, params = _compiled(queryset)
            _, other_sql, other_params = _compiled(self.queryset(stand_ins, shape, window))
            slots = None
            if sql is not None and sql == other_sql:
                slots = _slots(params, other_params, values, stand_ins)
            if slots is not None:
                compiler.__class__ = _prepared_class(type(compiler))
                compiler.converters_by_connection = {}
                connection = connections[queryset.db]
                literal_sql = None
                if self.literal and not slots and params and connection.vendor == "postgresql":
                    literal_sql = connection.ops.compose_sql(sql, params)
                statement = _Statement(
                    literal_sql=literal_sql,
                    sql=sql,
                    params=params,
                    slots=slots,
                    compiler=compiler,
                    model=queryset.model,
                    alias=queryset.db,
                    prefetches=tuple(queryset._prefetch_related_lookups),
                )
        with self._lock:
            self._statements.values[key] = statement
        if statement is NOT_PREPARABLE:
            return list(queryset)
        return statement.run(values)

    def _check(self, statement: _Statement, values: tuple, shape: dict, window) -> None:
        _, sql, params = _compiled(self.queryset(values, shape, window))
        prepared = (statement.sql, statement.params_for(values))
        if (sql, params) != prepared:
            raise PreparedQueryMismatch(
                f"{self.name}: the prepared query differs from its QuerySet's.\n"
                f"prepared: {prepared}\nbuilt: {(sql, params)}"
            )

    def clear(self) -> None:
        with self._lock:
            self._statements.clear()


def parameters_shape(parameters, leave_out=frozenset()) -> tuple:
    """A request's parameters (a QueryDict) as a prepared query's shape, those named in
    `leave_out` left out: ((name, (value, ...)), ...) in the names' order, so that one
    address, however its parameters are ordered, is one key."""
    return tuple(
        (name, tuple(parameters.getlist(name)))
        for name in sorted(parameters)
        if name not in leave_out
    )


class PreparedRows:
    """A PreparedQuery's rows for some values, as a ListView and DataVersionedPaginator
    take them: counted (the count kept with the scorecards), sliced (each page its own
    prepared statement), or as the QuerySet itself (a CSV, a page deep in the list)."""

    ordered = True  # the queries' own order_by; the paginator asks

    def __init__(self, query: PreparedQuery, values: tuple, shape: dict):
        self.query = query
        self.values = values
        self.shape = shape

    def queryset(self):
        return self.query.queryset(self.values, self.shape)

    def count_key(self) -> str:
        digest = hashlib.sha256(repr((self.values, sorted(self.shape.items()))).encode())
        return f"count:prepared:{self.query.name}:{digest.hexdigest()}"

    def count(self) -> int:
        if self.query.count is not None:
            return self.query.count(*self.values, **self.shape).count()
        return self.queryset().count()

    def __getitem__(self, window: slice) -> list:
        if not isinstance(window, slice) or window.step is not None:
            raise TypeError("PreparedRows are read a page at a time: rows[start:stop].")
        return self.query._rows(self.values, self.shape, (window.start, window.stop))


@receiver(setting_changed)
def _forget_on_setting_change(**kwargs) -> None:
    for query in _registry:
        query.clear()
