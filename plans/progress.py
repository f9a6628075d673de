"""The progress tracker, as pure code: dates and numbers in, status out, no database.

For a milestone at date t with start s and deadline d (DESIGN.md, "The progress tracker"):

- only updates dated on or before t count; the *latest* is the one with the greatest
  as-of date, ties broken by the greatest id (the one entered last);
- an update's progress p: 1 when it says delivered; for a quantitative milestone
  (value − baseline) / (target − baseline) clamped to [0, 1] (so a decreasing target
  works the same way); otherwise percent complete / 100. An update that states neither
  (only possible for rows that bypassed validation) counts as 0;
- expected progress e = clamp((t − s) / (d − s), 0, 1), from whole day counts;
- the milestone is *achieved* when its latest update has p = 1; it was achieved on the
  as-of date of the first update of the final unbroken run of p = 1 updates. A later
  report below 1 (a correction) therefore un-achieves it, and a re-achievement dates from
  the new run;
- status, first rule that applies: not started (t < s); no report (t ≤ d, no update) or
  overdue, unreported (t > d, no update); achieved (achieved on or before d) or achieved
  late; on track (t ≤ d and p ≥ e − tolerance) or behind (t ≤ d); missed (t > d).

A milestone with sub-milestones takes its progress from them (`assess_parent`). The SQL
twin of every rule here is `MilestoneQuerySet.with_status` in `plans/models.py`; the
property test in `tests/test_progress_property.py` holds the two together.
"""

import datetime
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from govtracker.numbers import whole_percent
from govtracker.rendering import active_language
from govtracker.rendering import remembered_gettext as gettext

Number = int | float | Decimal


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    NO_REPORT = "no_report", _("no report")
    ON_TRACK = "on_track", _("on track")
    BEHIND = "behind", _("behind")
    ACHIEVED = "achieved", _("achieved")
    ACHIEVED_LATE = "achieved_late", _("achieved late")
    MISSED = "missed", _("missed")
    OVERDUE_UNREPORTED = "overdue_unreported", _("overdue, unreported")


# Statuses whose milestone has been delivered; and those that are not due yet.
DELIVERED = (Status.ACHIEVED, Status.ACHIEVED_LATE)
OPEN = (Status.NOT_STARTED, Status.NO_REPORT, Status.ON_TRACK, Status.BEHIND)


def default_tolerance() -> float:
    """How far behind straight-line delivery still counts as on track (a setting)."""
    return float(settings.PROGRESS_TOLERANCE)


@dataclass(frozen=True)
class Report:
    """What one progress update says, reduced to what the tracker reads."""

    as_of: datetime.date
    percent: Number | None = None
    value: Number | None = None
    delivered: bool = False
    id: int = 0


def clamp(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def report_progress(
    report: Report,
    *,
    quantitative: bool = False,
    baseline: Number | None = None,
    target: Number | None = None,
) -> float:
    """An update's progress p in [0, 1]. The arithmetic is in binary floating point, in
    the same order as the SQL twin, so that both give the same bits."""
    if report.delivered:
        return 1.0
    if quantitative and report.value is not None:
        b = float(baseline)
        return clamp((float(report.value) - b) / (float(target) - b))
    if report.percent is not None:
        return clamp(float(report.percent) / 100.0)
    return 0.0


def expected_progress(start: datetime.date, deadline: datetime.date, as_of: datetime.date) -> float:
    """Straight-line delivery: the share of the period gone by `as_of`."""
    period = (deadline - start).days
    if period <= 0:
        raise ValueError("A milestone's deadline must be after its start (zero-length period).")
    return clamp(float((as_of - start).days) / float(period))


@dataclass(frozen=True)
class Assessment:
    """A milestone's status as of a date, with the inputs that produced it."""

    as_of: datetime.date
    start: datetime.date
    deadline: datetime.date
    progress: float | None  # None: nothing reported by `as_of`
    expected: float
    status: Status
    latest_update_on: datetime.date | None = None
    achieved_on: datetime.date | None = None
    tolerance: float = 0.1
    inputs: dict = field(default_factory=dict)

    @property
    def is_reported(self) -> bool:
        return self.latest_update_on is not None

    @property
    def explanation(self) -> str:
        """The inputs in words, e.g. "started 2020-10-24, due 2022-12-31, 60% of the time
        gone, 40% reported on 2022-06-30 → behind"."""
        return explain(
            status=self.status,
            start=self.start,
            deadline=self.deadline,
            expected=self.expected,
            progress=self.progress,
            latest_update_on=self.latest_update_on,
            achieved_on=self.achieved_on,
        )


@functools.cache
def status_labels(language: str | None) -> dict[str, str]:
    """Every status's translated label by value, in `language` (the active one: the key
    is only for the cache), in the tracker's order: drawn for every row of a list and in
    every status explanation."""
    return {status.value: str(status.label) for status in Status}


def _percent(x: float) -> str:
    # Whole percentages read best, rounded half-up as everywhere on the site; the exact
    # figures are in `inputs` and the API.
    return f"{whole_percent(x)}%"


def _day(d: datetime.date) -> str:
    # A date's isoformat() is date_format(d, "Y-m-d") without the format parser: drawn for
    # every milestone of a plan's page.
    return d.isoformat() if type(d) is datetime.date else date_format(d, "Y-m-d")


def explain(
    *,
    status: str,
    start: datetime.date,
    deadline: datetime.date,
    expected: float,
    progress: float | None,
    latest_update_on: datetime.date | None,
    achieved_on: datetime.date | None = None,
) -> str:
    """A translated sentence built from the inputs of a status."""
    label = status_labels(active_language()).get(status) or Status(status).label
    if status == Status.NOT_STARTED:
        head = gettext("starts %(start)s, due %(deadline)s") % {
            "start": _day(start),
            "deadline": _day(deadline),
        }
    else:
        head = gettext("started %(start)s, due %(deadline)s, %(gone)s of the time gone") % {
            "start": _day(start),
            "deadline": _day(deadline),
            "gone": _percent(expected),
        }
    if latest_update_on is None:
        body = gettext("nothing reported")
    else:
        body = gettext("%(progress)s reported on %(date)s") % {
            "progress": _percent(progress or 0.0),
            "date": _day(latest_update_on),
        }
        if achieved_on is not None and achieved_on != latest_update_on:
            body += gettext(", first reported complete on %(date)s") % {"date": _day(achieved_on)}
    return f"{head}, {body} → {label}"


def decide(
    *,
    as_of: datetime.date,
    start: datetime.date,
    deadline: datetime.date,
    progress: float | None,
    expected: float,
    achieved_on: datetime.date | None,
    tolerance: float,
) -> Status:
    """The status table of DESIGN.md, first rule that applies."""
    if as_of < start:
        return Status.NOT_STARTED
    if progress is None:
        return Status.NO_REPORT if as_of <= deadline else Status.OVERDUE_UNREPORTED
    if achieved_on is not None:
        return Status.ACHIEVED if achieved_on <= deadline else Status.ACHIEVED_LATE
    if as_of <= deadline:
        return Status.ON_TRACK if progress >= expected - tolerance else Status.BEHIND
    return Status.MISSED


def assess(
    *,
    start: datetime.date,
    deadline: datetime.date,
    as_of: datetime.date,
    updates: Iterable[Report] = (),
    kind: str = "qualitative",
    baseline: Number | None = None,
    target: Number | None = None,
    tolerance: float | None = None,
) -> Assessment:
    """Assess one milestone from its updates (already limited to those the reader may see;
    those dated after `as_of` are ignored here).

    Raises ValueError for a zero-length period or a quantitative milestone whose target
    equals its baseline: neither has a progress to compute (the database refuses both).
    """
    tol = default_tolerance() if tolerance is None else float(tolerance)
    quantitative = kind == "quantitative"
    if quantitative and (baseline is None or target is None or float(baseline) == float(target)):
        raise ValueError("A quantitative milestone needs a target distinct from its baseline.")
    expected = expected_progress(start, deadline, as_of)
    counted = sorted((u for u in updates if u.as_of <= as_of), key=lambda u: (u.as_of, u.id))
    scored = [
        (u, report_progress(u, quantitative=quantitative, baseline=baseline, target=target))
        for u in counted
    ]
    progress = scored[-1][1] if scored else None
    latest_on = scored[-1][0].as_of if scored else None
    achieved_on = None
    if progress is not None and progress >= 1.0:
        # Walk back over the final unbroken run of complete reports.
        for u, p in reversed(scored):
            if p < 1.0:
                break
            achieved_on = u.as_of
    status = decide(
        as_of=as_of,
        start=start,
        deadline=deadline,
        progress=progress,
        expected=expected,
        achieved_on=achieved_on,
        tolerance=tol,
    )
    inputs = {
        "as_of": as_of,
        "start": start,
        "deadline": deadline,
        "kind": kind,
        "baseline": baseline,
        "target": target,
        "tolerance": tol,
        "expected": expected,
        "progress": progress,
        "updates_counted": len(scored),
        "latest_update_on": latest_on,
        "latest_update": scored[-1][0] if scored else None,
        "achieved_on": achieved_on,
    }
    return Assessment(
        as_of=as_of,
        start=start,
        deadline=deadline,
        progress=progress,
        expected=expected,
        status=status,
        latest_update_on=latest_on,
        achieved_on=achieved_on,
        tolerance=tol,
        inputs=inputs,
    )


def weighted_progress(parts: Sequence[tuple[Number, float | None]]) -> float | None:
    """The weighted mean of (weight, progress) pairs, an unreported part (None) counting
    as 0; None when no part has reported."""
    if all(p is None for _w, p in parts):
        return None
    total = sum(float(w) for w, _p in parts)
    return sum(float(w) * (p or 0.0) for w, p in parts) / total


def assess_parent(
    *,
    start: datetime.date,
    deadline: datetime.date,
    as_of: datetime.date,
    children: Sequence[tuple[Number, Assessment]],
    tolerance: float | None = None,
) -> Assessment:
    """Assess a milestone broken into sub-milestones, from their assessments.

    Its progress is the weighted mean of its children's progress (an unreported child
    counts as 0); it is reported once any child is; it is achieved when every child is,
    on the date the last of them was. Its own updates, if any, are not read.
    """
    tol = default_tolerance() if tolerance is None else float(tolerance)
    expected = expected_progress(start, deadline, as_of)
    reported = [c.latest_update_on for _w, c in children if c.latest_update_on is not None]
    latest_on = max(reported) if reported else None
    progress = weighted_progress([(w, c.progress) for w, c in children]) if latest_on else None
    achieved = [c.achieved_on for _w, c in children]
    achieved_on = max(achieved) if achieved and None not in achieved else None
    status = decide(
        as_of=as_of,
        start=start,
        deadline=deadline,
        progress=progress,
        expected=expected,
        achieved_on=achieved_on,
        tolerance=tol,
    )
    return Assessment(
        as_of=as_of,
        start=start,
        deadline=deadline,
        progress=progress,
        expected=expected,
        status=status,
        latest_update_on=latest_on,
        achieved_on=achieved_on,
        tolerance=tol,
        inputs={
            "as_of": as_of,
            "start": start,
            "deadline": deadline,
            "tolerance": tol,
            "expected": expected,
            "progress": progress,
            "children": len(children),
            "latest_update_on": latest_on,
            "achieved_on": achieved_on,
        },
    )
