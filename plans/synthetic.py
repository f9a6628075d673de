"""Synthetic data at the scale of every level of government, for performance work.

`generate(scale, seed)` adds a fictional tree of jurisdictions (provinces > prefectures >
counties, under the national jurisdiction when it exists), their plans, milestones
(qualitative and quantitative, some broken into sub-milestones), progress updates (mostly
published, some drafts and scheduled ones, each citing a source), and a handful of
fictional indicators with yearly observations and targets for every jurisdiction.

- Deterministic: the same seed and scale give the same rows (each plan draws from its own
  random stream, so the milestones can be produced again for the updates' pass without
  holding a million of them in memory).
- Clearly fictional: every name says so in all three languages ("虛構省 01", "虚构省 01",
  "Fictional Province 01"); codes are "FX" and digits; every source names
  `SYNTHETIC_PUBLISHER` and no address.
- Separate from the real data: the rows of `load_source_data` are never written;
  `remove()` deletes only synthetic rows (found by their "FX" codes, "fictional-" slugs and
  publisher).
- Valid: every row satisfies the database constraints and the models' clean() rules
  (tests/test_synthetic.py checks both).
- No history: django-simple-history rows are not written for bulk generated data (they
  would double the volume and describe no editor's work); an edit made later through the
  admin or the API records history as usual.

The synthetic world is seen from `REFERENCE_DATE`: updates are dated up to it, and as of
it every status of the progress tracker occurs. Scheduled updates are set to appear in
`SCHEDULED_YEAR`, after any date this data is likely to be read at.
"""

import dataclasses
import datetime
import random
import time
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import Q

from govtracker.numbers import percent_of
from metrics.models import Indicator, IndicatorTarget, Observation
from plans import bulk_load, snapshot
from plans.models import (
    Editor,
    Jurisdiction,
    Milestone,
    MilestoneSnapshot,
    Plan,
    ProgressUpdate,
    Source,
)

REFERENCE_DATE = datetime.date(2026, 6, 30)
FIRST_ISSUE = datetime.date(2018, 1, 1)
# Plans are issued up to the day the world is seen from, never after it.
LAST_ISSUE = REFERENCE_DATE
LAST_YEAR = 2030
SCHEDULED_YEAR = 2030
OBSERVATION_YEARS = range(2018, 2026)
TARGET_DATES = (datetime.date(2025, 12, 31), datetime.date(2030, 12, 31))

CODE_PREFIX = "FX"
NAME_EN_PREFIX = "Fictional "
SLUG_PREFIX = "fictional-"
SYNTHETIC_PUBLISHER = "govtracker 虛構測試數據 (fictional synthetic data)"
DISCLAIMER = "虛構數據,僅供性能測試,不代表任何真實政府或文件。"
DISCLAIMER_EN = "Fictional data for performance testing; it describes no real government."
NATIONAL_CODE = "CN"

# The tracker's default tolerance is 0.10; "behind" rows fall well below it.
BEHIND_MARGIN = 0.15


@dataclasses.dataclass(frozen=True)
class Scale:
    provinces: int
    prefectures_per_province: int
    counties_per_prefecture: int
    plans: int
    milestones: int
    updates: int

    @property
    def jurisdictions(self) -> int:
        per_province = 1 + self.prefectures_per_province * (1 + self.counties_per_prefecture)
        return self.provinces * per_province


SCALES = {
    # 30 + 270 + 2,700 jurisdictions; 20 plans each; ~17 milestones a plan; 5 updates each.
    "national": Scale(30, 9, 10, 60_000, 1_000_000, 5_000_000),
    # 1/20 of national: 3 + 21 + 126 jurisdictions.
    "regional": Scale(3, 7, 6, 3_000, 50_000, 250_000),
    # For tests: 2 + 4 + 24 jurisdictions, runs in seconds on SQLite.
    "small": Scale(2, 2, 6, 60, 600, 3_000),
}


# --- Dates as day ordinals, with their text precomputed (millions of rows) -----------

_DAY0 = datetime.date(2017, 1, 1).toordinal()
_DAYS = [
    datetime.date.fromordinal(o).isoformat()
    for o in range(_DAY0, datetime.date(2032, 1, 1).toordinal())
]
REF = REFERENCE_DATE.toordinal()


def iso(ordinal: int) -> str:
    return _DAYS[ordinal - _DAY0]


def _stamp_suffix() -> str:
    # Timestamps: 04:00 UTC (noon in Asia/Shanghai) of the row's date. SQLite stores
    # naive UTC text, PostgreSQL parses the offset.
    return " 04:00:00+00:00" if bulk_load.is_postgresql() else " 04:00:00"


# --- Columns, checked against the models so a new column is not silently missed -------

COLUMNS = {
    Jurisdiction: ("id", "code", "level", "parent_id", "name_zh_hant", "name_zh_hans", "name_en"),
    Source: (
        "id",
        "title",
        "title_en",
        "publisher",
        "url",
        "published_on",
        "citation",
        "created",
        "modified",
    ),
    Plan: (
        "id",
        "version",
        "slug",
        "title",
        "title_en",
        "jurisdiction_id",
        "issuing_body",
        "issuing_body_en",
        "kind",
        "issued_on",
        "start_year",
        "end_year",
        "summary",
        "summary_en",
        "created",
        "modified",
    ),
    Milestone: (
        "id",
        "version",
        "plan_id",
        "parent_id",
        "position",
        "statement",
        "statement_en",
        "start_date",
        "deadline",
        "kind",
        "baseline_value",
        "target_value",
        "unit",
        "weight",
        "created",
        "modified",
    ),
    ProgressUpdate: (
        "id",
        "version",
        "milestone_id",
        "as_of",
        "percent_complete",
        "value",
        "delivered",
        "narrative",
        "narrative_en",
        "author_id",
        "published_on",
        "created",
        "modified",
    ),
    Indicator: (
        "id",
        "slug",
        "name",
        "name_en",
        "description",
        "description_en",
        "unit",
        "unit_label",
        "scope",
        "scope_en",
        "denominator",
        "direction",
        "created",
        "modified",
    ),
    Observation: (
        "id",
        "indicator_id",
        "jurisdiction_id",
        "as_of",
        "value",
        "numerator",
        "denominator",
        "source_id",
        "note",
        "created",
        "modified",
    ),
    IndicatorTarget: (
        "id",
        "indicator_id",
        "jurisdiction_id",
        "value",
        "due_on",
        "source_id",
        "note",
    ),
}
PLAN_SOURCES = Plan.sources.through
UPDATE_SOURCES = ProgressUpdate.sources.through
INDICATOR_SOURCES = Indicator.sources.through


def check_columns() -> None:
    """Fail loudly if a migration added a column the generator does not fill."""
    for model, columns in COLUMNS.items():
        actual = tuple(f.attname for f in model._meta.concrete_fields)
        if set(actual) != set(columns):
            raise RuntimeError(
                f"{model.__name__} columns changed: the generator writes {columns}, "
                f"the model has {actual}; update plans/synthetic.py."
            )


# --- Jurisdictions ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class JurisdictionRow:
    id: int
    code: str
    level: str
    parent_id: int | None
    number: str

    def names(self) -> tuple[str, str, str]:
        hant, hans, en = {
            Jurisdiction.Level.PROVINCIAL: ("虛構省", "虚构省", "Fictional Province"),
            Jurisdiction.Level.PREFECTURE: ("虛構市", "虚构市", "Fictional Prefecture"),
            Jurisdiction.Level.COUNTY: ("虛構縣", "虚构县", "Fictional County"),
        }[self.level]
        return f"{hant} {self.number}", f"{hans} {self.number}", f"{en} {self.number}"

    def row(self) -> tuple:
        return (self.id, self.code, self.level, self.parent_id, *self.names())


def jurisdiction_tree(scale: Scale, first_id: int, root_id: int | None) -> list[JurisdictionRow]:
    """Parents before children; codes FX01 (province), FX0103 (prefecture), FX010307."""
    assert max(scale.provinces, scale.prefectures_per_province, scale.counties_per_prefecture) < 100
    rows: list[JurisdictionRow] = []
    next_id = first_id

    def add(number: str, level: str, parent_id: int | None) -> int:
        nonlocal next_id
        rows.append(JurisdictionRow(next_id, CODE_PREFIX + number, level, parent_id, number))
        next_id += 1
        return next_id - 1

    for p in range(1, scale.provinces + 1):
        province = add(f"{p:02d}", Jurisdiction.Level.PROVINCIAL, root_id)
        for q in range(1, scale.prefectures_per_province + 1):
            prefecture = add(f"{p:02d}{q:02d}", Jurisdiction.Level.PREFECTURE, province)
            for c in range(1, scale.counties_per_prefecture + 1):
                add(f"{p:02d}{q:02d}{c:02d}", Jurisdiction.Level.COUNTY, prefecture)
    return rows


# --- Plans and milestones -----------------------------------------------------------

KIND_WORDS = {
    Plan.Kind.PLAN: ("建設規劃", "Construction Plan"),
    Plan.Kind.PROGRAMME: ("實施方案", "Implementation Programme"),
    Plan.Kind.WORK_POINTS: ("工作要點", "Work Points"),
    Plan.Kind.OPINION: ("指導意見", "Guiding Opinion"),
}
WEIGHTS = ("1.000", "1.000", "1.000", "1.000", "0.500", "1.500", "2.000")


@dataclasses.dataclass(frozen=True)
class PlanSpec:
    index: int
    id: int
    source_id: int
    jurisdiction: JurisdictionRow
    number: int
    milestones: int  # how many milestones this plan has
    first_milestone_id: int
    updates: int  # this plan's share of the updates


@dataclasses.dataclass(slots=True)
class MilestoneFacts:
    """What the updates' pass needs to know of a milestone."""

    id: int
    quantitative: bool
    leaf: bool
    start: int
    deadline: int
    baseline: float | None
    target: float | None


def split_evenly(total: int, parts: int, rng: random.Random) -> list[int]:
    """`parts` counts adding up to `total`, each near the mean, varying in pairs (one
    plan gets what its neighbour gives up) so the sum stays exact."""
    base, extra = divmod(total, parts)
    counts = [base + (1 if i < extra else 0) for i in range(parts)]
    for i in range(0, parts - 1, 2):
        shift = rng.randint(0, max(0, min(counts[i], counts[i + 1]) - 2) // 2)
        counts[i] += shift
        counts[i + 1] -= shift
    return counts


def plan_specs(
    scale: Scale,
    seed: int,
    jurisdictions: list[JurisdictionRow],
    *,
    first_plan_id: int,
    first_source_id: int,
    first_milestone_id: int,
) -> list[PlanSpec]:
    rng = random.Random(f"synthetic:{seed}:sizes")
    milestone_counts = split_evenly(scale.milestones, scale.plans, rng)
    specs = []
    milestone_id = first_milestone_id
    done = 0
    for i, count in enumerate(milestone_counts):
        # Updates in proportion to milestones, rounded so that the total is exact.
        updates = (scale.updates * (done + count)) // scale.milestones - (
            scale.updates * done
        ) // scale.milestones
        jurisdiction = jurisdictions[i % len(jurisdictions)]
        specs.append(
            PlanSpec(
                index=i,
                id=first_plan_id + i,
                source_id=first_source_id + i,
                jurisdiction=jurisdiction,
                number=i // len(jurisdictions) + 1,
                milestones=count,
                first_milestone_id=milestone_id,
                updates=updates,
            )
        )
        milestone_id += count
        done += count
    return specs


@dataclasses.dataclass(frozen=True)
class PlanDates:
    issued: int
    start_year: int
    end_year: int
    kind: str


def plan_dates(spec: PlanSpec, seed: int) -> PlanDates:
    rng = random.Random(f"synthetic:{seed}:plan:{spec.index}")
    issued = FIRST_ISSUE.toordinal() + rng.randrange(
        LAST_ISSUE.toordinal() - FIRST_ISSUE.toordinal()
    )
    year = datetime.date.fromordinal(issued).year
    kind = rng.choice(list(KIND_WORDS))
    return PlanDates(issued, year, min(LAST_YEAR, year + rng.randint(1, 5)), kind)


def plan_rows(spec: PlanSpec, dates: PlanDates, stamp: str) -> tuple[tuple, tuple]:
    """The plan and the source its updates cite."""
    j = spec.jurisdiction
    hant, _hans, en = j.names()
    label = f"{j.code}-{spec.number:02d}"
    word, word_en = KIND_WORDS[dates.kind]
    period = f"{dates.start_year}-{dates.end_year}"
    created = iso(dates.issued) + stamp
    plan = (
        spec.id,
        1,
        f"{SLUG_PREFIX}{j.code.lower()}-{spec.number:02d}",
        f"{hant}數字政府{word}({period}年)",
        f"{en} Digital Government {word_en} ({period})",
        j.id,
        f"{hant}人民政府",
        f"People's Government of {en}",
        dates.kind,
        iso(dates.issued),
        dates.start_year,
        dates.end_year,
        DISCLAIMER,
        DISCLAIMER_EN,
        created,
        created,
    )
    source = (
        spec.source_id,
        f"虛構進展報告 {label}",
        f"Fictional progress report {label}",
        SYNTHETIC_PUBLISHER,
        "",
        iso(REF),
        DISCLAIMER,
        created,
        created,
    )
    return plan, source


def _quantities(rng: random.Random) -> tuple[float, float, str]:
    """Baseline, target (never equal) and unit of a quantitative milestone."""
    roll = rng.random()
    if roll < 0.4:  # a share that rises
        baseline = float(rng.randint(0, 60))
        return baseline, baseline + rng.randint(10, 40), "%"
    if roll < 0.8:  # a count that rises
        baseline = float(rng.randint(0, 200))
        return baseline, baseline + rng.randint(5, 300), rng.choice(("項", "個", "套"))
    baseline = float(rng.randint(10, 60))  # days that fall
    return baseline, float(rng.randint(1, int(baseline) - 5)), "天"


def milestones(
    spec: PlanSpec, dates: PlanDates, seed: int, stamp: str
) -> Iterator[tuple[tuple, MilestoneFacts]]:
    """The plan's milestones (parents before their sub-milestones) and their facts."""
    rng = random.Random(f"synthetic:{seed}:milestones:{spec.index}")
    period_end = datetime.date(dates.end_year, 12, 31).toordinal()
    created = iso(dates.issued) + stamp
    next_id = spec.first_milestone_id
    remaining = spec.milestones
    position = 0

    def make(parent_id, start, deadline, leaf):
        nonlocal next_id, position, remaining
        position += 1
        remaining -= 1
        quantitative = leaf and rng.random() < 0.35
        if quantitative:
            baseline, target, unit = _quantities(rng)
            figures = (f"{baseline:.4f}", f"{target:.4f}", unit)
        else:
            baseline = target = None
            figures = (None, None, "")
        deadline_text = iso(deadline)
        row = (
            next_id,
            1,
            spec.id,
            parent_id,
            position,
            f"虛構目標 {position}:{deadline_text}前完成指定的建設任務。",
            f"Fictional target {position}: complete the assigned work by {deadline_text}.",
            iso(start),
            deadline_text,
            Milestone.Kind.QUANTITATIVE if quantitative else Milestone.Kind.QUALITATIVE,
            *figures,
            "1.000" if not leaf else rng.choice(WEIGHTS),
            created,
            created,
        )
        facts = MilestoneFacts(next_id, quantitative, leaf, start, deadline, baseline, target)
        next_id += 1
        return row, facts

    while remaining > 0:
        start = dates.issued + rng.randrange(120)
        deadline = start + rng.randint(90, period_end - start)
        children = rng.randint(2, 4) if remaining >= 3 and rng.random() < 0.08 else 0
        children = min(children, remaining - 1)
        row, facts = make(None, start, deadline, leaf=children == 0)
        yield row, facts
        span = deadline - start
        for _ in range(children):
            child_start = start + rng.randrange(span // 3)
            child_deadline = child_start + rng.randint(30, deadline - child_start)
            yield make(facts.id, child_start, child_deadline, leaf=True)


# --- Progress updates ---------------------------------------------------------------

CLOSED_SCENARIOS = (("achieved", 0.40), ("achieved_late", 0.20), ("missed", 0.28), ("none", 0.12))
OPEN_SCENARIOS = (("achieved", 0.08), ("on_track", 0.47), ("behind", 0.35), ("none", 0.10))
NARRATIVE = "虛構進展:按計劃推進。"
NARRATIVE_EN = "Fictional progress: work continues as planned."


def _pick(rng: random.Random, choices) -> str:
    roll = rng.random()
    for name, share in choices:
        roll -= share
        if roll < 0:
            return name
    return choices[-1][0]


def _scenario(rng: random.Random, m: MilestoneFacts) -> str | None:
    """What the milestone's updates will show as of REFERENCE_DATE (None: no updates)."""
    if not m.leaf or m.start > REF:
        return None  # parents take their progress from sub-milestones; not started yet
    if m.deadline < REF:
        scenario = _pick(rng, CLOSED_SCENARIOS)
    else:
        scenario = _pick(rng, OPEN_SCENARIOS)
        if scenario == "behind" and _expected(m) <= BEHIND_MARGIN + 0.02:
            scenario = "on_track"  # too early in the period to be behind
    return None if scenario == "none" else scenario


def _expected(m: MilestoneFacts) -> float:
    return min(1.0, max(0.0, (REF - m.start) / (m.deadline - m.start)))


def update_rows(
    m: MilestoneFacts, scenario: str, count: int, first_id: int, rng: random.Random, stamp: str
) -> list[tuple]:
    """`count` updates of one milestone, dated in order, ending as `scenario` says."""
    # The date of the last update and the progress it reports.
    if scenario == "achieved":
        last = rng.randint(m.start, min(m.deadline, REF))
        final = 1.0
    elif scenario == "achieved_late":
        last = rng.randint(m.deadline + 1, REF)
        final = 1.0
    elif scenario == "missed":
        last = rng.randint(m.start, REF)
        final = rng.uniform(0.05, 0.9)
    else:
        last = rng.randint(max(m.start, REF - 90), REF)
        expected = _expected(m)
        if scenario == "on_track":
            final = min(0.97, max(0.0, expected + rng.uniform(-0.05, 0.2)))
        else:
            final = rng.uniform(0.0, expected - BEHIND_MARGIN)
    before = final if final < 1.0 else rng.uniform(0.5, 0.95)
    days = sorted(rng.randint(m.start, last) for _ in range(count - 1)) + [last]

    rows = []
    for i, as_of in enumerate(days):
        done = i == count - 1 and final >= 1.0
        progress = final if i == count - 1 else before * (i + 1) / count
        percent = value = None
        delivered = False
        if done and rng.random() < 0.5:
            delivered = True
        elif m.quantitative:
            value = m.target if done else m.baseline + progress * (m.target - m.baseline)
            value = f"{value:.4f}"
        else:
            percent = f"{progress * 100:.2f}"
        published = as_of + rng.randrange(21)
        if i == count - 1:
            roll = rng.random()
            if roll < 0.04:
                published = None  # a draft
            elif roll < 0.06:  # scheduled for a day in SCHEDULED_YEAR
                published = datetime.date(SCHEDULED_YEAR, 1, 1).toordinal() + rng.randrange(365)
        created = iso(as_of) + stamp
        rows.append(
            (
                first_id + i,
                1,
                m.id,
                iso(as_of),
                percent,
                value,
                delivered,
                NARRATIVE,
                NARRATIVE_EN,
                None,
                None if published is None else iso(published),
                created,
                created,
            )
        )
    return rows


def plan_updates(
    spec: PlanSpec, facts: list[MilestoneFacts], budget: int, first_id: int, seed: int, stamp: str
) -> Iterator[tuple]:
    """The plan's updates: `budget` of them shared among the milestones that report."""
    rng = random.Random(f"synthetic:{seed}:updates:{spec.index}")
    reporting = [(m, s) for m in facts if (s := _scenario(rng, m)) is not None]
    if not reporting or budget <= 0:
        return
    counts = [1 if i < budget else 0 for i in range(len(reporting))]
    for _ in range(budget - len(reporting)):
        counts[rng.randrange(len(reporting))] += 1
    next_id = first_id
    for (m, scenario), count in zip(reporting, counts, strict=True):
        if count:
            yield from update_rows(m, scenario, count, next_id, rng, stamp)
            next_id += count


# --- Indicators ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class IndicatorSpec:
    slug: str
    name: str
    name_en: str
    unit: str
    unit_label: str
    direction: str
    fraction: bool = False


INDICATORS = (
    IndicatorSpec(
        "online-services-share", "網上可辦服務佔比", "share of services available online",
        "percent", "", "higher", fraction=True,
    ),
    IndicatorSpec(
        "one-stop-share", "一站式辦理事項佔比", "share of matters handled at one stop",
        "percent", "", "higher",
    ),
    IndicatorSpec("open-datasets", "開放數據集數量", "open datasets", "count", "", "higher"),
    IndicatorSpec(
        "processing-days", "平均辦理時限", "average processing time", "other", "天", "lower"
    ),
    IndicatorSpec(
        "shared-data-items", "共享數據項數量", "data items shared between departments",
        "count", "", "higher",
    ),
)  # fmt: skip


def indicator_row(spec: IndicatorSpec, id_: int, stamp: str) -> tuple:
    created = iso(REF) + stamp
    return (
        id_,
        SLUG_PREFIX + spec.slug,
        f"虛構指標:{spec.name}",
        f"Fictional indicator: {spec.name_en}",
        DISCLAIMER,
        DISCLAIMER_EN,
        spec.unit,
        spec.unit_label,
        "虛構的各級政府",
        "the fictional governments at every level",
        None,
        spec.direction,
        created,
        created,
    )


def indicator_source_row(spec: IndicatorSpec, id_: int, stamp: str) -> tuple:
    created = iso(REF) + stamp
    return (
        id_,
        f"虛構統計公報:{spec.name}",
        f"Fictional statistical bulletin: {spec.name_en}",
        SYNTHETIC_PUBLISHER,
        "",
        iso(REF),
        DISCLAIMER,
        created,
        created,
    )


def observations(
    spec: IndicatorSpec,
    indicator_id: int,
    source_id: int,
    jurisdictions: list[JurisdictionRow],
    first_id: int,
    seed: int,
    stamp: str,
) -> Iterator[tuple]:
    """One observation per jurisdiction per year (31 December), drifting in the
    indicator's good direction."""
    rng = random.Random(f"synthetic:{seed}:indicator:{spec.slug}")
    next_id = first_id
    for j in jurisdictions:
        if spec.fraction:
            denominator = rng.randint(50, 400)
            numerator = rng.randint(0, denominator // 2)
        level = rng.uniform(0.1, 0.5)
        for year in OBSERVATION_YEARS:
            as_of = iso(datetime.date(year, 12, 31).toordinal())
            num = den = None
            if spec.fraction:
                numerator = min(denominator, numerator + rng.randint(0, denominator // 8))
                num, den = numerator, denominator
                value = str(percent_of(num, den))
            elif spec.unit == "percent":
                level = min(1.0, level + rng.uniform(0, 0.08))
                value = f"{level * 100:.1f}"
            elif spec.direction == "lower":
                value = f"{max(0.5, 30 * (1 - level)):.1f}"
                level = min(0.95, level + rng.uniform(0, 0.1))
            else:
                level += rng.uniform(0, 0.3)
                value = str(int(level * 500))
            yield (next_id, indicator_id, j.id, as_of, value, num, den, source_id, "") + (
                as_of + stamp,
                as_of + stamp,
            )
            next_id += 1


def targets(
    spec: IndicatorSpec,
    indicator_id: int,
    source_id: int,
    jurisdictions: list[JurisdictionRow],
    first_id: int,
    seed: int,
) -> Iterator[tuple]:
    rng = random.Random(f"synthetic:{seed}:targets:{spec.slug}")
    next_id = first_id
    for j in jurisdictions:
        for due in TARGET_DATES:
            if spec.unit == "percent":
                value = f"{rng.uniform(60, 100):.1f}"
            elif spec.direction == "lower":
                value = f"{rng.uniform(1, 10):.1f}"
            else:
                value = str(rng.randint(100, 2000))
            yield (next_id, indicator_id, j.id, value, due.isoformat(), source_id, "")
            next_id += 1


# --- Loading and removing -----------------------------------------------------------

LOADED_MODELS = (
    Jurisdiction,
    Source,
    Plan,
    Milestone,
    ProgressUpdate,
    Indicator,
    Observation,
    IndicatorTarget,
    PLAN_SOURCES,
    UPDATE_SOURCES,
    INDICATOR_SOURCES,
)


class AlreadyPresent(Exception):
    """Synthetic rows exist already (remove them first: --reset)."""


def synthetic_jurisdictions():
    return Jurisdiction.objects.filter(
        code__startswith=CODE_PREFIX, name_en__startswith=NAME_EN_PREFIX
    )


def synthetic_indicators():
    return Indicator.objects.filter(slug__startswith=SLUG_PREFIX)


def synthetic_sources():
    return Source.objects.filter(publisher=SYNTHETIC_PUBLISHER)


def is_present() -> bool:
    return (
        synthetic_jurisdictions().exists()
        or synthetic_indicators().exists()
        or synthetic_sources().exists()
    )


def remove() -> dict[str, int]:
    """Delete every synthetic row and nothing else; running it again deletes nothing.

    Set-based DELETEs (`_raw_delete`, one statement a table, as Django's own deletion
    uses for fast deletes), children first: the ORM's collector would load millions of
    rows into memory first. Rows that real data points at (an editor citing a synthetic
    source, say) stop the removal with the database's foreign-key error, and nothing is
    removed.
    """
    places = synthetic_jurisdictions()
    plans = Plan.objects.filter(jurisdiction__in=places)
    milestones_ = Milestone.objects.filter(plan__in=plans)
    updates = ProgressUpdate.objects.filter(milestone__in=milestones_)
    indicators = synthetic_indicators()
    sources = synthetic_sources()
    steps = (
        ("status snapshot", MilestoneSnapshot.objects.filter(milestone__in=milestones_)),
        ("update sources", UPDATE_SOURCES.objects.filter(progressupdate__in=updates)),
        ("progress updates", updates),
        ("milestones", milestones_),
        ("plan sources", PLAN_SOURCES.objects.filter(plan__in=plans)),
        ("plans", plans),
        ("observations", Observation.objects.filter(Q(jurisdiction__in=places) | Q(indicator__in=indicators))),
        ("indicator targets", IndicatorTarget.objects.filter(Q(jurisdiction__in=places) | Q(indicator__in=indicators))),
        ("indicator sources", INDICATOR_SOURCES.objects.filter(indicator__in=indicators)),
        ("indicators", indicators),
        ("editor scopes", Editor.jurisdictions.through.objects.filter(jurisdiction__in=places)),
        ("jurisdictions", places),
        ("sources", sources),
    )  # fmt: skip
    removed = {}
    with transaction.atomic():
        for label, queryset in steps:
            removed[label] = queryset._raw_delete(queryset.db)
    return removed


@dataclasses.dataclass
class Result:
    counts: dict[str, int]
    seconds: dict[str, float]
    elapsed: float


def generate(scale: Scale, seed: int = 1, *, progress: bool = False) -> Result:
    """Load `scale` of synthetic data made from `seed` (see the module docstring)."""
    check_columns()
    if is_present():
        raise AlreadyPresent("Synthetic data is already loaded; remove it first (--reset).")
    started = time.monotonic()
    stamp = _stamp_suffix()
    loader = bulk_load.Loader(progress=progress)
    root = Jurisdiction.objects.filter(code=NATIONAL_CODE).values_list("id", flat=True).first()

    places = jurisdiction_tree(scale, bulk_load.next_id(Jurisdiction), root)
    loader.load(Jurisdiction, COLUMNS[Jurisdiction], (j.row() for j in places), total=len(places))

    first_source = bulk_load.next_id(Source)
    specs = plan_specs(
        scale,
        seed,
        places,
        first_plan_id=bulk_load.next_id(Plan),
        first_source_id=first_source,
        first_milestone_id=bulk_load.next_id(Milestone),
    )
    dates = [plan_dates(spec, seed) for spec in specs]
    plan_and_source = [plan_rows(spec, d, stamp) for spec, d in zip(specs, dates, strict=True)]
    indicator_source_id = first_source + len(specs)
    loader.load(
        Source,
        COLUMNS[Source],
        [source for _plan, source in plan_and_source]
        + [
            indicator_source_row(spec, indicator_source_id + k, stamp)
            for k, spec in enumerate(INDICATORS)
        ],
        total=len(specs) + len(INDICATORS),
    )
    loader.load(Plan, COLUMNS[Plan], (plan for plan, _source in plan_and_source), total=len(specs))
    del plan_and_source
    loader.load(
        PLAN_SOURCES,
        ("plan_id", "source_id"),
        ((spec.id, spec.source_id) for spec in specs),
        total=len(specs),
    )

    loader.load(
        Milestone,
        COLUMNS[Milestone],
        (
            row
            for spec, d in zip(specs, dates, strict=True)
            for row, _facts in milestones(spec, d, seed, stamp)
        ),
        total=scale.milestones,
    )

    # Updates: the milestones are produced again (same random streams) for their facts.
    # Each plan's update ids are remembered as a range, for the sources they cite.
    first_update = bulk_load.next_id(ProgressUpdate)
    cited: list[tuple[int, int, int]] = []  # (first update id, last + 1, source id)

    def all_updates() -> Iterator[tuple]:
        next_id = first_update
        carried = 0  # budget a plan could not use (nothing reporting) goes to the next
        for spec, d in zip(specs, dates, strict=True):
            facts = [f for _row, f in milestones(spec, d, seed, stamp)]
            budget = spec.updates + carried
            start = next_id
            for row in plan_updates(spec, facts, budget, next_id, seed, stamp):
                next_id += 1
                yield row
            carried = budget - (next_id - start)
            cited.append((start, next_id, spec.source_id))

    loader.load(ProgressUpdate, COLUMNS[ProgressUpdate], all_updates(), total=scale.updates)
    loader.load(
        UPDATE_SOURCES,
        ("progressupdate_id", "source_id"),
        ((u, source) for first, end, source in cited for u in range(first, end)),
        total=loader.counts[ProgressUpdate._meta.db_table],
    )

    first_indicator = bulk_load.next_id(Indicator)
    loader.load(
        Indicator,
        COLUMNS[Indicator],
        [indicator_row(spec, first_indicator + k, stamp) for k, spec in enumerate(INDICATORS)],
        total=len(INDICATORS),
    )
    loader.load(
        INDICATOR_SOURCES,
        ("indicator_id", "source_id"),
        [(first_indicator + k, indicator_source_id + k) for k in range(len(INDICATORS))],
        total=len(INDICATORS),
    )
    per_indicator = len(places) * len(OBSERVATION_YEARS)
    first_observation = bulk_load.next_id(Observation)
    loader.load(
        Observation,
        COLUMNS[Observation],
        (
            row
            for k, spec in enumerate(INDICATORS)
            for row in observations(
                spec,
                first_indicator + k,
                indicator_source_id + k,
                places,
                first_observation + k * per_indicator,
                seed,
                stamp,
            )
        ),
        total=per_indicator * len(INDICATORS),
    )
    per_indicator = len(places) * len(TARGET_DATES)
    first_target = bulk_load.next_id(IndicatorTarget)
    loader.load(
        IndicatorTarget,
        COLUMNS[IndicatorTarget],
        (
            row
            for k, spec in enumerate(INDICATORS)
            for row in targets(
                spec,
                first_indicator + k,
                indicator_source_id + k,
                places,
                first_target + k * per_indicator,
                seed,
            )
        ),
        total=per_indicator * len(INDICATORS),
    )

    bulk_load.reset_sequences(LOADED_MODELS)
    analyze_started = time.monotonic()
    bulk_load.refresh_statistics(LOADED_MODELS)
    if bulk_load.is_postgresql():
        loader.seconds["(vacuum) analyze"] = time.monotonic() - analyze_started
    # COPY sends no signals: rebuild the status snapshot once, set-based, for every
    # milestone (plans/snapshot.py), then let the planner see the new rows.
    snapshot_started = time.monotonic()
    snapshot.refresh(full=True)
    bulk_load.refresh_statistics([MilestoneSnapshot])
    loader.seconds["status snapshot"] = time.monotonic() - snapshot_started
    return Result(loader.counts, loader.seconds, time.monotonic() - started)


def database_label() -> str:
    settings = connection.settings_dict
    return f"{connection.vendor} {settings.get('NAME')}"
