"""Pages deep into a list are read keys first (govtracker/pagination.py): the same rows,
in the same order, as one query with OFFSET would give, in a bounded number of queries."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from govtracker import pagination
from govtracker.pagination import DataVersionedPaginator
from plans.models import Milestone, Plan, ProgressUpdate
from tests.factories import make_jurisdiction, make_tracked_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(frozen_today):
    province = make_jurisdiction(code="340000")
    return [make_tracked_plan(jurisdiction=province, number=n) for n in range(7)]


def rows_of(page):
    return [(row.pk, getattr(row, "status", None), str(row)) for row in page.object_list]


@pytest.fixture
def deep(monkeypatch):
    """Every page after the first is deep, so that a small list exercises the path."""
    monkeypatch.setattr(pagination, "DEEP_OFFSET", 1)


def test_a_deep_page_holds_the_rows_one_query_would_give_in_its_order(plans, deep):
    # Ties on the deadline, broken by position and id: the order must survive the two reads.
    milestones = (
        Milestone.objects.with_status()
        .select_related("plan__jurisdiction")
        .order_by("-deadline", "position", "id")
    )
    plain = Paginator(milestones, 4)
    keyed = DataVersionedPaginator(milestones, 4)
    assert keyed.num_pages == plain.num_pages == 7
    for number in plain.page_range:
        assert rows_of(keyed.page(number)) == rows_of(plain.page(number)), number
    # The computed status and the joined rows came with them.
    row = keyed.page(3).object_list[0]
    assert row.status and row.plan.jurisdiction.code == "340000"


def test_a_deep_page_takes_two_queries_whatever_the_offset(plans, deep):
    updates = ProgressUpdate.objects.select_related("milestone__plan").order_by("-as_of", "-id")
    paginator = DataVersionedPaginator(updates, 2)
    paginator.count  # noqa: B018 — counted once, as a page does before its rows
    for number in (2, paginator.num_pages):
        with CaptureQueriesContext(connection) as queries:
            rows = list(paginator.page(number).object_list)
            assert all(update.milestone.plan.pk for update in rows)
        assert len(queries) == 2
        assert "LIMIT" in queries[0]["sql"] and "JOIN" not in queries[0]["sql"]


def test_the_first_pages_stay_one_query(plans, monkeypatch):
    paginator = DataVersionedPaginator(Plan.objects.order_by("slug"), 2)
    paginator.count  # noqa: B018
    with CaptureQueriesContext(connection) as queries:
        list(paginator.page(2).object_list)
    assert len(queries) == 1


@pytest.mark.parametrize(
    "rows",
    [
        lambda: Plan.objects.order_by("slug").values("slug", "title"),
        lambda: Plan.objects.order_by("slug").distinct(),
    ],
    ids=["values", "distinct"],
)
def test_lists_that_are_not_plain_rows_are_paged_as_before(plans, deep, rows):
    plain, keyed = Paginator(rows(), 2), DataVersionedPaginator(rows(), 2)
    for number in plain.page_range:
        assert list(keyed.page(number).object_list) == list(plain.page(number).object_list)


def test_the_apis_deep_pages_are_the_pages_it_gave_before(plans, deep, monkeypatch):
    client = APIClient()
    for path in ("/api/v1/milestones/?page_size=3", "/api/v1/plans/?page_size=2&o=title"):
        keyed = [client.get(f"{path}&page={n}").json()["results"] for n in (1, 2, 3)]
        monkeypatch.setattr(pagination, "DEEP_OFFSET", 10**9)
        plain = [client.get(f"{path}&page={n}").json()["results"] for n in (1, 2, 3)]
        monkeypatch.setattr(pagination, "DEEP_OFFSET", 1)
        assert keyed == plain and all(keyed), path


def test_the_last_page_asks_for_a_whole_pages_rows(plans):
    """A list of one row is read with LIMIT 50, not LIMIT 1: with the smaller LIMIT,
    PostgreSQL walked every plan in the list's order to meet the one early (41 ms for a
    province with one plan at national scale; 1.6 ms asked for a page)."""
    one = Plan.objects.filter(pk=plans[0].pk).order_by("-issued_on", "id")
    paginator = DataVersionedPaginator(one, 50)
    paginator.count  # noqa: B018
    with CaptureQueriesContext(connection) as queries:
        rows = list(paginator.page(1).object_list)
    assert [row.pk for row in rows] == [plans[0].pk]
    assert queries[0]["sql"].endswith("LIMIT 50")
    # With orphans, the last page still runs to the end of the list.
    three = Plan.objects.order_by("slug")[:3].values_list("pk", flat=True)
    paginator = DataVersionedPaginator(
        Plan.objects.filter(pk__in=list(three)).order_by("slug"), 2, orphans=1
    )
    assert paginator.num_pages == 1 and len(paginator.page(1).object_list) == 3
