"""The status snapshot: each milestone's current figures, maintained, so that the default
question (status as of today, published updates only) is read from columns instead of
correlated subqueries over millions of updates.

What it holds: per milestone (`MilestoneSnapshot`) the `progress`, `latest_update_on` and
`achieved_on` that `Milestone.objects.with_status` derives from its updates (or, for a
milestone broken into sub-milestones, from theirs), as of the date in `SnapshotState`
and counting updates published by that date, and the `status` that `with_status`'s CASE
gives over these columns as of that date with the default tolerance (read by pages of
today's statuses; any other date or tolerance evaluates the CASE, and the snapshot's own
computations evaluate it over the figures). Because the status moves with the date even
when the figures do not, every refresh to a new day recomputes every milestone's status
(writing only those that changed). Per plan (`PlanSnapshot`) its roll-up over those
columns as of the same date: progress, top-level milestones per status, and per status
whether any milestone is in it. These counts do depend on the date and the tolerance, so
every refresh to a new day rolls every plan up again, and a changed PROGRESS_TOLERANCE
needs `refresh_status_snapshot --full`. Per plan and deadline year (`PlanYearSnapshot`)
its milestones due that year (sub-milestones included) and those of them per status,
past their deadline and delivered, written with the plan's row: the deadline-year
scorecard and the list of years sum these rows.

How it stays true:
- one definition of the rules: every row is written by one set-based statement,
  INSERT ... SELECT from the live annotation `MilestoneQuerySet.with_figures`
  (`_upsert`);
- writes: signals on saves and deletions of updates and milestones, and the bulk paths
  that bypass signals (plans/services.py, backup_import, the loaders) call
  `refresh_milestones` inside the writing transaction, as of the snapshot's date;
- days: when the date changes, only milestones with an update whose as_of or
  published_on falls between the snapshot's date and today (and their parents) can
  change; `refresh()` (manage.py refresh_status_snapshot, run just after midnight
  Asia/Shanghai) recomputes those and moves the date. Until it runs the snapshot is stale
  and `with_status` computes live: correct, only slower.

Concurrency (PostgreSQL): writers take a share lock on the state row and lock the
milestones they recompute (in id order), so two writers touching the same parent
recompute it one after the other, each seeing the other's committed update; a refresh
takes the state row exclusively, waiting for writers in flight.
"""

import datetime
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.signals import request_finished, request_started
from django.db import connections, router, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.db.models.signals import post_delete, post_save, pre_save

from govtracker.cache import cached_data
from plans.models import (
    Jurisdiction,
    Milestone,
    MilestoneSnapshot,
    Plan,
    PlanSnapshot,
    PlanYearSnapshot,
    ProgressUpdate,
    SnapshotState,
    today,
)
from plans.progress import DELIVERED, Status

STATE_PK = 1
FIGURES = ("progress", "latest_update_on", "achieved_on")
# Copied beside the figures: the deadline-year page's order (MilestoneSnapshot).
ORDER_COPIES = ("deadline", "jurisdiction_code", "plan_ref", "position")
# The milestone's own newest published update (a jurisdiction's latest updates).
NEWEST_UPDATE = ("last_published_on", "last_published_ref")
PLAN_FIGURES = (
    "progress",
    "n_milestones",
    "n_unreported",
    "n_due",
    "n_due_delivered",
    *(f"n_{status}" for status in Status.values),
    *(f"has_{status}" for status in Status.values),
    "issued_on",  # the plan's own, copied (PlanSnapshot.issued_on)
)


def _alias(using: str | None) -> str:
    return using or router.db_for_write(MilestoneSnapshot)


# --- Reading: is the snapshot valid for today? -----------------------------------------

# Within one request the answer is asked once per database (a page may roll up several
# times): the state only moves forward to today, so an answer stays right for the request.
_request = threading.local()


def _request_began(**kwargs) -> None:
    _request.fresh = {}


def _request_ended(**kwargs) -> None:
    _request.fresh = None


request_started.connect(_request_began, dispatch_uid="snapshot_request_began")
request_finished.connect(_request_ended, dispatch_uid="snapshot_request_ended")


def valid_for(using: str | None = None) -> datetime.date | None:
    """The date the snapshot is valid for (None: never built)."""
    return (
        SnapshotState.objects.using(_alias(using))
        .filter(pk=STATE_PK)
        .values_list("valid_for", flat=True)
        .first()
    )


def is_fresh(as_of: datetime.date, using: str | None = None) -> bool:
    """Whether `with_status(as_of)` may read the snapshot: `as_of` is today and the
    snapshot is valid for today."""
    day = today()
    if as_of != day:
        return False
    cache = getattr(_request, "fresh", None)
    key = (_alias(using), day)
    if cache is not None and key in cache:
        return cache[key]
    # The state changes only by a write (a refresh, a migration), which moves the data
    # version on: kept with the scorecards, it costs a cache read instead of a query.
    alias = _alias(using)
    fresh = cached_data(f"snapshot:valid_for:{alias}", lambda: valid_for(alias)) == day
    if cache is not None:
        cache[key] = fresh
    return fresh


# --- Writing ---------------------------------------------------------------------------


def _lock_state(using: str, *, exclusive: bool) -> tuple[bool, datetime.date | None]:
    """(whether the state row exists, its date), locked until the transaction ends
    (PostgreSQL; SQLite serializes writers anyway)."""
    connection = connections[using]
    table = connection.ops.quote_name(SnapshotState._meta.db_table)
    lock = ""
    if connection.vendor == "postgresql":
        lock = " FOR UPDATE" if exclusive else " FOR SHARE"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT valid_for FROM {table} WHERE id = %s{lock}", [STATE_PK])
        row = cursor.fetchone()
    if row is None:
        return False, None
    value = row[0]
    if isinstance(value, str):  # SQLite without converters in a raw cursor
        value = datetime.date.fromisoformat(value)
    return True, value


def _set_state(using: str, exists: bool, day: datetime.date) -> None:
    if exists:
        SnapshotState.objects.using(using).filter(pk=STATE_PK).update(valid_for=day)
    else:
        SnapshotState.objects.using(using).create(pk=STATE_PK, valid_for=day)


def _upsert(milestones, as_of: datetime.date, using: str) -> int:
    """Write the figures of `milestones` as of `as_of` (updates published by then) into
    the snapshot: one INSERT ... SELECT from the live annotation; rows whose figures did
    not change are left alone. Then their statuses (`_upsert_status`). Returns the number
    of rows written."""
    newest = (
        ProgressUpdate.objects.filter(milestone=OuterRef("pk"))
        .published(as_of)
        .order_by("-published_on", "-id")
    )
    figures = (
        milestones.using(using)
        .order_by()
        .with_figures(as_of, published_by=as_of)
        .annotate(
            jurisdiction_code=F("plan__jurisdiction__code"),
            plan_ref=F("plan_id"),
            last_published_on=Subquery(newest.values("published_on")[:1]),
            last_published_ref=Subquery(newest.values("pk")[:1]),
        )
        .values_list("pk", *FIGURES, *ORDER_COPIES, *NEWEST_UPDATE)
    )
    written = _insert_select(
        MilestoneSnapshot,
        "milestone_id",
        (*FIGURES, *ORDER_COPIES, *NEWEST_UPDATE),
        figures,
        as_of,
        using,
    )
    return written + _upsert_status(milestones, as_of, using)


def _upsert_status(milestones, as_of: datetime.date, using: str) -> int:
    """Write the status of `milestones` as of `as_of`, with the default tolerance, from
    their snapshot figures (which must already be written): `with_status`'s CASE, once,
    rather than on every page that shows it. Rows whose status did not change are left
    alone. Returns the number of rows written."""
    statuses = (
        milestones.using(using)
        .order_by()
        .with_status(as_of, from_snapshot=True)
        .values_list("pk", "status")
    )
    return _insert_select(MilestoneSnapshot, "milestone_id", ("status",), statuses, as_of, using)


def _upsert_plans(plans, as_of: datetime.date, using: str) -> int:
    """Roll `plans` up from their milestones' snapshot rows as of `as_of` (which must
    already be written) into their plan rows: `Plan.objects.live_progress` reading the
    snapshot, plus an EXISTS per status over all their milestones."""
    milestones = Milestone.objects.with_status(as_of, from_snapshot=True).filter(
        plan=OuterRef("pk")
    )
    flags = {f"has_{s}": Exists(milestones.filter(status=s)) for s in Status.values}
    # The scorecards' due figures, counted as plans/scorecards.py counts them: top-level
    # milestones whose deadline has passed, and those of them delivered.
    due = milestones.filter(parent__isnull=True, deadline__lt=as_of).order_by().values("plan")

    def count(rows):
        return Coalesce(
            Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            Value(0),
        )

    figures = (
        plans.using(using)
        .order_by()
        .live_progress(as_of, from_snapshot=True)
        .annotate(
            **flags,
            n_due=count(due),
            n_due_delivered=count(due.filter(status__in=DELIVERED)),
        )
        .values_list("pk", *PLAN_FIGURES)
    )
    return _insert_select(PlanSnapshot, "plan_id", PLAN_FIGURES, figures, as_of, using)


YEAR_FIGURES = (
    "n_milestones",
    "n_due",
    "n_due_delivered",
    *(f"n_{status}" for status in Status.values),
)


def _upsert_plan_years(plans, as_of: datetime.date, using: str) -> int:
    """Write the rows of `plans` (ids; None: every plan) per deadline year as of `as_of`,
    from their milestones' snapshot figures (which must already be written): every
    milestone due that year, sub-milestones included (as plans/scorecards.py counts a
    deadline year and the year's page lists it): how many, how many per status, past
    their deadline, and past it and delivered. One INSERT ... SELECT ... GROUP BY,
    leaving unchanged rows alone; then the rows of years in which a plan no longer has a
    milestone (a deadline moved, a milestone deleted) go. Returns the number of rows
    written or deleted."""
    milestones = Milestone.objects.all()
    rows = PlanYearSnapshot.objects.using(using)
    if plans is not None:
        milestones = milestones.filter(plan__in=plans)
        rows = rows.filter(plan__in=plans)
    past = Q(deadline__lt=as_of)
    counts = (
        milestones.using(using)
        .with_status(as_of, from_snapshot=True)
        .order_by()
        .annotate(year=ExtractYear("deadline"))
        .values("plan", "year")
        .annotate(
            n_milestones=Count("pk"),
            n_due=Count("pk", filter=past),
            n_due_delivered=Count("pk", filter=past & Q(status__in=DELIVERED)),
            **{f"n_{s}": Count("pk", filter=Q(status=s)) for s in Status.values},
        )
        .values_list("plan", "year", *YEAR_FIGURES)
    )
    written = _insert_select(
        PlanYearSnapshot, ("plan_id", "year"), YEAR_FIGURES, counts, as_of, using
    )
    due_that_year = Milestone.objects.filter(plan=OuterRef("plan"), deadline__year=OuterRef("year"))
    deleted, _ = rows.exclude(Exists(due_that_year)).delete()
    return written + deleted


def _insert_select(
    model, key: str | tuple[str, ...], names, figures, as_of: datetime.date, using: str
) -> int:
    """INSERT INTO model's table SELECT figures ON CONFLICT (key: a column, or the columns
    of a unique constraint) DO UPDATE, leaving rows whose figures are unchanged alone."""
    connection = connections[using]
    qn = connection.ops.quote_name
    select_sql, select_params = figures.query.get_compiler(using=using).as_sql()
    table = qn(model._meta.db_table)
    keys = (key,) if isinstance(key, str) else key
    columns = ", ".join(qn(c) for c in (*keys, *names, "computed_for"))
    differs = " OR ".join(
        f"{table}.{qn(c)} {'IS NOT' if connection.vendor == 'sqlite' else 'IS DISTINCT FROM'}"
        f" excluded.{qn(c)}"
        for c in names
    )
    assignments = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in (*names, "computed_for"))
    day = "%s" if connection.vendor == "sqlite" else "CAST(%s AS date)"
    # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
    sql = (
        f"INSERT INTO {table} ({columns})"
        f" SELECT f.*, {day} FROM ({select_sql}) f WHERE true"
        f" ON CONFLICT ({', '.join(qn(c) for c in keys)}) DO UPDATE SET {assignments}"
        f" WHERE {differs}"
    )
    params = (connection.ops.adapt_datefield_value(as_of), *select_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def refresh_milestones(
    ids: Iterable[int | None], using: str | None = None, *, plans: Iterable[int | None] = ()
) -> None:
    """Recompute the snapshot rows of milestones `ids`, of their parents and of their
    plans after a write, in the writer's transaction, as of the snapshot's date (nothing
    while it was never built). Rows of milestones that no longer exist are removed. Pass
    the old and the new parent or milestone of a row that moved, and in `plans` the
    plans of milestones deleted or moved away."""
    ids = {pk for pk in ids if pk is not None}
    plans = {pk for pk in plans if pk is not None}
    if not ids and not plans:
        return
    using = _alias(using)
    with transaction.atomic(using=using, savepoint=False):
        exists, day = _lock_state(using, exclusive=False)
        if day is None:
            return
        # Parents first, by primary key (an OR with a subquery would scan every milestone).
        parents = (
            Milestone.objects.using(using)
            .filter(pk__in=ids, parent__isnull=False)
            .values_list("parent_id", flat=True)
        )
        # Lock them in id order: a concurrent writer touching the same parent waits,
        # then recomputes it seeing this transaction's update.
        present = dict(
            Milestone.objects.using(using)
            .filter(pk__in=ids | set(parents))
            .order_by("pk")
            .select_for_update(no_key=True)
            .values_list("pk", "plan_id")
        )
        if present:
            _upsert(Milestone.objects.filter(pk__in=present), day, using)
        gone = ids - set(present)
        if gone:
            MilestoneSnapshot.objects.using(using).filter(pk__in=gone).delete()
        plans |= set(present.values())
        if plans:
            _upsert_plans(Plan.objects.filter(pk__in=plans), day, using)
            _upsert_plan_years(plans, day, using)


@dataclass(frozen=True)
class Refreshed:
    full: bool
    previous: datetime.date | None
    valid_for: datetime.date
    rows_written: int


def refresh(*, full: bool = False, using: str | None = None) -> Refreshed:
    """Make the snapshot valid for today, in one transaction.

    Incremental (the default): the figures of a milestone change from one date to another
    only through updates dated or published between the two, so only the milestones with
    such an update, and their parents, are recomputed. Full (`full`, or a snapshot never
    built): every milestone, and rows of milestones that no longer exist are removed.
    """
    using = _alias(using)
    with transaction.atomic(using=using):
        exists, previous = _lock_state(using, exclusive=True)
        day = today()
        if full or previous is None:
            # Rows of milestones and plans that no longer exist. NOT EXISTS, an anti-join:
            # PostgreSQL runs NOT IN (subquery) as a subplan per row once the subquery
            # outgrows work_mem (minutes over a million milestones).
            for model, of in ((MilestoneSnapshot, Milestone), (PlanSnapshot, Plan)):
                model.objects.using(using).exclude(
                    Exists(of.objects.using(using).filter(pk=OuterRef("pk")))
                ).delete()
            written = _upsert(Milestone.objects.all(), day, using)
            _analyze(using, MilestoneSnapshot)
            written += _upsert_plans(Plan.objects.all(), day, using)
            _analyze(using, PlanSnapshot)
            written += _upsert_plan_years(None, day, using)
            _analyze(using, PlanYearSnapshot)
            _set_state(using, exists, day)
            return Refreshed(True, previous, day, written)
        written = 0
        if previous != day:
            low, high = min(previous, day), max(previous, day)
            touched = (
                ProgressUpdate.objects.using(using)
                .filter(
                    Q(as_of__gt=low, as_of__lte=high)
                    | Q(published_on__gt=low, published_on__lte=high)
                )
                .values("milestone_id")
            )
            # The milestones, then their parents (the tracker rolls up one level): two
            # plain IN (subquery) statements, each a semi-join; an OR of the two would
            # make PostgreSQL probe a subplan per milestone once the set outgrows work_mem.
            written = _upsert(Milestone.objects.filter(pk__in=touched), day, using)
            parents = Milestone.objects.filter(pk__in=touched).values("parent_id")
            written += _upsert(Milestone.objects.filter(pk__in=parents), day, using)
            # Every milestone: its status moves with the date (expected progress, its start
            # and its deadline), whatever its figures.
            written += _upsert_status(Milestone.objects.all(), day, using)
            # Every plan: its counts per status move with the date (expected progress).
            written += _upsert_plans(Plan.objects.all(), day, using)
            written += _upsert_plan_years(None, day, using)
            _set_state(using, exists, day)
        return Refreshed(False, previous, day, written)


def _analyze(using: str, model) -> None:
    """The planner's row counts of a freshly filled table, for the roll-ups' joins."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# --- Signals: the broad net for writes through the ORM -----------------------------------


def _loaded(instance, attribute: str, field: str):
    """The value `field` had when `instance` was loaded (recorded by `remember_loaded`);
    for an instance made by hand with the id of an existing row, asked of the database."""
    if hasattr(instance, attribute):
        return getattr(instance, attribute)
    if instance._state.adding or instance.pk is None:
        return None
    return (
        type(instance)
        ._base_manager.using(instance._state.db or _alias(None))
        .filter(pk=instance.pk)
        .values_list(field, flat=True)
        .first()
    )


def _before_update_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        instance._snapshot_before = _loaded(instance, "_loaded_milestone_id", "milestone_id")


def _update_saved(sender, instance, raw=False, using=None, **kwargs):
    if raw:  # deserialization (backup_import, loaddata) refreshes once at the end
        return
    refresh_milestones(
        {instance.milestone_id, getattr(instance, "_snapshot_before", None)}, using=using
    )
    instance._loaded_milestone_id = instance.milestone_id


def _update_deleted(sender, instance, using=None, **kwargs):
    refresh_milestones({instance.milestone_id}, using=using)


def _before_milestone_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        instance._snapshot_before = _loaded(instance, "_loaded_parent_id", "parent_id")
        instance._snapshot_plan_before = _loaded(instance, "_loaded_plan_id", "plan_id")


def _milestone_saved(sender, instance, raw=False, using=None, **kwargs):
    if raw:
        return
    refresh_milestones(
        {instance.pk, instance.parent_id, getattr(instance, "_snapshot_before", None)},
        using=using,
        plans={getattr(instance, "_snapshot_plan_before", None)},
    )
    instance._loaded_parent_id = instance.parent_id
    instance._loaded_plan_id = instance.plan_id


def _milestone_deleted(sender, instance, using=None, **kwargs):
    # Its own row goes (it is no longer present); its parent and plan are recomputed
    # without it.
    refresh_milestones({instance.pk, instance.parent_id}, using=using, plans={instance.plan_id})


def _plan_saved(sender, instance, raw=False, using=None, **kwargs):
    """The plan's issue date into its snapshot row, and its jurisdiction's code into its
    milestones' rows, where they differ (the status-filtered plans list and the
    deadline-year page sort by those copies). The figures do not depend on the plan's own
    fields."""
    if raw:  # deserialization (backup_import, loaddata) rebuilds the snapshot at the end
        return
    using = using or _alias(None)
    PlanSnapshot.objects.using(using).filter(pk=instance.pk).exclude(
        issued_on=instance.issued_on
    ).update(issued_on=instance.issued_on)
    code = Jurisdiction.objects.using(using).filter(pk=instance.jurisdiction_id).values("code")
    # By the milestones' plan (its index), not by the copy (not indexed alone).
    MilestoneSnapshot.objects.using(using).filter(milestone__plan=instance.pk).exclude(
        jurisdiction_code=Subquery(code)
    ).update(jurisdiction_code=Subquery(code))


def _jurisdiction_saved(sender, instance, raw=False, using=None, **kwargs):
    """A jurisdiction's code into the rows of its plans' milestones, where it differs."""
    if raw:
        return
    rows = MilestoneSnapshot.objects.using(using or _alias(None))
    rows.filter(milestone__plan__jurisdiction=instance.pk).exclude(
        jurisdiction_code=instance.code
    ).update(jurisdiction_code=instance.code)


def _plan_deleted(sender, instance, using=None, **kwargs):
    using = using or _alias(None)
    PlanSnapshot.objects.using(using).filter(pk=instance.pk).delete()
    PlanYearSnapshot.objects.using(using).filter(plan=instance.pk).delete()


def connect() -> None:
    """Connected by PlansConfig.ready()."""
    for signal, receiver, sender in (
        (pre_save, _before_update_saved, ProgressUpdate),
        (post_save, _update_saved, ProgressUpdate),
        (post_delete, _update_deleted, ProgressUpdate),
        (pre_save, _before_milestone_saved, Milestone),
        (post_save, _milestone_saved, Milestone),
        (post_delete, _milestone_deleted, Milestone),
        (post_save, _plan_saved, Plan),
        (post_save, _jurisdiction_saved, Jurisdiction),
        (post_delete, _plan_deleted, Plan),
    ):
        signal.connect(receiver, sender=sender, dispatch_uid=f"snapshot_{receiver.__name__}")
