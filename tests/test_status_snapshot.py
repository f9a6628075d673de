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
import io
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import pytest
import tablib
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_export.formats.base_formats import CSV
from rest_framework.test import APIClient

from plans import scorecards, services, snapshot, views
from plans.models import (
    Jurisdiction,
    Milestone,
    MilestoneSnapshot,
    Plan,
    PlanSnapshot,
    PlanYearSnapshot,
    ProgressUpdate,
)
from plans.progress import Status
from plans.resources import PlanResource, ProgressUpdateResource
from plans.views import deadline_year_milestones, deadline_years
from tests.factories import (
    make_editor,
    make_jurisdiction,
    make_milestone,
    make_plan,
    make_source,
    make_update,
    make_user,
)
from tests.tracker_data import save_milestone, save_update

TODAY = datetime.date(2026, 11, 29)
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
    # A deadline moved, possibly into another year (the deadline-year scorecards).
    st.tuples(st.just("move_deadline"), index, st.integers(-800, 800)),
    st.tuples(st.just("day_change"), st.integers(-3, 3)),
)


@contextmanager
def live():
    """with_status computed live whatever the snapshot says."""
    with mock.patch.object(snapshot, "is_fresh", return_value=False):
        yield


FIELDS = ("status", "progress", "latest_update_on", "achieved_on", "expected_progress")
PLAN_FIELDS = ("progress", "n_milestones", "n_unreported", *(f"n_{s}" for s in Status.values))


def rounded(value):
    """A float to 12 decimals (progress is between 0 and 1): a weighted mean summed in
    another order, as the snapshot's roll-up and the live subquery may sum it, differs
    in its last bits (0.33379001899358046 against 0.3337900189935804); pages show
    progress to a tenth of a per cent."""
    return round(value, 12) if isinstance(value, float) else value


@override_settings(PAGE_CACHE=False, SCORECARD_CACHE=False)  # roll-ups computed, not cached
def answers():
    milestones = {
        m.pk: tuple(rounded(getattr(m, f)) for f in FIELDS) for m in Milestone.objects.with_status()
    }
    # The status alone (the home page's lists), from the snapshot or live, is the same.
    statuses = {m.pk: m.status for m in Milestone.objects.with_status(status_only=True)}
    assert statuses == {pk: figures[FIELDS.index("status")] for pk, figures in milestones.items()}
    plans = {
        p.pk: tuple(rounded(getattr(p, f)) for f in PLAN_FIELDS)
        for p in Plan.objects.with_progress()
    }
    # The plans list's status filter: any milestone, sub-milestones included.
    day = snapshot.today()
    plans_in_status = {
        status: set(Plan.objects.with_milestone_in_status(status, day).values_list("pk", flat=True))
        for status in Status.values
    }
    # ... and the list's order, newest first (from the snapshot: its copy of issued_on).
    plans_in_status["newest first"] = [
        list(
            Plan.objects.with_milestone_in_status(status, day, newest_first=True).values_list(
                "pk", flat=True
            )
        )
        for status in Status.values
    ]
    years = sorted({m.deadline.year for m in Milestone.objects.all()})
    # The deadline-year page's rows, in its order (from the snapshot: its copies).
    plans_in_status["deadline years"] = [
        [m.pk for m in deadline_year_milestones(year, day, status)]
        for year in years
        for status in (None, *Status.values)
    ]
    # Each jurisdiction's latest updates (from the snapshot: the milestones' newest update),
    # also the newest one and three, which more examples have more updates than.
    news = {}
    for n in (1, 3, views.HOME_ROWS):
        with mock.patch.object(views, "HOME_ROWS", n):
            news[n] = [
                [u.pk for u in views.jurisdiction_updates(j.pk, j.code)]
                for j in Jurisdiction.objects.order_by("pk")
            ]
    cards = [scorecards.national_scorecard().as_dict()]
    # National, per jurisdiction and the map's due figures: sums of the plans' rows when
    # the snapshot answers, grouped milestones' statuses otherwise.
    cards += [
        (j.pk, scorecards.jurisdiction_scorecard(j).as_dict())
        for j in Jurisdiction.objects.order_by("pk")
    ]
    cards += [scorecards.due_by_jurisdiction(Milestone.objects.with_status(), day)]
    cards += [scorecards.deadline_year_scorecard(year).as_dict() for year in years]
    cards += [deadline_years()]  # the list of years, every milestone counted
    # The API's, every milestone counted: sums of the plans' rows per year, or grouped.
    cards += [scorecards.api_status_counts(day, by=by) for by in scorecards.API_GROUPS]
    cards += [
        scorecards.api_status_counts(day, jurisdiction=j)
        for j in Jurisdiction.objects.order_by("pk")
    ]
    cards += [scorecards.api_status_counts(day, year=year) for year in years]
    cards += [
        (pk, card.as_dict()) for pk, card in sorted(scorecards.scorecards_by_jurisdiction().items())
    ]
    return milestones, plans, plans_in_status, cards, news


def assert_snapshot_equals_live():
    assert snapshot.is_fresh(snapshot.today())
    # The connection keeps its last 9,000 queries; once that many are logged (a property
    # test's examples add up), CaptureQueriesContext, which slices the log by position,
    # captures nothing.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        from_snapshot = answers()
    assert "plans_milestonesnapshot" in queries.captured_queries[-1]["sql"]
    assert any("plans_plansnapshot" in q["sql"] for q in queries.captured_queries)
    if Milestone.objects.exists():  # a deadline year to ask about
        assert any("plans_planyearsnapshot" in q["sql"] for q in queries.captured_queries)
    with live():
        assert from_snapshot == answers()
    # Each plan's row carries the plan's own issue date (the status filter's order), each
    # milestone's its deadline, position, plan and jurisdiction code (the deadline-year
    # page's order).
    assert not PlanSnapshot.objects.exclude(issued_on=F("plan__issued_on")).exists()
    copies = {
        "deadline": "milestone__deadline",
        "position": "milestone__position",
        "plan_ref": "milestone__plan_id",
        "jurisdiction_code": "milestone__plan__jurisdiction__code",
    }
    assert MilestoneSnapshot.objects.count() == Milestone.objects.count()
    for copy, original in copies.items():
        assert not MilestoneSnapshot.objects.exclude(**{copy: F(original)}).exists(), copy
    # ... and its own newest published update, by published on then id.
    newest = {}
    for update in ProgressUpdate.objects.published().order_by("published_on", "pk"):
        newest[update.milestone_id] = (update.published_on, update.pk)
    assert {
        row.pk: (row.last_published_on, row.last_published_ref)
        for row in MilestoneSnapshot.objects.filter(last_published_ref__isnull=False)
    } == newest


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
        elif kind == "move_deadline":
            deadline = milestone.deadline + datetime.timedelta(days=op[2])
            if deadline > milestone.start_date:
                milestone.deadline = deadline
                milestone.save()


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


# --- Each write path keeps the snapshot true ---------------------------------------------


@pytest.fixture
def fresh():
    """A plan with a parent milestone (two sub-milestones) and a leaf, some updates, and a
    snapshot valid for today (2026-11-29, frozen)."""
    with time_machine.travel(NOON, tick=False):
        province = make_jurisdiction(code="910000")
        plan = make_plan(jurisdiction=province, issued_on=datetime.date(2025, 1, 1))
        parent = make_milestone(plan=plan, deadline=datetime.date(2027, 12, 31))
        children = [
            make_milestone(plan=plan, parent=parent, deadline=datetime.date(2027, 6, 30))
            for _ in range(2)
        ]
        leaf = make_milestone(plan=plan, deadline=datetime.date(2026, 12, 31))
        make_update(milestone=children[0], as_of=datetime.date(2026, 6, 30))
        make_update(milestone=leaf, as_of=datetime.date(2026, 3, 31), percent_complete=20)
        snapshot.refresh(full=True)
        assert_snapshot_equals_live()
        yield {"province": province, "plan": plan, "parent": parent, "children": children}


def row(milestone) -> MilestoneSnapshot:
    return MilestoneSnapshot.objects.get(pk=milestone.pk)


def test_an_api_write_refreshes_the_milestone_and_its_parent(fresh):
    client = APIClient()
    client.force_authenticate(make_editor(fresh["province"]))
    child = fresh["children"][1]
    body = {
        "milestone": child.pk,
        "as_of": "2026-11-01",
        "percent_complete": "80",
        "published_on": "2026-11-29",
        "sources": [make_source().pk],
    }
    response = client.post("/api/v1/updates/", body, format="json")
    assert response.status_code == 201, response.json()
    assert row(child).progress == 0.8
    assert row(fresh["parent"]).latest_update_on == datetime.date(2026, 11, 1)
    assert_snapshot_equals_live()
    created = response.json()
    response = client.patch(
        f"/api/v1/updates/{created['id']}/",
        {"delivered": True, "version": created["version"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert row(child).achieved_on == datetime.date(2026, 11, 1)
    assert_snapshot_equals_live()


def test_admin_saves_and_deletions_refresh_it(fresh, admin_client):
    child = fresh["children"][1]
    response = admin_client.post(
        "/en/admin/plans/progressupdate/add/",
        {
            "milestone": child.pk,
            "as_of": "2026-10-01",
            "percent_complete": "40",
            "published_on": "2026-11-28",
            "sources": [make_source().pk],
        },
    )
    assert response.status_code == 302
    assert row(child).progress == 0.4
    assert_snapshot_equals_live()
    update = child.updates.get()
    response = admin_client.post(
        f"/en/admin/plans/progressupdate/{update.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert row(child).progress is None
    assert_snapshot_equals_live()


def test_a_spreadsheet_import_refreshes_it(fresh):
    child = fresh["children"][1]
    source = make_source()
    header = "id,milestone,as_of,percent_complete,value,delivered,narrative,narrative_en,sources,published_on\n"  # noqa: E501
    csv = header + f",{child.pk},2026-09-30,60,,0,虛構,,{source.pk},2026-11-29\n"
    editor = make_editor(fresh["province"])
    result = ProgressUpdateResource(user=editor).import_data(CSV().create_dataset(csv), user=editor)
    assert not result.has_validation_errors(), result.invalid_rows
    assert row(child).progress == 0.6
    assert_snapshot_equals_live()


def test_a_plans_new_issue_date_reaches_its_row_and_the_status_filters_order(fresh, client):
    """The plans list filtered by status sorts by the snapshot's copy of each plan's issue
    date: a date edited through the ORM, the API or a spreadsheet is copied at once."""
    province, first = fresh["province"], fresh["plan"]
    others = []
    for year in (2023, 2024):  # older than the fixture's plan (2025), in the same status
        plan = make_plan(jurisdiction=province, issued_on=datetime.date(year, 1, 1))
        make_milestone(plan=plan, deadline=datetime.date(2026, 12, 31))
        others.append(plan)
    status = Status.NO_REPORT  # a new milestone's, as the fixture's two sub-milestones'
    day = snapshot.today()

    def listed():
        page = client.get(f"/en/plans/?status={status}")
        assert page.status_code == 200
        return [plan.pk for plan in page.context["plans"]]

    assert listed() == [first.pk, others[1].pk, others[0].pk]
    others[0].issued_on = datetime.date(2026, 1, 1)  # the ORM
    others[0].save()
    assert PlanSnapshot.objects.get(pk=others[0].pk).issued_on == datetime.date(2026, 1, 1)
    assert listed() == [others[0].pk, first.pk, others[1].pk]
    api = APIClient()
    api.force_authenticate(make_editor(province))
    response = api.patch(  # the API
        f"/api/v1/plans/{others[1].slug}/",
        {"issued_on": "2026-06-01", "version": others[1].version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert listed() == [others[1].pk, others[0].pk, first.pk]
    exported = PlanResource().export(Plan.objects.filter(pk=first.pk))  # a spreadsheet
    values = list(exported[0])
    values[exported.headers.index("issued_on")] = "2026-09-01"
    dataset = tablib.Dataset(values, headers=exported.headers)
    editor = make_editor(province)
    result = PlanResource(user=editor).import_data(dataset, user=editor)
    assert not result.has_validation_errors() and not result.has_errors(), result.invalid_rows
    assert listed() == [first.pk, others[1].pk, others[0].pk]
    # The live order (a stale snapshot) is the same.
    with live():
        live_order = list(
            Plan.objects.with_milestone_in_status(status, day, newest_first=True).values_list(
                "pk", flat=True
            )
        )
    assert live_order == listed()
    assert_snapshot_equals_live()


def test_the_deadline_years_order_follows_moves_and_new_codes(fresh):
    """The deadline-year page sorts a day's milestones by their jurisdiction's code, plan
    and position, from the snapshot's copies: a plan moved to another jurisdiction, a
    jurisdiction's new code and a milestone's new position or deadline reorder it at once."""
    day = snapshot.today()
    due = datetime.date(2027, 12, 31)  # the fixture's parent milestone's deadline
    other = make_jurisdiction(code="900000")
    second = make_plan(jurisdiction=other)
    a = make_milestone(plan=second, deadline=due, position=2)
    b = make_milestone(plan=second, deadline=due, position=1)

    def order():
        with CaptureQueriesContext(connection) as queries:
            rows = [m.pk for m in deadline_year_milestones(2027, day, None)]
        assert (
            '"plans_milestonesnapshot"."jurisdiction_code"' in queries.captured_queries[-1]["sql"]
        )
        with live():
            assert [m.pk for m in deadline_year_milestones(2027, day, None)] == rows
        return rows

    parent = fresh["parent"].pk

    def due_last_day():
        return [pk for pk in order() if pk in {a.pk, b.pk, parent}]

    assert due_last_day() == [b.pk, a.pk, parent]  # 900000 before 910000; by position
    b.position = 3  # a new position
    b.save()
    assert due_last_day() == [a.pk, b.pk, parent]
    second.jurisdiction = make_jurisdiction(code="990000")  # the plan moves
    second.save()
    assert due_last_day() == [parent, a.pk, b.pk]
    other = second.jurisdiction
    other.code = "100000"  # the jurisdiction's code changes
    other.save()
    assert due_last_day() == [a.pk, b.pk, parent]
    a.deadline = datetime.date(2027, 1, 1)  # an earlier deadline that year
    a.save()
    assert order()[0] == a.pk
    assert_snapshot_equals_live()


def test_the_status_filter_reads_the_snapshots_copy_of_the_issue_date(fresh):
    with CaptureQueriesContext(connection) as queries:
        list(
            Plan.objects.with_milestone_in_status(
                Status.NO_REPORT, snapshot.today(), newest_first=True
            )
        )
    sql = queries.captured_queries[-1]["sql"]
    assert '"plans_plansnapshot"."has_no_report"' in sql
    assert 'ORDER BY "plans_plansnapshot"."issued_on" DESC' in sql


def test_a_jurisdictions_latest_updates_are_read_from_its_milestones_newest(fresh, client):
    """The jurisdiction page's latest updates: from the milestones whose own newest update
    is newest (the snapshot's copy), the same as every milestone's updates sorted, as
    updates are published, scheduled, moved between milestones and deleted, and as the
    plan moves to another jurisdiction."""
    province, plan = fresh["province"], fresh["plan"]
    first, second = fresh["children"]
    day = datetime.timedelta(days=1)
    # Eleven milestones' updates, one of them with four recent updates (which all come
    # before the other milestones' in the latest eight).
    milestones = [make_milestone(plan=plan, deadline=datetime.date(2027, 6, 30)) for _ in range(10)]
    for index, milestone in enumerate(milestones):
        make_update(milestone=milestone, published_on=TODAY - (20 + index) * day)
    busy = milestones[-1]
    recent = [make_update(milestone=busy, published_on=TODAY - n * day) for n in range(4)]

    def latest() -> list[int]:
        with CaptureQueriesContext(connection) as queries:
            rows = [u.pk for u in views.jurisdiction_updates(province.pk, province.code)]
        assert any('"last_published_on"' in q["sql"] for q in queries.captured_queries)
        with live():
            assert [u.pk for u in views.jurisdiction_updates(province.pk, province.code)] == rows
        return rows

    rows = latest()
    assert rows[:4] == [u.pk for u in recent]
    assert len(rows) == views.HOME_ROWS
    tomorrow = make_update(milestone=first, published_on=TODAY + day)  # scheduled: not yet
    assert latest() == rows
    tomorrow.published_on = TODAY
    tomorrow.save()
    assert latest()[0] == tomorrow.pk
    tomorrow.milestone = second  # moved to another milestone
    tomorrow.save()
    assert latest()[0] == tomorrow.pk
    recent[0].delete()
    assert recent[0].pk not in latest()
    plan.jurisdiction = make_jurisdiction(code="990000")  # the plan moves away
    plan.save()
    assert latest() == []
    assert_snapshot_equals_live()
    response = client.get("/en/jurisdictions/990000/")
    assert response.status_code == 200
    assert response.context["updates"][0].pk == tomorrow.pk


def test_a_jurisdictions_feed_reads_its_milestones_newest_as_its_page_does(fresh, monkeypatch):
    """The jurisdiction's Atom feed (its plans and its key cities'): from the milestones
    whose own newest update is newest, the same entries as every update sorted, with more
    milestones than the feed has entries, a busy milestone, a city's updates among the
    newest, a scheduled update, and the city's plan moving away."""
    from plans import feeds

    monkeypatch.setattr(feeds, "FEED_ITEMS", 5)
    province, plan = fresh["province"], fresh["plan"]
    city = make_jurisdiction(code="910100", level="key_city", parent=province)
    city_plan = make_plan(jurisdiction=city)
    day = datetime.timedelta(days=1)
    milestones = [make_milestone(plan=plan, deadline=datetime.date(2027, 6, 30)) for _ in range(6)]
    for index, milestone in enumerate(milestones):
        make_update(milestone=milestone, published_on=TODAY - (20 + index) * day)
    busy = milestones[-1]
    recent = [make_update(milestone=busy, published_on=TODAY - n * day) for n in range(1, 3)]
    in_the_city = make_milestone(plan=city_plan, deadline=datetime.date(2027, 6, 30))
    city_update = make_update(milestone=in_the_city, published_on=TODAY)
    make_update(milestone=milestones[0], published_on=TODAY + day)  # scheduled: not yet
    feed = feeds.JurisdictionUpdatesFeed()

    def entries() -> list[int]:
        with CaptureQueriesContext(connection) as queries:
            rows = [u.pk for u in feed.items(province)]
        assert any('"last_published_on"' in q["sql"] for q in queries.captured_queries)
        with live():
            assert [u.pk for u in feed.items(province)] == rows
        return rows

    rows = entries()
    assert rows[:3] == [city_update.pk, *(u.pk for u in recent)]
    assert len(rows) == 5
    city_plan.jurisdiction = make_jurisdiction(code="990000")  # the city's plan moves away
    city_plan.save()
    assert city_update.pk not in entries()


def test_publishing_and_unpublishing_refresh_it(fresh):
    child = fresh["children"][1]
    draft = make_update(milestone=child, as_of=datetime.date(2026, 8, 1), published_on=None)
    assert row(child).progress is None  # a draft does not count
    user = make_user(is_superuser=True, is_staff=True)
    assert services.updates_publish(updates=[draft], user=user) == 1
    assert row(child).progress == 0.5
    assert_snapshot_equals_live()
    assert services.updates_unpublish(updates=[draft], user=user) == 1
    assert row(child).progress is None
    assert_snapshot_equals_live()


def test_milestone_changes_and_drafted_milestones_refresh_it(fresh):
    parent, (first, second) = fresh["parent"], fresh["children"]
    first.weight = Decimal(3)
    first.save()
    assert_snapshot_equals_live()
    second.parent = None  # the parent's progress is now the first child's alone
    second.save()
    assert row(parent).progress == row(first).progress
    assert_snapshot_equals_live()
    user = make_user(is_superuser=True, is_staff=True)
    drafted = services.milestones_create_from_drafts(
        plan=fresh["plan"],
        drafts=[{"statement": "虛構新目標", "deadline": datetime.date(2027, 12, 31)}],
        user=user,
    )
    assert row(drafted[0]).progress is None
    first.delete()
    assert not MilestoneSnapshot.objects.filter(pk=first.pk).exists()
    assert row(parent).progress is None and row(parent).latest_update_on is None
    assert_snapshot_equals_live()
    assert (
        PlanSnapshot.objects.get(pk=fresh["plan"].pk).n_milestones == 4
    )  # parent, second, leaf, drafted
    fresh["plan"].delete()
    assert not MilestoneSnapshot.objects.exists()
    assert not PlanSnapshot.objects.exists()
    assert not PlanYearSnapshot.objects.exists()


def test_the_day_change_falls_back_to_live_until_the_refresh(fresh, client):
    child = fresh["children"][1]
    # Reported on the 29th for the 30th, published the next day: not counted today.
    make_update(
        milestone=child,
        as_of=datetime.date(2026, 11, 30),
        percent_complete=90,
        published_on=datetime.date(2026, 11, 30),
    )
    assert row(child).progress is None
    with time_machine.travel(NOON + datetime.timedelta(days=1), tick=False):
        assert not snapshot.is_fresh(snapshot.today())
        with live():
            expected = answers()
        with CaptureQueriesContext(connection) as queries:
            assert answers() == expected  # stale: computed live, so still right
        assert not any('snapshot"' in q["sql"] for q in queries.captured_queries)
        response = client.get(f"/en/plans/{fresh['plan'].slug}/")
        assert response.status_code == 200
        result = snapshot.refresh()
        assert (result.full, result.previous) == (False, TODAY)
        assert result.valid_for == TODAY + datetime.timedelta(days=1)
        # The child's and its parent's figures, then their statuses (90 % reported moves
        # both), their plan, and the plan's row for the parent's deadline year (a count
        # per status moved); no other milestone's status moved in a day.
        assert result.rows_written == 6
        assert row(child).progress == 0.9
        assert row(child).status == Milestone.objects.with_status().get(pk=child.pk).status
        assert_snapshot_equals_live()
        assert snapshot.refresh().rows_written == 0  # already valid for today


def test_the_daily_refresh_moves_statuses_that_only_the_date_changes(fresh):
    # Due today and never reported: "no report" today, overdue tomorrow, with no update
    # in between to touch it.
    with time_machine.travel(NOON, tick=False):
        due_today = make_milestone(plan=fresh["plan"], deadline=TODAY)
        assert row(due_today).status == Status.NO_REPORT
    with time_machine.travel(NOON + datetime.timedelta(days=1), tick=False):
        snapshot.refresh()
        assert row(due_today).status == Status.OVERDUE_UNREPORTED
        assert Milestone.objects.with_status().get(pk=due_today.pk).status == (
            Status.OVERDUE_UNREPORTED
        )
        assert_snapshot_equals_live()


def test_a_page_reads_the_snapshot_and_checks_it_once(fresh, client):
    with time_machine.travel(NOON, tick=False):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/en/").status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum("plans_snapshotstate" in q for q in sql) == 1
    assert any("plans_milestonesnapshot" in q for q in sql)


def test_the_command_refreshes_incrementally_or_in_full(fresh):
    out = io.StringIO()
    call_command("refresh_status_snapshot", stdout=out)
    assert "valid for 2026-11-29" in out.getvalue() and "incremental" in out.getvalue()
    MilestoneSnapshot.objects.all().delete()
    PlanSnapshot.objects.all().delete()
    call_command("refresh_status_snapshot", "--full", stdout=out)
    assert MilestoneSnapshot.objects.count() == Milestone.objects.count()
    assert PlanSnapshot.objects.count() == Plan.objects.count()
    assert_snapshot_equals_live()


def test_load_source_data_leaves_a_valid_snapshot():
    with time_machine.travel(NOON, tick=False):
        call_command("load_source_data", stdout=io.StringIO())
        assert snapshot.is_fresh(snapshot.today())
        assert MilestoneSnapshot.objects.count() == Milestone.objects.count() > 0
        assert_snapshot_equals_live()


@pytest.mark.django_db(transaction=True)
def test_backup_import_rebuilds_the_snapshot(tmp_path):
    with time_machine.travel(NOON, tick=False):
        milestone = make_milestone()
        make_update(milestone=milestone, published_on=datetime.date(2022, 7, 1))
        snapshot.refresh(full=True)
        bundle = tmp_path / "backup.zip"
        call_command("backup_export", str(bundle), verbosity=0)
        call_command("flush", "--noinput", verbosity=0)
        assert not MilestoneSnapshot.objects.exists()
        call_command("backup_import", str(bundle), verbosity=0)
        assert snapshot.is_fresh(snapshot.today())
        assert row(milestone).progress == 0.5
        assert_snapshot_equals_live()


def test_a_plans_counts_from_the_snapshot_are_ints(fresh):
    """Read as the database gives them (IntegerColumnOr0, no int() per value): ints on
    both databases, 0 for a plan without a snapshot row, as computed live."""
    bare = make_plan(jurisdiction=fresh["province"])  # no milestone: no row
    names = ["n_milestones", "n_unreported", *(f"n_{s}" for s in Status.values)]
    plans = {plan.pk: plan for plan in Plan.objects.with_progress()}
    with live():
        computed = {plan.pk: plan for plan in Plan.objects.with_progress()}
    for pk in (fresh["plan"].pk, bare.pk):
        counts = [getattr(plans[pk], name) for name in names]
        assert all(type(count) is int for count in counts), counts
        assert counts == [getattr(computed[pk], name) for name in names]
    assert plans[bare.pk].n_milestones == 0 and plans[fresh["plan"].pk].n_milestones == 2
    # The API's milestone count (SubqueryCount, also read as given): every milestone.
    listed = {plan.pk: plan.milestone_count for plan in Plan.objects.for_list()}
    assert listed == {fresh["plan"].pk: 4, bare.pk: 0}
    assert all(type(count) is int for count in listed.values())
