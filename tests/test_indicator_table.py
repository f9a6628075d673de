"""The indicator page's table (metrics/tables.py): paged a date at a time, it must hold
exactly the rows, in exactly the order, of the one query it replaces
(`-as_of, jurisdiction__code`), for every page, whether the page lies within one date,
in a date's second half (read backwards) or across dates."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.tables import ObservationTable
from tests.factories import make_indicator, make_jurisdiction, make_observation, make_source

pytestmark = pytest.mark.django_db

# Observations per date, oldest first: dates with many (a page within one date, and one
# read backwards), dates with one or two (a page across many dates).
SIZES = [7, 1, 2, 23, 1, 11]


@pytest.fixture
def table():
    # Codes in an order that is not the ids' order, so that a sort by id would show.
    codes = [f"FT{n:02d}" for n in range(max(SIZES))]
    random.Random(7).shuffle(codes)
    jurisdictions = [make_jurisdiction(code=code) for code in codes]
    indicator = make_indicator(slug="fictional-table")
    other = make_indicator(slug="fictional-other")
    source = make_source()
    for year, size in enumerate(SIZES, start=2001):
        for jurisdiction in random.Random(year).sample(jurisdictions, size):
            for owner in (indicator, other):  # another indicator's rows must not leak in
                make_observation(
                    indicator=owner,
                    jurisdiction=jurisdiction,
                    as_of=datetime.date(year, 12, 31),
                    value=Decimal(year - 2000),
                    source=source,
                )
    return ObservationTable(indicator)


def expected_ids(table):
    return list(table.rows().values_list("id", flat=True))


def test_counts_the_observations_per_date_newest_first(table):
    assert [n for _date, n in table.dates] == SIZES[::-1]
    assert table.dates[0][0] == datetime.date(2006, 12, 31)
    assert table.count() == len(table) == sum(SIZES)


def test_every_slice_holds_the_rows_of_the_single_query_in_its_order(table):
    expected = expected_ids(table)
    total = len(expected)
    for start in range(total + 1):
        for stop in range(start, total + 2):
            assert [o.pk for o in table[start:stop]] == expected[start:stop], (start, stop)


def test_rows_carry_their_jurisdiction_and_source_without_more_queries(table):
    rows = table[0:10]
    with CaptureQueriesContext(connection) as queries:
        labels = [(row.jurisdiction.code, row.source.title) for row in rows]
    assert len(queries) == 0
    codes = [code for code, _title in labels[:7]]  # the newest date's 11 rows, in code order
    assert codes == sorted(codes)


def test_a_page_within_one_date_asks_for_that_date_alone(table):
    table.dates  # noqa: B018  (counted beforehand, as the paginator does)
    with CaptureQueriesContext(connection) as queries:
        table[2:6]  # the newest date (11 rows), first half
        table[8:11]  # the newest date, read from its end
        table[9:14]  # across the newest three dates
    first_half, second_half, across = (q["sql"] for q in queries)
    assert '"as_of" = ' in first_half and '"code" ASC' in first_half
    assert '"as_of" = ' in second_half and '"code" DESC' in second_half
    assert '"as_of" IN ' in across


def test_the_page_reads_the_table(client, table):
    response = client.get("/en/indicators/fictional-table/?jurisdiction=FT00")
    assert response.status_code == 200
    assert [o.pk for o in response.context["observations"]] == expected_ids(table)[:50]
    assert response.context["paginator"].count == sum(SIZES)


def test_only_pages_are_asked_for(table):
    with pytest.raises(TypeError):
        table[3]
    with pytest.raises(TypeError):
        table[0:10:2]
