"""The table of an indicator's observations, newest date first and by jurisdiction code
within a date, paged one date at a time.

At national scale an indicator has 3,000 observations a date (one per jurisdiction). Sorted
by `-as_of, jurisdiction__code` in one query, PostgreSQL reads every observation of the
newest date, joins each to its jurisdiction and sorts them all to return 50: about 8 ms a
page. Within one date it can walk the jurisdictions in code order instead, probing
`unique_observation (indicator, jurisdiction, as_of)` for each, and stop at the 50th: under
1 ms. So the table counts its observations per date (one GROUP BY, kept with the scorecards
until the data changes) and asks for a page lying within one date by that date alone.
A page across dates (at a date's end, or among dates with few observations each) is asked
for with the dates it spans, as before; either way one query a page.
"""

from django.db.models import Count
from django.utils.functional import cached_property

from govtracker.cache import cached_data
from govtracker.prepared import PreparedQuery
from metrics.models import Indicator, Observation


def _observations(indicator_id):
    return (
        Observation.objects.filter(indicator=indicator_id)
        .select_related("jurisdiction", "source")
        # The table shows neither row's timestamps: 100 a page not read and parsed.
        .defer("created", "modified", "source__created", "source__modified")
        .order_by("-as_of", "jurisdiction__code")
    )


# A page within one date, forwards or (in the date's second half) backwards: its rows
# prepared (govtracker/prepared.py). The date and the page's bounds are the query's shape
# (a LIMIT is written into the SQL): the busiest address, the newest date's first page,
# is one statement.
ON_DATE = PreparedQuery(
    "indicator-observations-on-date",
    lambda indicator_id, *, date, start, stop: _observations(indicator_id).filter(as_of=date)[
        start:stop
    ],
)
ON_DATE_BACKWARDS = PreparedQuery(
    "indicator-observations-on-date-backwards",
    lambda indicator_id, *, date, start, stop: (
        _observations(indicator_id)
        .filter(as_of=date)
        .order_by("-as_of", "-jurisdiction__code")[start:stop]
    ),
)


class ObservationTable:
    """A sliceable, countable sequence of an indicator's observations (what Django's
    Paginator takes), each with its jurisdiction and source loaded."""

    # The Paginator warns about an unordered list; this one is ordered by construction.
    ordered = True

    def __init__(self, indicator: Indicator):
        self.indicator = indicator

    def rows(self):
        return _observations(self.indicator.pk)

    @cached_property
    def dates(self) -> list[tuple]:
        """(date, observations on it), newest first; read once per request."""

        def count():
            return list(
                Observation.objects.filter(indicator=self.indicator)
                .order_by()
                .values_list("as_of")
                .annotate(n=Count("pk"))
                .order_by("-as_of")
            )

        return cached_data(f"indicator:{self.indicator.pk}:observation-dates", count)

    def count(self) -> int:
        return sum(n for _date, n in self.dates)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step is not None:
            raise TypeError("An ObservationTable is read a page (a slice) at a time.")
        start, stop = key.start or 0, key.stop if key.stop is not None else self.count()
        if start >= stop:
            return []
        spanned, first = self._dates_spanning(start, stop)
        if not spanned:  # past the end
            return []
        if len(spanned) > 1:
            return list(self.rows().filter(as_of__in=spanned)[start - first : stop - first])
        # Within one date: only the jurisdiction order is left to sort by. A page in the
        # date's second half is read from its end, backwards, so that no page walks more
        # than half of the date's jurisdictions.
        date = spanned[0]
        size = dict(self.dates)[date]
        start, stop = start - first, min(stop - first, size)
        if start <= size - stop:
            return ON_DATE.rows(self.indicator.pk, date=date, start=start, stop=stop)
        backwards = ON_DATE_BACKWARDS.rows(
            self.indicator.pk, date=date, start=size - stop, stop=size - start
        )
        return backwards[::-1]

    def _dates_spanning(self, start: int, stop: int) -> tuple[list, int]:
        """The dates holding rows start..stop-1, and the index of the first of them's first
        row in the whole table."""
        spanned, first, seen = [], 0, 0
        for date, n in self.dates:
            if seen + n > start and seen < stop:
                if not spanned:
                    first = seen
                spanned.append(date)
            seen += n
            if seen >= stop:
                break
        return spanned, first
