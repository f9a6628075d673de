"""A CSV export streams: the memory it needs does not grow with the number of rows.

The same export is read at two sizes, SMALL rows and 4 × SMALL rows (milestones created
cheaply with bulk_create), chunk by chunk, dropping each chunk, while tracemalloc follows
Python's allocations. Streaming, both peaks are the cost of the rows in flight (the exports
read the database 2,000 rows at a time; a chunk being written overlaps the next one being
fetched), so the larger export peaks within half again of the smaller one; an export built
in memory (a list of rows, a joined string) would peak about four times higher.
`make bench` measures the same on a gunicorn worker's resident memory while ~1,000,000
rows stream.
"""

import datetime
import tracemalloc

import pytest
from django.http import StreamingHttpResponse

from plans.models import Milestone
from tests.factories import make_plan

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SMALL = 4_000
LARGE = 4 * SMALL


def milestones(slug: str, count: int, year: int) -> None:
    plan = make_plan(slug=slug, title=f"虛構串流規劃 {slug}")
    Milestone.objects.bulk_create(
        Milestone(
            plan=plan,
            position=position,
            statement=f"虛構里程碑 {slug}-{position}：建成一體化政務服務平台",
            statement_en=f"Fictional milestone {slug}-{position}",
            start_date=datetime.date(2021, 1, 1),
            deadline=datetime.date(year, 1 + position % 12, 28),
        )
        for position in range(count)
    )


def stream(client, path: str) -> tuple[int, int]:
    """Lines of a streamed CSV, and the peak memory Python allocated while answering the
    request and reading the answer (traced from before the view runs, so rows gathered
    before the first chunk count too)."""
    lines = 0
    tracemalloc.start()
    try:
        response = client.get(path)
        assert response.status_code == 200, path
        assert isinstance(response, StreamingHttpResponse)
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
        # No response.close(): the test client closes it when the iteration ends, with
        # close_old_connections disconnected (closing again would drop the test's
        # PostgreSQL connection inside its transaction).
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return lines, peak


@pytest.mark.parametrize(
    ("small", "large"),
    [
        # The API's export (a serializer per row): one plan's milestones each.
        ("/api/v1/milestones/?format=csv&plan=small", "/api/v1/milestones/?format=csv&plan=large"),
        # The site's export (plans/views.csv_response): one deadline year each.
        ("/en/deadlines/2022/?format=csv", "/en/deadlines/2023/?format=csv"),
    ],
)
def test_a_csv_export_streams_in_bounded_memory(client, frozen_today, small, large):
    milestones("small", SMALL, 2022)
    milestones("large", LARGE, 2023)
    stream(client, small)  # imports, translations, per-process caches: not the export's
    small_lines, small_peak = stream(client, small)
    large_lines, large_peak = stream(client, large)
    assert small_lines == SMALL + 1 and large_lines == LARGE + 1  # a header and every row
    assert large_peak < 1.5 * small_peak, (
        f"{LARGE:,} rows peaked at {large_peak / 2**20:.1f} MiB, "
        f"{SMALL:,} rows at {small_peak / 2**20:.1f} MiB"
    )
