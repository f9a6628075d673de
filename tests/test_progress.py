"""The progress tracker at every boundary: the pure function and its SQL twin agree.

Each case is run through `plans.progress.assess` and through
`Milestone.objects.with_status` on a saved milestone, with time fixed by time-machine.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from plans.models import Milestone
from plans.progress import Report, Status, assess
from tests.factories import make_milestone, make_update

D = datetime.date
START, DEADLINE = D(2021, 1, 1), D(2022, 12, 31)  # 729 days
TODAY = datetime.datetime(2026, 11, 29, 12, tzinfo=datetime.UTC)


def day(n: int) -> datetime.date:
    """`n` days after the start."""
    return START + datetime.timedelta(days=n)


# (name, as_of, updates as (as_of, percent, delivered), expected status, expected p)
QUALITATIVE_CASES = [
    ("before the start", D(2020, 12, 31), [], Status.NOT_STARTED, None),
    ("on the start, nothing reported", START, [], Status.NO_REPORT, None),
    ("the day before the deadline, nothing", D(2022, 12, 30), [], Status.NO_REPORT, None),
    ("on the deadline, nothing", DEADLINE, [], Status.NO_REPORT, None),
    ("the day after the deadline, nothing", D(2023, 1, 1), [], Status.OVERDUE_UNREPORTED, None),
    (
        "on the deadline, 90% = 1 - tolerance",
        DEADLINE,
        [(day(700), 90, False)],
        Status.ON_TRACK,
        0.9,
    ),
    ("on the deadline, 89%", DEADLINE, [(day(700), 89, False)], Status.BEHIND, 0.89),
    ("the day after the deadline, 90%", D(2023, 1, 1), [(day(700), 90, False)], Status.MISSED, 0.9),
    ("delivered on the deadline", D(2023, 6, 1), [(DEADLINE, None, True)], Status.ACHIEVED, 1.0),
    ("100% on the deadline", D(2023, 6, 1), [(DEADLINE, 100, False)], Status.ACHIEVED, 1.0),
    (
        "delivered the day after",
        D(2023, 6, 1),
        [(D(2023, 1, 1), None, True)],
        Status.ACHIEVED_LATE,
        1.0,
    ),
    (
        "an update after the as-of date is ignored",
        D(2022, 6, 1),
        [(day(100), 80, False), (D(2022, 7, 1), None, True)],
        Status.ON_TRACK,
        0.8,
    ),
    (
        "a correction un-achieves",
        D(2023, 6, 1),
        [(day(100), 100, False), (day(200), 50, False)],
        Status.MISSED,
        0.5,
    ),
    (
        "re-achieved late dates from the new run",
        D(2023, 6, 1),
        [(day(100), 100, False), (day(200), 50, False), (D(2023, 2, 1), None, True)],
        Status.ACHIEVED_LATE,
        1.0,
    ),
    (
        "an unbroken run dates from its first report",
        D(2023, 6, 1),
        [(day(100), 100, False), (D(2023, 2, 1), None, True)],
        Status.ACHIEVED,
        1.0,
    ),
]


def status_by_sql(milestone, as_of, **kw):
    return Milestone.objects.with_status(as_of, **kw).get(pk=milestone.pk)


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("name", "as_of", "updates", "status", "p"),
    QUALITATIVE_CASES,
    ids=[c[0] for c in QUALITATIVE_CASES],
)
def test_qualitative_boundaries(name, as_of, updates, status, p):
    m = make_milestone(start_date=START, deadline=DEADLINE)
    reports = []
    for on, percent, delivered in updates:
        u = make_update(
            milestone=m,
            as_of=on,
            percent_complete=None if percent is None else Decimal(percent),
            delivered=delivered,
        )
        reports.append(u.as_report())
    pure = assess(start=START, deadline=DEADLINE, as_of=as_of, updates=reports, tolerance=0.1)
    sql = status_by_sql(m, as_of, tolerance=0.1)
    assert pure.status == status
    assert sql.status == status
    assert pure.progress == p
    assert sql.progress == p
    assert sql.expected_progress == pure.expected
    assert sql.latest_update_on == pure.latest_update_on
    assert sql.achieved_on == pure.achieved_on
    assert m.assessment(as_of).status == status


@pytest.mark.parametrize(
    ("percent", "status"), [(Decimal(40), Status.ON_TRACK), (Decimal("39.99"), Status.BEHIND)]
)
@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_p_exactly_at_expected_minus_tolerance_is_on_track(percent, status):
    # A 10-day period, half gone: e = 0.5, and 0.5 - 0.1 == 0.4 exactly in binary floats.
    m = make_milestone(start_date=D(2021, 1, 1), deadline=D(2021, 1, 11))
    make_update(milestone=m, as_of=D(2021, 1, 2), percent_complete=percent)
    pure = m.assessment(D(2021, 1, 6))
    assert pure.expected == 0.5
    assert (pure.progress == pure.expected - 0.1) is (status == Status.ON_TRACK)
    assert pure.status == status
    assert status_by_sql(m, D(2021, 1, 6)).status == status


def test_achieved_on_the_deadline_day_with_an_update_dated_on_the_deadline():
    a = assess(
        start=START, deadline=DEADLINE, as_of=DEADLINE, updates=[Report(DEADLINE, delivered=True)]
    )
    assert a.status == Status.ACHIEVED
    assert a.achieved_on == DEADLINE


def test_latest_is_the_greatest_date_then_the_greatest_id():
    same_day = [Report(day(10), percent=90, id=2), Report(day(10), percent=20, id=1)]
    a = assess(start=START, deadline=DEADLINE, as_of=day(20), updates=same_day)
    assert a.progress == 0.9
    a = assess(
        start=START,
        deadline=DEADLINE,
        as_of=day(20),
        updates=[*same_day, Report(day(11), percent=30, id=0)],
    )
    assert a.progress == 0.3


@pytest.mark.parametrize(
    ("baseline", "target", "value", "p"),
    [
        (0, 30, 12, 0.4),
        (0, 30, 45, 1.0),  # beyond the target: clamped
        (10, 30, 5, 0.0),  # below the baseline: clamped
        (100, 40, 70, 0.5),  # a decreasing target
        (100, 40, 40, 1.0),
        (100, 40, 120, 0.0),
    ],
)
@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_quantitative_progress_including_decreasing_targets(baseline, target, value, p):
    m = make_milestone(
        kind="quantitative",
        baseline_value=baseline,
        target_value=target,
        start_date=START,
        deadline=DEADLINE,
    )
    u = make_update(milestone=m, as_of=day(100), value=Decimal(value))
    pure = m.assessment(day(200))
    assert pure.progress == p
    assert status_by_sql(m, day(200)).progress == p
    assert pure.status == status_by_sql(m, day(200)).status
    assert pure.inputs["latest_update"] == u.as_report()


def test_a_zero_length_period_is_rejected():
    with pytest.raises(ValueError, match="zero-length"):
        assess(start=START, deadline=START, as_of=START)
    with pytest.raises(ValueError, match="zero-length"):
        assess(start=START, deadline=START - datetime.timedelta(days=1), as_of=START)


def test_a_quantitative_target_equal_to_its_baseline_is_rejected():
    with pytest.raises(ValueError):
        assess(
            start=START, deadline=DEADLINE, as_of=START, kind="quantitative", baseline=5, target=5
        )


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_drafts_and_scheduled_updates_count_only_when_asked():
    m = make_milestone(start_date=START, deadline=DEADLINE)
    make_update(milestone=m, as_of=day(100), published_on=None, delivered=True)
    make_update(milestone=m, as_of=day(50), published_on=D(2027, 1, 1), percent_complete=30)
    as_of = D(2022, 6, 1)
    assert status_by_sql(m, as_of).status == Status.NO_REPORT
    assert m.assessment(as_of).status == Status.NO_REPORT
    assert status_by_sql(m, as_of, include_unpublished=True).status == Status.ACHIEVED
    assert m.assessment(as_of, include_unpublished=True).status == Status.ACHIEVED


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_a_parent_takes_the_weighted_mean_of_its_children():
    parent = make_milestone(start_date=START, deadline=DEADLINE)
    a = make_milestone(
        plan=parent.plan, parent=parent, weight=3, start_date=START, deadline=D(2021, 12, 31)
    )
    b = make_milestone(
        plan=parent.plan, parent=parent, weight=1, start_date=START, deadline=DEADLINE
    )
    make_update(milestone=parent, as_of=day(10), delivered=True)  # its own reports are not read
    as_of = D(2022, 1, 10)
    assert status_by_sql(parent, as_of).status == Status.NO_REPORT
    make_update(milestone=a, as_of=D(2021, 12, 1), delivered=True)
    sql = status_by_sql(parent, as_of)
    assert sql.progress == pytest.approx(0.75)
    assert sql.latest_update_on == D(2021, 12, 1)
    assert sql.achieved_on is None
    assert parent.assessment(as_of).progress == pytest.approx(0.75)
    make_update(milestone=b, as_of=D(2023, 2, 1), percent_complete=100)
    late = D(2023, 3, 1)
    assert status_by_sql(parent, late).status == Status.ACHIEVED_LATE
    assert status_by_sql(parent, late).achieved_on == D(2023, 2, 1)
    assert parent.assessment(late).status == Status.ACHIEVED_LATE


def test_explanation_states_the_inputs():
    a = assess(
        start=D(2020, 10, 24),
        deadline=D(2022, 12, 31),
        as_of=D(2022, 7, 1),
        updates=[Report(D(2022, 6, 30), percent=40)],
    )
    with translation.override("en"):
        assert a.explanation == (
            "started 2020-10-24, due 2022-12-31, 77% of the time gone, "
            "40% reported on 2022-06-30 → behind"
        )
    overdue = assess(start=D(2020, 10, 24), deadline=D(2022, 12, 31), as_of=D(2026, 11, 29))
    with translation.override("en"):
        assert overdue.explanation == (
            "started 2020-10-24, due 2022-12-31, 100% of the time gone, nothing reported "
            "→ overdue, unreported"
        )


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_anhui_targets_today_are_overdue_unreported_and_the_2025_one_too(source_data):
    anhui = (
        Milestone.objects.with_status()
        .filter(plan__jurisdiction__code="340000")
        .order_by("deadline")
    )
    assert [(m.deadline, m.status) for m in anhui] == [
        (D(2022, 12, 31), Status.OVERDUE_UNREPORTED),
        (D(2025, 12, 31), Status.OVERDUE_UNREPORTED),
    ]
    assert all(m.progress is None for m in anhui)


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_status_is_filterable_and_the_list_takes_one_query(django_assert_num_queries):
    for n in (3, 30):
        Milestone.objects.all().delete()
        for i in range(n):
            m = make_milestone(start_date=START, deadline=DEADLINE)
            if i % 3:
                make_update(milestone=m, as_of=day(100), percent_complete=Decimal(10 * (i % 10)))
        with django_assert_num_queries(1):
            rows = list(Milestone.objects.with_status(D(2022, 6, 1)).filter(status=Status.BEHIND))
        assert len(rows) == sum(
            1 for i in range(n) if i % 3 and 10 * (i % 10) / 100 < 516 / 729 - 0.1
        )
        with django_assert_num_queries(1):
            texts = [m.status_explanation for m in Milestone.objects.with_status(D(2022, 6, 1))]
        assert len(texts) == n


@pytest.mark.django_db
def test_sub_milestones_nest_one_level_only():
    from django.core.exceptions import ValidationError

    top = make_milestone()
    child = make_milestone(plan=top.plan, parent=top)
    grandchild = Milestone(
        plan=top.plan, parent=child, statement="虛構", start_date=START, deadline=DEADLINE
    )
    with pytest.raises(ValidationError) as excinfo:
        grandchild.full_clean()
    assert "parent" in excinfo.value.message_dict
    top.parent = make_milestone(plan=top.plan)
    with pytest.raises(ValidationError):
        top.full_clean()


def test_explanations_print_days_as_date_format_does():
    from django.utils.formats import date_format

    from plans.progress import _day

    for day in (datetime.date(2022, 12, 31), datetime.date(999, 1, 2), datetime.date(2026, 2, 3)):
        assert _day(day) == date_format(day, "Y-m-d")
