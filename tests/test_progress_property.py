"""Property test: the pure progress tracker and its SQL twin never disagree.

Hypothesis draws plans of random milestones (qualitative or quantitative, increasing or
decreasing, some broken into weighted sub-milestones) with random updates (drafts,
scheduled, same-day, after the as-of date) and a random as-of date; every milestone's
status, dates and progress (within 1e-9) must come out the same from
`Milestone.assessment` (Python) and `Milestone.objects.with_status` (SQL), and every plan's
progress from `weighted_progress` and `Plan.objects.with_progress`. The suite runs on
SQLite and on PostgreSQL (DATABASE_URL), so this holds on both.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans.models import Milestone, Plan
from plans.progress import weighted_progress
from tests.factories import make_plan, make_source
from tests.tracker_data import d, save_milestone

TODAY = datetime.date(2026, 11, 29)

days = st.integers(min_value=0, max_value=3000)
decimals = st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False)

update_st = st.fixed_dictionaries(
    {
        "as_of": days,
        "percent": st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)),
        "value": st.one_of(st.none(), decimals),
        "delivered": st.booleans(),
        # None: a draft; beyond TODAY: scheduled.
        "published": st.one_of(st.none(), st.integers(min_value=0, max_value=3000)),
    }
).filter(lambda u: u["percent"] is not None or u["value"] is not None or u["delivered"])

milestone_st = st.fixed_dictionaries(
    {
        "start": days,
        "length": st.one_of(
            st.integers(min_value=1, max_value=5), st.integers(min_value=1, max_value=1500)
        ),
        "quantitative": st.booleans(),
        "baseline": decimals,
        "target": decimals,
        "weight": st.decimals(min_value=Decimal("0.001"), max_value=1000, places=3),
        "updates": st.lists(update_st, max_size=5),
    }
).filter(lambda m: not m["quantitative"] or m["baseline"] != m["target"])

plan_st = st.lists(
    st.tuples(milestone_st, st.lists(milestone_st, max_size=3)), min_size=1, max_size=4
)


@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2026, 11, 29, 12, tzinfo=datetime.UTC), tick=False)
@settings(
    max_examples=40,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan_data=plan_st, as_of=days, include_unpublished=st.booleans())
def test_pure_and_sql_agree(plan_data, as_of, include_unpublished):
    as_of = d(as_of)
    with transaction.atomic():
        plan = make_plan()
        source = make_source()
        for data, children in plan_data:
            parent = save_milestone(plan, data, source)
            for child in children:
                save_milestone(plan, child, source, parent=parent)

        rows = Milestone.objects.with_status(as_of, include_unpublished=include_unpublished)
        pure_by_pk = {}
        for milestone in Milestone.objects.filter(plan=plan).prefetch_related(
            "updates", "children__updates"
        ):
            pure_by_pk[milestone.pk] = milestone.assessment(
                as_of, include_unpublished=include_unpublished
            )
        for row in rows.filter(plan=plan):
            pure = pure_by_pk[row.pk]
            assert row.status == pure.status, (row.pk, pure.inputs)
            assert row.latest_update_on == pure.latest_update_on
            assert row.achieved_on == pure.achieved_on
            assert row.expected_progress == pytest.approx(pure.expected, abs=1e-9)
            if pure.progress is None:
                assert row.progress is None
            else:
                assert row.progress == pytest.approx(pure.progress, abs=1e-9)

        top = [m for m in Milestone.objects.filter(plan=plan, parent=None)]
        expected = weighted_progress([(m.weight, pure_by_pk[m.pk].progress) for m in top])
        annotated = Plan.objects.with_progress(as_of, include_unpublished=include_unpublished).get(
            pk=plan.pk
        )
        if expected is None:
            assert annotated.progress is None
        else:
            assert annotated.progress == pytest.approx(expected, abs=1e-9)
        counts = {s: getattr(annotated, f"n_{s}") for s in ("achieved", "missed", "behind")}
        for status, n in counts.items():
            assert n == sum(1 for m in top if pure_by_pk[m.pk].status == status)
        transaction.set_rollback(True)
