"""Scorecards: milestones counted by status as of a date, for the nation, a jurisdiction
and a deadline year; each agrees with the statuses of the milestones list."""

import datetime
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from plans import snapshot
from plans.progress import Status
from tests.factories import make_jurisdiction, make_milestone, make_plan, make_update

pytestmark = pytest.mark.django_db

AS_OF = "2023-01-15"


@pytest.fixture
def client():
    return APIClient()


@pytest.fixture
def milestones():
    province = make_jurisdiction(code="910000")
    city = make_jurisdiction(code="910100", level="key_city", parent=province)
    other = make_jurisdiction(code="920000")
    plan = make_plan(jurisdiction=province, issued_on=datetime.date(2021, 1, 1))
    made = [
        make_milestone(plan=plan, deadline=datetime.date(2022, 12, 31)),
        make_milestone(plan=plan, deadline=datetime.date(2025, 12, 31)),
        make_milestone(
            plan=make_plan(jurisdiction=city, issued_on=datetime.date(2021, 1, 1)),
            deadline=datetime.date(2022, 12, 31),
        ),
        make_milestone(
            plan=make_plan(jurisdiction=other, issued_on=datetime.date(2021, 1, 1)),
            deadline=datetime.date(2024, 6, 30),
        ),
    ]
    make_update(milestone=made[0], as_of=datetime.date(2022, 6, 30), delivered=True)
    return made


def statuses(client, **params):
    rows = client.get("/api/v1/milestones/", {"as_of": AS_OF, **params}).json()["results"]
    return Counter(row["status"] for row in rows)


def as_counter(card):
    return Counter({status: n for status, n in card["counts"].items() if n})


def test_national_scorecard_counts_every_milestone(client, milestones):
    card = client.get("/api/v1/scorecards/national/", {"as_of": AS_OF}).json()
    assert card["scope"] == "national"
    assert card["as_of"] == AS_OF
    assert card["total"] == 4
    assert set(card["counts"]) == set(Status.values)
    assert as_counter(card) == statuses(client)


def test_a_jurisdictions_scorecard_includes_those_directly_under_it(client, milestones):
    card = client.get("/api/v1/scorecards/jurisdictions/910000/", {"as_of": AS_OF}).json()
    assert card["total"] == 3
    assert as_counter(card) == statuses(client, jurisdiction="910000")
    assert card["api_url"] == "http://testserver/api/v1/scorecards/jurisdictions/910000/"


def test_league_table_has_one_card_per_jurisdiction_with_milestones(client, milestones):
    cards = client.get("/api/v1/scorecards/jurisdictions/", {"as_of": AS_OF}).json()["results"]
    assert [(card["scope"], card["total"]) for card in cards] == [
        ("910000", 2),
        ("910100", 1),
        ("920000", 1),
    ]


def test_deadline_year_scorecards(client, milestones):
    cards = client.get("/api/v1/scorecards/deadlines/", {"as_of": AS_OF}).json()["results"]
    assert [(card["scope"], card["total"]) for card in cards] == [
        ("2022", 2),
        ("2024", 1),
        ("2025", 1),
    ]
    card = client.get("/api/v1/scorecards/deadlines/2022/", {"as_of": AS_OF}).json()
    assert as_counter(card) == statuses(client, deadline_year=2022)


@pytest.mark.parametrize("path", ["jurisdictions", "deadlines"])
def test_the_lists_of_scorecards_are_paginated_as_every_list(client, milestones, path):
    url = f"/api/v1/scorecards/{path}/"
    whole = client.get(url, {"as_of": AS_OF}).json()
    assert whole["count"] == 3 and whole["next"] is None
    first = client.get(url, {"as_of": AS_OF, "page_size": 2}).json()
    assert first["count"] == 3
    assert first["next"] == f"http://testserver{url}?as_of={AS_OF}&page=2&page_size=2"
    second = client.get(first["next"]).json()
    assert first["results"] + second["results"] == whole["results"]
    assert client.get(url, {"page": 3, "page_size": 2}).status_code == 404
    response = client.get(url, {"page_size": "0"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"page_size": ["Enter a whole number of 1 or more."]}


def test_todays_scorecards_are_sums_of_the_plans_rows_per_deadline_year(client, milestones):
    """With the status snapshot valid for today, no milestone is read: the cards are sums of
    `PlanYearSnapshot` rows (their agreement with the live counts after any writes is
    tests/test_status_snapshot.py's property test)."""
    snapshot.refresh(full=True)
    for path in [
        "national",
        "jurisdictions",
        "jurisdictions/910000",
        "deadlines",
        "deadlines/2022",
    ]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/scorecards/{path}/").status_code == 200
        sql = " ".join(query["sql"] for query in queries.captured_queries)
        assert "plans_planyearsnapshot" in sql, path
        assert '"plans_milestone"' not in sql, path
    card = client.get("/api/v1/scorecards/jurisdictions/910000/").json()
    assert card["total"] == 3
    assert as_counter(card) == Counter(
        row["status"]
        for row in client.get("/api/v1/milestones/", {"jurisdiction": "910000"}).json()["results"]
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/scorecards/national/",
        "/api/v1/scorecards/jurisdictions/",
        "/api/v1/scorecards/jurisdictions/910000/",
        "/api/v1/scorecards/deadlines/",
        "/api/v1/scorecards/deadlines/2022/",
    ],
)
def test_scorecards_show_in_the_browsable_api(client, milestones, path):
    browser = client.get(path, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert browser.status_code == 200
    assert browser["Content-Type"].startswith("text/html")
    assert client.get(path, {"format": "api"}).status_code == 200


def test_an_unknown_jurisdictions_scorecard_is_a_404_in_the_requests_language(client, db):
    path = "/api/v1/scorecards/jurisdictions/999999/"
    assert client.get(path, HTTP_ACCEPT_LANGUAGE="en").json() == {"detail": "Not found."}
    assert client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans").json() == {"detail": "未找到。"}


def test_scorecard_errors(client, db):
    assert client.get("/api/v1/scorecards/jurisdictions/999999/").status_code == 404
    assert client.get("/api/v1/scorecards/deadlines/1066/").status_code == 404
    response = client.get("/api/v1/scorecards/national/", {"as_of": "not-a-date"})
    assert response.status_code == 400
    assert response.json()["as_of"]


@pytest.mark.parametrize("rows", [3, 30])
def test_scorecards_cost_one_grouped_query_whatever_the_data(rows, django_assert_num_queries):
    jurisdiction = make_jurisdiction()
    for _ in range(rows):
        make_milestone(plan=make_plan(jurisdiction=jurisdiction))
    client = APIClient()
    # Each: the grouped query + "is the status snapshot valid for today?" (plans/snapshot.py).
    with django_assert_num_queries(2):
        assert client.get("/api/v1/scorecards/national/").json()["total"] == rows
    with django_assert_num_queries(2):
        client.get("/api/v1/scorecards/jurisdictions/")
    with django_assert_num_queries(2):
        client.get("/api/v1/scorecards/deadlines/")
    with django_assert_num_queries(3):  # + the jurisdiction
        client.get(f"/api/v1/scorecards/jurisdictions/{jurisdiction.code}/")


def test_the_api_root_and_the_scorecards_index_lead_to_every_scorecard(client, milestones):
    """An API consumer finds the scorecards from /api/v1/ as every other resource: the
    root lists /api/v1/scorecards/, which lists each kind, each answering 200."""
    root = client.get("/api/v1/", HTTP_ACCEPT="application/json").json()
    assert root["scorecards"] == "http://testserver/api/v1/scorecards/"
    index = client.get(root["scorecards"]).json()
    assert index == {
        "national": "http://testserver/api/v1/scorecards/national/",
        "jurisdictions": "http://testserver/api/v1/scorecards/jurisdictions/",
        "deadlines": "http://testserver/api/v1/scorecards/deadlines/",
    }
    for address in index.values():
        assert client.get(address).status_code == 200


def test_the_scorecards_index_keeps_the_date_asked_for(client, milestones):
    index = client.get("/api/v1/scorecards/", {"as_of": AS_OF}).json()
    assert index["national"].endswith(f"/api/v1/scorecards/national/?as_of={AS_OF}")
    card = client.get(index["national"]).json()
    assert card["as_of"] == AS_OF
    # With another parameter that DRF's reverse() carries over: one query string.
    index = client.get("/api/v1/scorecards/", {"format": "json", "as_of": AS_OF}).json()
    address = urlsplit(index["deadlines"])
    assert address.path == "/api/v1/scorecards/deadlines/"
    assert parse_qs(address.query, strict_parsing=True) == {"format": ["json"], "as_of": [AS_OF]}
    assert client.get(index["deadlines"]).json()["results"][0]["as_of"] == AS_OF
    response = client.get("/api/v1/scorecards/", {"as_of": "2023-02-30"})
    assert response.status_code == 400
    assert "as_of" in response.json()


def test_scorecards_have_no_csv_the_index_included(client, milestones):
    """As the cards, the index answers ?format=csv with a JSON 404 (its addresses would
    otherwise carry ?format=csv to cards that have none)."""
    for address in ("/api/v1/scorecards/", "/api/v1/scorecards/national/"):
        response = client.get(address, {"format": "csv"})
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
