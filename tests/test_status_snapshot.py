"""The status snapshot (plans/snapshot.py) answers exactly as the live computation.

A property test: Hypothesis draws plans of milestones and updates (as in
test_progress_property.py), builds the snapshot, then applies random writes through every
path that changes a milestone's figures (updates created, changed, moved, deleted,
published, unpublished; milestones reweighted, made quantitative, reparented, deleted) and
sometimes moves the clock a few days; after each step every milestone's status, progress
and dates, and every plan's roll-up, must be the same from the snapshot as computed live.
Then tests of each write path outside the ORM's signals, of the day change and of the
query plans. The suite runs on SQLite and on PostgreSQL (DATABASE_URL).
"""

import datetime
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans import scorecards, services, snapshot
from plans.models import Milestone, Plan, ProgressUpdate
from tests.factories import make_plan, make_source, make_user

TODAY = datetime.date(2026, 11, 29)
EPOCH = datetime.date(2020, 1, 1)
NOON = datetime.datetime(2026, 11, 29, 4, tzinfo=datetime.UTC)  # 12:00 in Asia/Shanghai

pytestmark = pytest.mark.django_db

# Days from EPOCH; half of them near TODAY (day 2524), so the day changes matter.
days = st.one_of(st.integers(0, 3000), st.integers(2515, 2535))
decimals = st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False)
update_st = st.fixed_dictionaries(
    {
        "as_of": days,
        "percent": st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)),
        "value": st.one_of(st.none(), decimals),
        "delivered": st.booleans(),
        "published": st.one_of(st.none(), days),
    }
).filter(lambda u: u["percent"] is not None or u["value"] is not None or u["delivered"])
milestone_st = st.fixed_dictionaries(
    {
        "start": st.integers(0, 2600),
        "length": st.integers(1, 1500),
        "quantitative": st.booleans(),
        "baseline": decimals,
        "target": decimals,
        "weight": st.decimals(min_value=Decimal("0.001"), max_value=1000, places=3),
        "updates": st.lists(update_st, max_size=4),
    }
).filter(lambda m: not m["quantitative"] or m["baseline"] != m["target"])
plan_st = st.lists(
    st.tuples(milestone_st, st.lists(milestone_st, max_size=2)), min_size=1, max_size=3
)
index = st.integers(0, 1000)
op_st = st.one_of(
    st.tuples(st.just("add_update"), index, update_st),
    st.tuples(st.just("edit_update"), index, update_st),
    st.tuples(st.just("move_update"), index, index),
    st.tuples(st.just("delete_update"), index),
    st.tuples(st.just("publish"), index),
    st.tuples(st.just("unpublish"), index),
    st.tuples(st.just("reweight"), index, st.decimals(min_value=Decimal("0.001"), max_value=9)),
    st.tuples(st.just("make_quantitative"), index, decimals),
    st.tuples(st.just("reparent"), index, index),
    st.tuples(st.just("delete_milestone"), index),
    st.tuples(st.just("day_change"), st.integers(-3, 3)),
)


def d(n: int) -> datetime.date:
    return EPOCH + datetime.timedelta(days=n)


def save_update(milestone, u, source, update=None) -> ProgressUpdate:
    update = update or ProgressUpdate(milestone=milestone)
    update.as_of = d(u["as_of"])
    update.percent_complete = u["percent"]
    update.value = u["value"]
    update.delivered = u["delivered"]
    update.published_on = None if u["published"] is None else d(u["published"])
    update.save()
    update.sources.add(source)
    return update


def save_milestone(plan, data, source, parent=None) -> Milestone:
    m = Milestone.objects.create(
        plan=plan,
        parent=parent,
        statement="虛構目標",
        start_date=d(data["start"]),
        deadline=d(data["start"] + data["length"]),
        kind="quantitative" if data["quantitative"] else "qualitative",
        baseline_value=data["baseline"] if data["quantitative"] else None,
        target_value=data["target"] if data["quantitative"] else None,
        weight=data["weight"],
    )
    for u in data["updates"]:
        save_update(m, u, source)
    return m


@contextmanager
def live():
    """with_status computed live whatever the snapshot says."""
    with mock.patch.object(snapshot, "is_fresh", return_value=False):
        yield


FIELDS = ("status", "progress", "latest_update_on", "achieved_on", "expected_progress")
PLAN_FIELDS = ("progress", "n_milestones", "n_unreported", "n_achieved", "n_behind", "n_missed")


def answers():
    milestones = {
        m.pk: tuple(getattr(m, f) for f in FIELDS) for m in Milestone.objects.with_status()
    }
    plans = {p.pk: tuple(getattr(p, f) for f in PLAN_FIELDS) for p in Plan.objects.with_progress()}
    return milestones, plans, scorecards.national_scorecard().as_dict()


def assert_snapshot_equals_live():
    assert snapshot.is_fresh(snapshot.today())
    with CaptureQueriesContext(connection) as queries:
        from_snapshot = answers()
    assert "plans_milestonesnapshot" in queries.captured_queries[-1]["sql"]
    with live():
        assert from_snapshot == answers()


def apply(op, source, user) -> None:
    """One write; an index picks among the rows present (modulo their number)."""
    milestones = list(Milestone.objects.order_by("pk"))
    updates = list(ProgressUpdate.objects.order_by("pk"))
    kind = op[0]
    if kind == "day_change":
        return
    if kind == "add_update" and milestones:
        save_update(milestones[op[1] % len(milestones)], op[2], source)
    elif kind in ("edit_update", "move_update", "delete_update", "publish", "unpublish"):
        if not updates:
            return
        update = updates[op[1] % len(updates)]
        if kind == "edit_update":
            save_update(update.milestone, op[2], source, update=update)
        elif kind == "move_update":
            target = milestones[op[2] % len(milestones)]
            if target.kind != update.milestone.kind:
                return  # a row valid for the other kind: keep the example simple
            update.milestone = target
            update.save()
        elif kind == "delete_update":
            update.delete()
        elif kind == "publish":
            services.updates_publish(updates=[update], user=user)
        else:
            services.updates_unpublish(updates=[update], user=user)
    elif milestones:
        milestone = milestones[op[1] % len(milestones)]
        if kind == "reweight":
            milestone.weight = op[2]
            milestone.save()
        elif kind == "make_quantitative":
            if milestone.kind == "qualitative" and op[2] != 0:
                milestone.updates.all().delete()  # percentages do not fit a number target
                milestone.kind = "quantitative"
                milestone.baseline_value, milestone.target_value = Decimal(0), op[2]
                milestone.save()
        elif kind == "reparent":
            parent = milestones[op[2] % len(milestones)]
            if parent.pk == milestone.pk or parent.parent_id or milestone.children.exists():
                milestone.parent = None  # the rule is one level: detach instead
            else:
                milestone.parent = parent
            milestone.save()
        elif kind == "delete_milestone":
            milestone.delete()


@time_machine.travel(NOON, tick=False)
@settings(
    max_examples=40,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan_data=plan_st, ops=st.lists(op_st, max_size=6))
def test_snapshot_equals_live_after_any_writes(plan_data, ops):
    with transaction.atomic():
        user = make_user(is_superuser=True, is_staff=True)
        plan = make_plan()
        source = make_source()
        for data, children in plan_data:
            parent = save_milestone(plan, data, source)
            for child in children:
                save_milestone(plan, child, source, parent=parent)
        assert snapshot.refresh(full=True).valid_for == TODAY
        assert_snapshot_equals_live()
        with time_machine.travel(NOON, tick=False) as clock:
            for op in ops:
                apply(op, source, user)
                if op[0] == "day_change" and op[1]:
                    clock.shift(datetime.timedelta(days=op[1]))
                    # Stale until refreshed: every page computes live meanwhile.
                    assert not snapshot.is_fresh(snapshot.today())
                    with CaptureQueriesContext(connection) as queries:
                        list(Milestone.objects.with_status())
                    assert "plans_milestonesnapshot" not in queries.captured_queries[-1]["sql"]
                    result = snapshot.refresh()
                    assert not result.full and result.valid_for == snapshot.today()
                assert_snapshot_equals_live()
        transaction.set_rollback(True)
