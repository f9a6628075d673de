"""Every page's query count, pinned at two data sizes: the count must not grow with the data.

Each page is measured once with 3 plans (12 milestones, 6 updates, 3 observations) and once
with 30 (120, 60, 30); the count is the same and equals the pinned number.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    make_indicator,
    make_jurisdiction,
    make_observation,
    make_target,
    make_tracked_plan,
)

pytestmark = pytest.mark.django_db

# Pages that show statuses as of today cost one query more than their rows: "is the status
# snapshot valid for today?" (plans/snapshot.py), asked once per request however many
# roll-ups the page makes (with SCORECARD_CACHE on, as in production, the answer is a
# cached value instead: tests/test_cache.py). A page as of another date (?as_of=) computes
# live and skips it.
PAGES = {
    "/en/": 8,
    "/en/plans/": 4,
    "/en/plans/?status=missed&q=虛構&o=-issued": 4,
    "/en/plans/?as_of=2022-07-01": 3,
    # The plan's sources and its updates' in one query (govtracker/related.py).
    "/en/plans/p0/": 6,
    "/en/plans/p0/?as_of=2022-07-01": 5,
    "/en/plans/p0/updates/": 4,
    "/en/plans/p0/updates/?as_of=2022-07-01": 4,
    "/en/jurisdictions/340000/": 8,
    # Its latest updates are today's whatever the date, read from the snapshot when it is
    # valid for today: the page as of another date asks too.
    "/en/jurisdictions/340000/?as_of=2022-07-01": 8,
    # The list of years: the snapshot's check, then a sum of the plans' rows per year.
    "/en/deadlines/": 2,
    "/en/deadlines/2022/": 5,
    "/en/deadlines/2022/?status=missed": 5,
    "/en/deadlines/2022/?as_of=2022-07-01": 5,
    "/en/indicators/": 2,
    "/en/indicators/fictional-indicator/": 7,
    "/en/about/": 0,
    "/en/feeds/updates/": 2,
    "/en/feeds/plans/p0/": 3,
    # The jurisdiction, the codes under it, the snapshot's check (cached in production),
    # the entries from the newest milestones, their sources.
    "/en/feeds/jurisdictions/340000/": 5,
}


def build(size: int) -> None:
    province = make_jurisdiction(code="340000")
    national = make_jurisdiction(level="national", code="CN")
    city = make_jurisdiction(level="key_city", parent=province)
    indicator = make_indicator(slug="fictional-indicator")
    for n in range(size):
        make_tracked_plan(jurisdiction=province if n % 2 else city, slug=f"p{n}", number=n)
        make_observation(
            indicator=indicator,
            jurisdiction=national,
            as_of=datetime.date(2000 + n, 1, 1),
            value=Decimal(n),
        )
        make_target(
            indicator=indicator,
            jurisdiction=national,
            value=Decimal(100),
            due_on=datetime.date(2100, 1, 1) - datetime.timedelta(days=n),
        )


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200, path
    return len(queries)


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize(("path", "expected"), list(PAGES.items()))
def test_query_count_does_not_grow_with_the_data(client, frozen_today, size, path, expected):
    build(size)
    client.get(path)  # warm any per-process cache (content types, OpenCC)
    assert count_queries(client, path) == expected


# + the snapshot check for the lists of statuses (see PAGES).
CSV = {
    "/en/plans/?format=csv": 2,
    "/en/deadlines/2022/?format=csv": 2,
    "/en/indicators/?format=csv": 1,
    "/en/indicators/fictional-indicator/?format=csv": 4,
    "/en/jurisdictions/340000/?format=csv": 3,
}


@pytest.mark.parametrize(("path", "expected"), list(CSV.items()))
@pytest.mark.parametrize("size", [3, 30])
def test_csv_downloads_stream_in_a_fixed_number_of_queries(
    client, frozen_today, size, path, expected
):
    build(size)
    assert count_queries(client, path) == expected


def test_sitemap_queries_do_not_grow_with_the_data(client, frozen_today):
    build(3)
    paths = ["/sitemap.xml", "/sitemap-plans.xml", "/sitemap-jurisdictions.xml"]
    small = [count_queries(client, path) for path in paths]
    province = make_jurisdiction()
    for n in range(27):
        make_tracked_plan(jurisdiction=province, slug=f"more{n}")
    # The index: each section's count and latest change; the deadline years as the
    # deadline index counts them, whether the snapshot is valid for today first (both
    # kept in the data cache in production, counted here with nothing cached).
    assert [count_queries(client, path) for path in paths] == small == [7, 2, 2]
