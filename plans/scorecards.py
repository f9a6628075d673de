"""Roll-ups of milestone statuses: national, per jurisdiction, per deadline year.

Each is one query, whatever the number of milestones: the database groups the
`Milestone.objects.with_status` rows by status (and by jurisdiction or by whether the
deadline has passed), so the status of each milestone is computed once, and Python only
reshapes the few grouped rows. The national and jurisdiction counts are of top-level
milestones: a milestone broken into sub-milestones counts once, with the status its
sub-milestones give it, as in its plan's progress. A deadline year's counts are of every
milestone due that year, sub-milestones included: each has its own deadline, and a
parent's may fall in another year, so the year's scorecard counts what its page lists,
what its `?status=` links filter and what the list of deadline years counts.

The national and jurisdiction roll-ups of the default question (today, published updates)
are sums of the plans' snapshot rows (`PlanSnapshot`: counts per status, due, due and
delivered) when the status snapshot is valid for today: a sum over 60,000 plans instead of
a status computed for each of a million milestones, which is what a visitor waits for
after every edit (the data cache starts again then). `tests/test_status_snapshot.py`
checks that both ways give the same scorecards after any writes.
"""

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, IntegerField, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractYear

from govtracker.cache import cached_data
from plans import snapshot
from plans.models import Jurisdiction, Milestone, Plan, PlanYearSnapshot, today
from plans.progress import DELIVERED, OPEN, Status


@dataclass(frozen=True)
class Scorecard:
    """Counts of milestones by status, as of a date.

    `due` are those whose deadline has passed (t > d); `due_delivered` those of them
    achieved, on time or late.
    """

    as_of: datetime.date
    counts: dict[str, int] = field(default_factory=dict)
    due: int = 0
    due_delivered: int = 0

    def __getitem__(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def achieved(self) -> int:
        return self[Status.ACHIEVED]

    @property
    def late(self) -> int:
        return self[Status.ACHIEVED_LATE]

    @property
    def delivered(self) -> int:
        return sum(self[s] for s in DELIVERED)

    @property
    def missed(self) -> int:
        return self[Status.MISSED]

    @property
    def unreported(self) -> int:
        """Past their deadline with nothing reported."""
        return self[Status.OVERDUE_UNREPORTED]

    @property
    def open(self) -> int:
        """Not yet due and not yet achieved: not started, no report, on track, behind."""
        return sum(self[s] for s in OPEN)

    @property
    def share_due_delivered(self) -> float | None:
        """The share of milestones past their deadline that were delivered (None when
        none is due yet)."""
        return self.due_delivered / self.due if self.due else None

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of,
            "counts": {s: self[s] for s in STATUSES},
            "total": self.total,
            "due": self.due,
            "due_delivered": self.due_delivered,
            "share_due_delivered": self.share_due_delivered,
        }


@dataclass(frozen=True)
class DeadlineYearScorecard(Scorecard):
    """ "Due by end-2022: n achieved, n late, n missed, n unreported, n open": every
    milestone due in the year, sub-milestones included."""

    year: int = 0


def _grouped(
    milestones,
    as_of: datetime.date,
    *,
    by: tuple[str, ...] = (),
    include_unpublished=False,
    top_level: bool = True,
):
    """Rows of (by..., status, is_due, n): one GROUP BY query, over the top-level
    milestones among `milestones` (`top_level`) or over all of them."""
    milestones = milestones.with_status(as_of, include_unpublished=include_unpublished)
    if top_level:
        milestones = milestones.top_level()
    return (
        milestones.annotate(
            is_due=Case(
                When(deadline__lt=as_of, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by()
        .values(*by, "status", "is_due")
        .annotate(n=Count("pk"))
    )


def _scorecard(rows, as_of: datetime.date, cls=Scorecard, **extra) -> Scorecard:
    counts: dict[str, int] = {}
    due = due_delivered = 0
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + row["n"]
        if row["is_due"]:
            due += row["n"]
            if row["status"] in DELIVERED:
                due_delivered += row["n"]
    return cls(as_of=as_of, counts=counts, due=due, due_delivered=due_delivered, **extra)


SNAPSHOT_COUNTS = ("n_due", "n_due_delivered", *(f"n_{s}" for s in Status.values))


def _summed(rows, prefix: str, as_of: datetime.date, cls=Scorecard, **extra) -> Scorecard:
    """A scorecard summed over snapshot `rows` whose counts are named SNAPSHOT_COUNTS
    (behind `prefix`, the path to them from `rows`' model)."""
    totals = rows.order_by().aggregate(
        **{name: Coalesce(Sum(f"{prefix}{name}"), 0) for name in SNAPSHOT_COUNTS}
    )
    counts = {s: totals[f"n_{s}"] for s in STATUSES if totals[f"n_{s}"]}
    return cls(
        as_of=as_of,
        counts=counts,
        due=totals["n_due"],
        due_delivered=totals["n_due_delivered"],
        **extra,
    )


def _from_plan_snapshot(plans, as_of: datetime.date) -> Scorecard | None:
    """The scorecard of `plans`' milestones summed from the plans' snapshot rows, or None
    when the snapshot does not answer for `as_of` (another day, or not yet refreshed)."""
    if not snapshot.is_fresh(as_of, using=plans.db):
        return None
    # A plan without a row has no milestone: its NULLs add nothing.
    return _summed(plans, "snapshot__", as_of)


def _from_year_snapshot(year: int, as_of: datetime.date) -> DeadlineYearScorecard:
    """The deadline year's scorecard summed from the plans' rows for that year (the
    snapshot must answer for `as_of`)."""
    rows = PlanYearSnapshot.objects.filter(year=year)
    return _summed(rows, "", as_of, cls=DeadlineYearScorecard, year=year)


def _public_cached(key: str, compute, include_unpublished: bool):
    """The public roll-ups are shared by many pages (every page of a jurisdiction's or a
    year's list, the API): kept in the cache under the data version (govtracker/cache.py).
    Editors' counts, with drafts, are computed each time."""
    if include_unpublished:
        return compute()
    return cached_data(f"scorecard:{key}", compute)


def national_scorecard(
    as_of: datetime.date | None = None, *, include_unpublished: bool = False
) -> Scorecard:
    """Every milestone of every plan, counted by status."""
    as_of = as_of or today()

    def compute():
        if not include_unpublished:
            card = _from_plan_snapshot(Plan.objects.all(), as_of)
            if card is not None:
                return card
        rows = _grouped(Milestone.objects.all(), as_of, include_unpublished=include_unpublished)
        return _scorecard(rows, as_of)

    return _public_cached(f"national:{as_of}", compute, include_unpublished)


def jurisdiction_scorecard(
    jurisdiction: Jurisdiction,
    as_of: datetime.date | None = None,
    *,
    include_unpublished: bool = False,
) -> Scorecard:
    """The milestones of the plans a jurisdiction issued."""
    as_of = as_of or today()

    def compute():
        if not include_unpublished:
            card = _from_plan_snapshot(Plan.objects.filter(jurisdiction=jurisdiction), as_of)
            if card is not None:
                return card
        rows = _grouped(
            Milestone.objects.in_jurisdiction(jurisdiction),
            as_of,
            include_unpublished=include_unpublished,
        )
        return _scorecard(rows, as_of)

    return _public_cached(f"jurisdiction:{jurisdiction.pk}:{as_of}", compute, include_unpublished)


def deadline_year_scorecard(
    year: int, as_of: datetime.date | None = None, *, include_unpublished: bool = False
) -> DeadlineYearScorecard:
    """The milestones due in a year ("due by end-2022"), sub-milestones included: the
    milestones the year's page lists (see the module's docstring)."""
    as_of = as_of or today()

    def compute():
        if not include_unpublished and snapshot.is_fresh(as_of):
            return _from_year_snapshot(year, as_of)
        rows = _grouped(
            Milestone.objects.due_in_year(year),
            as_of,
            include_unpublished=include_unpublished,
            top_level=False,
        )
        return _scorecard(rows, as_of, cls=DeadlineYearScorecard, year=year)

    return _public_cached(f"year:{year}:{as_of}", compute, include_unpublished)


def scorecards_by_jurisdiction(
    as_of: datetime.date | None = None, *, include_unpublished: bool = False
) -> dict[int, Scorecard]:
    """A scorecard for every jurisdiction that issued a plan with milestones, keyed by
    jurisdiction id, in one query (for the league table and the map). A jurisdiction
    missing from the result has no milestones: use `Scorecard(as_of)`."""
    as_of = as_of or today()
    rows = _grouped(
        Milestone.objects.all(),
        as_of,
        by=("plan__jurisdiction_id",),
        include_unpublished=include_unpublished,
    )
    per_jurisdiction: dict[int, list] = {}
    for row in rows:
        per_jurisdiction.setdefault(row["plan__jurisdiction_id"], []).append(row)
    return {j: _scorecard(r, as_of) for j, r in per_jurisdiction.items()}


def due_by_jurisdiction(
    milestones, as_of: datetime.date, *, codes: Collection[str] | None = None
) -> dict[str, tuple[int, int]]:
    """The map's figures: per jurisdiction code, (top-level milestones due, of which
    delivered) among `milestones` (annotated by `with_status(as_of)`, published updates
    only), each jurisdiction counting its own plans' and those of the jurisdictions
    directly under it (a province and its key cities). `codes` keeps only those codes.

    From the plans' snapshot rows when the snapshot answers for `as_of` (`milestones`
    must then be all of them, as on the home page); otherwise one grouped query over
    `milestones`."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def add(code, due: int, delivered: int) -> None:
        if code is not None and (codes is None or code in codes):
            counts[code][0] += due
            counts[code][1] += delivered

    if snapshot.is_fresh(as_of, using=milestones.db):
        rows = (
            Plan.objects.using(milestones.db)
            .filter(snapshot__n_due__gt=0)
            .order_by()
            .values("jurisdiction__code", "jurisdiction__parent__code")
            .annotate(due=Sum("snapshot__n_due"), delivered=Sum("snapshot__n_due_delivered"))
        )
        for row in rows:
            for code in (row["jurisdiction__code"], row["jurisdiction__parent__code"]):
                add(code, row["due"], row["delivered"])
    else:
        rows = (
            milestones.top_level()
            .filter(deadline__lt=as_of)
            .order_by()
            .values("plan__jurisdiction__code", "plan__jurisdiction__parent__code", "status")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            delivered = row["n"] if row["status"] in DELIVERED else 0
            for code in (row["plan__jurisdiction__code"], row["plan__jurisdiction__parent__code"]):
                add(code, row["n"], delivered)
    return {code: tuple(pair) for code, pair in counts.items()}


# --- The API's scorecards: every milestone, sub-milestones included ----------------------

# How the API groups its cards: one card, one per jurisdiction (of the plans' issuer), or
# one per deadline year.
API_GROUPS = {None: None, "jurisdiction": "plan__jurisdiction__code", "year": "year"}
# The order of a card's counts.
STATUSES = tuple(Status.values)


def api_status_counts(
    as_of: datetime.date,
    *,
    by: str | None = None,
    jurisdiction: Jurisdiction | None = None,
    year: int | None = None,
) -> list[tuple]:
    """[(group, counts)] for `/api/v1/scorecards/…`, sorted by group, `counts` a tuple of
    milestones in each of STATUSES. They count every milestone, sub-milestones included
    (README, "sub-milestones"), so that a card adds up to the statuses of
    `/api/v1/milestones/`. `by` groups them (API_GROUPS; the one group is None without
    it), leaving out groups without milestones; `jurisdiction` keeps the plans of it and of
    those directly under it, `year` the milestones due that year.

    Today's counts are sums of the plans' rows per deadline year (`PlanYearSnapshot`: every
    milestone has a deadline, so a plan's rows over every year count all its milestones)
    when the snapshot answers for today, a status computed for each of a million
    milestones otherwise (0.5-1.7 s at national scale); kept in the data cache either way,
    as the site's scorecards are, in this compact shape: 3,000 jurisdictions' cards as
    dicts took 2.8 ms a request to unpickle."""

    def compute() -> list[tuple]:
        if snapshot.is_fresh(as_of):
            return _api_counts_from_snapshot(by, jurisdiction, year)
        return _api_counts_live(as_of, by, jurisdiction, year)

    scope = f"{by}:{jurisdiction.pk if jurisdiction else ''}:{year or ''}:{as_of}"
    return cached_data(f"scorecard:api:{scope}", compute)


def _api_counts_from_snapshot(by, jurisdiction, year) -> list[tuple]:
    rows = PlanYearSnapshot.objects.order_by()
    if jurisdiction is not None:
        rows = rows.filter(plan__jurisdiction__in=Jurisdiction.objects.within(jurisdiction))
    if year is not None:
        rows = rows.filter(year=year)
    sums = {status: Sum(f"n_{status}") for status in STATUSES}
    group = API_GROUPS[by]
    if group is None:
        totals = rows.aggregate(**sums)
        grouped = [(None, tuple(totals[status] or 0 for status in STATUSES))]
    else:
        grouped = [
            (key, tuple(counts)) for key, *counts in rows.values_list(group).annotate(**sums)
        ]
    return sorted(row for row in grouped if any(row[1]))


def _api_counts_live(as_of, by, jurisdiction, year) -> list[tuple]:
    milestones = Milestone.objects.with_status(as_of)
    if jurisdiction is not None:
        milestones = milestones.filter(
            plan__jurisdiction__in=Jurisdiction.objects.within(jurisdiction)
        )
    if year is not None:
        milestones = milestones.due_in_year(year)
    group = API_GROUPS[by]
    if group == "year":
        milestones = milestones.annotate(year=ExtractYear("deadline"))
    elif group is None:
        group = "no_group"
        milestones = milestones.annotate(no_group=Value(None, output_field=IntegerField()))
    counts: dict = {}
    rows = milestones.order_by().values_list(group, "status").annotate(n=Count("pk"))
    for key, status, n in rows:
        counts.setdefault(key, dict.fromkeys(STATUSES, 0))[status] = n
    return sorted((key, tuple(by_status.values())) for key, by_status in counts.items())
