"""Roll-ups: plan progress and counts, national, per jurisdiction and per deadline year
scorecards, each in a bounded number of queries whatever the data size."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from plans import scorecards
from plans.models import Milestone, Plan
from plans.progress import Status
from tests.factories import make_jurisdiction, make_milestone, make_plan, make_update

D = datetime.date
AS_OF = D(2023, 6, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(datetime.datetime(2026, 11, 29, 12, tzinfo=datetime.UTC), tick=False):
        yield


def make_world(n: int, jurisdiction=None):
    """`n` plans, each with one milestone of every kind of outcome as of AS_OF."""
    jurisdiction = jurisdiction or make_jurisdiction()
    for _ in range(n):
        plan = make_plan(jurisdiction=jurisdiction, issued_on=D(2021, 1, 1))
        on_time = make_milestone(plan=plan, deadline=D(2022, 12, 31))
        make_update(milestone=on_time, as_of=D(2022, 6, 1), delivered=True)
        late = make_milestone(plan=plan, deadline=D(2022, 12, 31))
        make_update(milestone=late, as_of=D(2023, 2, 1), delivered=True)
        missed = make_milestone(plan=plan, deadline=D(2022, 12, 31))
        make_update(milestone=missed, as_of=D(2022, 6, 1), percent_complete=Decimal(50))
        make_milestone(plan=plan, deadline=D(2022, 12, 31))  # overdue, unreported
        make_milestone(plan=plan, deadline=D(2024, 12, 31))  # no report
        parent = make_milestone(plan=plan, deadline=D(2024, 12, 31), weight=2)
        child = make_milestone(plan=plan, parent=parent, deadline=D(2024, 12, 31))
        make_update(milestone=child, as_of=D(2023, 1, 1), percent_complete=Decimal(60))
        make_milestone(plan=plan, parent=parent, deadline=D(2024, 12, 31))
    return jurisdiction


def test_plan_progress_is_the_weighted_mean_of_top_level_milestones():
    make_world(1)
    plan = Plan.objects.with_progress(AS_OF).get()
    # Top level: 1, 1, 0.5, unreported (0), unreported (0), parent 0.3 with weight 2.
    assert plan.progress == pytest.approx((1 + 1 + 0.5 + 0 + 0 + 2 * 0.3) / 7)
    assert plan.n_milestones == 6
    assert plan.n_unreported == 2
    assert (plan.n_achieved, plan.n_achieved_late, plan.n_missed) == (1, 1, 1)
    assert (plan.n_overdue_unreported, plan.n_no_report, plan.n_behind) == (1, 1, 1)
    assert plan.n_on_track == plan.n_not_started == 0


def test_a_plan_with_nothing_reported_has_no_progress_rather_than_zero():
    make_milestone(plan=make_plan())
    plan = Plan.objects.with_progress(AS_OF).get()
    assert plan.progress is None
    assert plan.n_unreported == 1


def test_progress_alone_is_the_same_progress_from_the_snapshot_and_computed_live():
    """`with_progress(counts=False)`, what the plan page reads, annotates the same
    `progress` as the full roll-up and nothing else: on a past date (computed live) and
    today (the snapshot's row)."""
    from plans import snapshot

    make_world(2)
    make_milestone(plan=make_plan())  # nothing reported: no progress
    snapshot.refresh(full=True)
    today = D(2026, 11, 29)
    assert snapshot.is_fresh(today)
    for as_of in (AS_OF, today):
        full = dict(Plan.objects.with_progress(as_of).values_list("pk", "progress"))
        alone = Plan.objects.with_progress(as_of, counts=False)
        assert dict(alone.values_list("pk", "progress")) == full
        assert None in full.values() and len(set(full.values())) > 1
        assert not hasattr(alone.first(), "n_milestones")


def test_scorecards_count_top_level_milestones_by_status():
    home = make_world(2)
    make_world(1)
    national = scorecards.national_scorecard(AS_OF)
    assert national.total == 18
    assert (national.achieved, national.late, national.missed) == (3, 3, 3)
    assert national.unreported == 3
    assert national.open == 6
    assert national.due == 12
    assert national.due_delivered == 6
    assert national.share_due_delivered == 0.5
    mine = scorecards.jurisdiction_scorecard(home, AS_OF)
    assert mine.total == 12
    assert mine[Status.BEHIND] == 2
    by_year = scorecards.deadline_year_scorecard(2022, AS_OF)
    assert (by_year.achieved, by_year.late, by_year.missed, by_year.unreported, by_year.open) == (
        3,
        3,
        3,
        3,
        0,
    )
    # A deadline year counts every milestone due in it, sub-milestones included: per plan
    # the unreported one, the parent (behind) and its two children (on track, no report).
    by_year = scorecards.deadline_year_scorecard(2024, AS_OF)
    assert by_year.open == 12
    assert (by_year[Status.BEHIND], by_year[Status.ON_TRACK], by_year[Status.NO_REPORT]) == (
        3,
        3,
        6,
    )
    by_jurisdiction = scorecards.scorecards_by_jurisdiction(AS_OF)
    assert by_jurisdiction[home.pk].as_dict() == mine.as_dict()
    assert sum(card.total for card in by_jurisdiction.values()) == 18


def test_as_of_a_past_date():
    make_world(1)
    before = scorecards.national_scorecard(D(2022, 7, 1))
    assert before.achieved == 1
    assert before.late == 0
    assert before[Status.BEHIND] == 1  # 50% with 75% of the time gone
    assert before[Status.NO_REPORT] == 4  # updates dated after 2022-07-01 do not count
    assert before.due == 0


@pytest.mark.parametrize("size", [3, 30])
def test_each_roll_up_takes_one_query_whatever_the_size(size, django_assert_num_queries):
    home = make_world(size)
    with django_assert_num_queries(1):
        plans = list(Plan.objects.with_progress(AS_OF))
    assert len(plans) == size
    with django_assert_num_queries(1):
        assert scorecards.national_scorecard(AS_OF).total == 6 * size
    with django_assert_num_queries(1):
        assert scorecards.jurisdiction_scorecard(home, AS_OF).total == 6 * size
    with django_assert_num_queries(1):
        assert scorecards.deadline_year_scorecard(2022, AS_OF).total == 4 * size
    with django_assert_num_queries(1):
        assert scorecards.scorecards_by_jurisdiction(AS_OF)[home.pk].total == 6 * size
    with django_assert_num_queries(1):
        assert Milestone.objects.with_status(AS_OF).filter(status=Status.MISSED).count() == size


def test_todays_national_jurisdiction_and_map_figures_are_sums_of_the_plans_snapshot():
    from unittest import mock

    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    from plans import snapshot

    province = make_jurisdiction(code="340000", level="provincial")
    city = make_jurisdiction(code="340100", level="key_city", parent=province)
    make_world(2, province)
    make_world(1, city)
    today = D(2026, 11, 29)
    snapshot.refresh(full=True)

    def figures():
        return (
            scorecards.national_scorecard(today).as_dict(),
            scorecards.jurisdiction_scorecard(province, today).as_dict(),
            scorecards.jurisdiction_scorecard(city, today).as_dict(),
            scorecards.due_by_jurisdiction(Milestone.objects.with_status(today), today),
        )

    with override_settings(SCORECARD_CACHE=False):
        with CaptureQueriesContext(connection) as queries:
            from_snapshot = figures()
        with mock.patch.object(snapshot, "is_fresh", return_value=False):
            live = figures()
    # Read from the plans' rows: no milestone, no milestone's snapshot row, is read.
    read = [q["sql"] for q in queries.captured_queries if "plans_snapshotstate" not in q["sql"]]
    assert all("plans_plansnapshot" in sql and "plans_milestone" not in sql for sql in read)
    assert from_snapshot == live
    # Every top-level milestone of make_world is past its deadline today; 2 of 6 delivered.
    national, mine, city_card, due = from_snapshot
    assert (national["total"], national["due"], national["due_delivered"]) == (18, 18, 6)
    assert (mine["due"], city_card["due"]) == (12, 6)
    # The map: a province counts its key cities' plans too.
    assert due == {"340000": (18, 6), "340100": (6, 2)}


def make_split_world():
    """A plan whose 2025 milestone is broken into sub-milestones with their own deadlines:
    two achieved in 2024 and one unreported in 2025; beside them a top-level milestone
    missed in 2024."""
    plan = make_plan(issued_on=D(2021, 1, 1))
    parent = make_milestone(plan=plan, deadline=D(2025, 12, 31))
    for _ in range(2):
        child = make_milestone(plan=plan, parent=parent, deadline=D(2024, 12, 31))
        make_update(milestone=child, as_of=D(2024, 6, 30), delivered=True, percent_complete=None)
    make_milestone(plan=plan, parent=parent, deadline=D(2025, 6, 30))
    missed = make_milestone(plan=plan, deadline=D(2024, 12, 31))
    make_update(milestone=missed, as_of=D(2024, 6, 30), percent_complete=Decimal(50))


@pytest.mark.parametrize("fresh", [False, True], ids=["live", "snapshot"])
def test_a_deadline_year_counts_every_milestone_due_in_it_as_its_list_does(fresh):
    """The year's scorecard, the statuses of the milestones its page lists and the list
    of deadline years count the same milestones, sub-milestones included: computed live
    and summed from the snapshot's rows per plan and year."""
    from collections import Counter

    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    from plans import snapshot
    from plans.views import deadline_years

    make_split_world()
    today = D(2026, 11, 29)
    if fresh:
        snapshot.refresh(full=True)
    assert snapshot.is_fresh(today) is fresh
    with override_settings(SCORECARD_CACHE=False):
        with CaptureQueriesContext(connection) as queries:
            cards = {year: scorecards.deadline_year_scorecard(year, today) for year in (2024, 2025)}
        years = dict(deadline_years())
    read_rows = any("plans_planyearsnapshot" in q["sql"] for q in queries.captured_queries)
    assert read_rows is fresh
    for year, card in cards.items():
        listed = Counter(
            Milestone.objects.with_status(today).due_in_year(year).values_list("status", flat=True)
        )
        assert card.counts == dict(listed)
        assert card.total == years[year]
    # 2024: both sub-milestones achieved and the top-level one missed, all past due.
    assert cards[2024].counts == {Status.ACHIEVED: 2, Status.MISSED: 1}
    assert (cards[2024].due, cards[2024].due_delivered) == (3, 2)
    # 2025: the parent (two of three parts delivered: missed) and its unreported part.
    assert cards[2025].counts == {Status.MISSED: 1, Status.OVERDUE_UNREPORTED: 1}
    assert (cards[2025].due, cards[2025].due_delivered) == (2, 0)
    # The national scorecard still counts a parent once, its parts through it.
    assert scorecards.national_scorecard(today).total == 2
