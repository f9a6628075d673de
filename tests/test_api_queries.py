"""Every API list answers in the same number of queries whatever its length: pinned at
3 and at 30 rows (JSON page and CSV export)."""

import datetime

import pytest
from rest_framework.test import APIClient

from tests.factories import (
    make_editor,
    make_indicator,
    make_jurisdiction,
    make_milestone,
    make_observation,
    make_plan,
    make_source,
    make_target,
    make_update,
)

pytestmark = pytest.mark.django_db


def make_rows(resource: str, n: int) -> None:
    province = make_jurisdiction()
    source = make_source()
    for _ in range(n):
        if resource == "jurisdictions":
            make_jurisdiction(parent=province, level="key_city")
        elif resource == "sources":
            make_plan(jurisdiction=province).sources.add(make_source())
        elif resource == "plans":
            plan = make_plan(jurisdiction=province)
            plan.sources.add(source)
            make_milestone(plan=plan)
        elif resource == "milestones":
            make_milestone(plan=make_plan(jurisdiction=province))
        elif resource == "updates":
            make_update(
                milestone=make_milestone(plan=make_plan(jurisdiction=province)),
                sources=[source, make_source()],
            )
        elif resource == "indicators":
            indicator = make_indicator()
            indicator.sources.add(source)
            make_target(
                indicator=indicator,
                jurisdiction=province,
                value=50,
                due_on=datetime.date(2025, 12, 31),
                source=source,
            )
        elif resource == "observations":
            make_observation(jurisdiction=province, source=source)
        elif resource == "targets":
            make_target(
                indicator=make_indicator(),
                jurisdiction=province,
                value=50,
                due_on=datetime.date(2025, 12, 31),
                source=source,
            )


# Queries per request: count + rows (+ one per prefetched relation; the sources' ids of plans
# and updates come with their rows); plans and milestones, whose statuses are as of today,
# + "is the status snapshot valid for today?" (plans/snapshot.py).
EXPECTED = {
    "jurisdictions": 2,
    "sources": 2,
    "plans": 3,  # + snapshot check
    "milestones": 3,  # + snapshot check
    "updates": 2,
    "indicators": 3,  # + sources
    "observations": 2,
    "targets": 2,
}


@pytest.mark.parametrize("resource", sorted(EXPECTED))
@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(
    resource, rows, django_assert_num_queries, settings
):
    settings.API_ANON_RATE = ""  # the throttle's cache is not the database, but keep it out
    make_rows(resource, rows)
    client = APIClient()
    with django_assert_num_queries(EXPECTED[resource]):
        response = client.get(f"/api/v1/{resource}/", {"page_size": 100})
    assert response.status_code == 200
    assert response.json()["count"] >= rows


@pytest.mark.parametrize("resource", sorted(EXPECTED))
@pytest.mark.parametrize("rows", [3, 30])
def test_csv_export_query_count_does_not_grow_with_rows(
    resource, rows, django_assert_num_queries, settings
):
    settings.API_ANON_RATE = ""
    make_rows(resource, rows)
    client = APIClient()
    # No count query; the rows are read in chunks of 2000, each with its prefetches.
    with django_assert_num_queries(EXPECTED[resource] - 1):
        response = client.get(f"/api/v1/{resource}/", {"format": "csv"})
        body = b"".join(response.streaming_content)
    assert body.count(b"\n") >= rows + 1


@pytest.mark.parametrize("rows", [3, 30])
def test_an_editors_update_list_with_drafts_costs_one_query_more(rows, django_assert_num_queries):
    province = make_jurisdiction()
    for _ in range(rows):
        make_update(
            milestone=make_milestone(plan=make_plan(jurisdiction=province)), published_on=None
        )
    client = APIClient()
    client.force_authenticate(make_editor(province))
    # + "is this editor national?" (Jurisdiction.objects.editable_by); the scope itself is a
    # subquery, and a force-authenticated user costs no lookup.
    with django_assert_num_queries(EXPECTED["updates"] + 1):
        response = client.get("/api/v1/updates/", {"page_size": 100})
    assert response.json()["count"] == rows
