"""Progress of indicators against their targets, by the Statistics Canada method that
Open SDG uses (sdg-build's ProgressMeasure): pure code, numbers and dates in, status out.

With a target:
- the target already met (at or beyond it, in the indicator's direction) → achieved;
- otherwise the observed annual rate of change from the first observation (base) to the
  latest (current) is divided by the rate required to go from the base to the target by
  its date; ratio ≥ 0.95 on track, 0.6-0.95 needs acceleration, 0-0.6 limited progress,
  < 0 deterioration.
- The rates are compound annual growth rates (CAGR), as in sdg-build, except:
  - for a share bounded by 100% (unit percent) the rates are linear, in percentage points
    a year: the remaining gap to the target is closed at a constant pace, where a growth
    rate would make the last points before 100% look impossibly fast or slow;
  - when a value is zero or negative (no growth rate exists), the linear rates as well.
Without a target: only the trend (improving, stable, worsening), never a status.
Time is in years of 365.25 days between the observation and target dates.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

ON_TRACK_AT = 0.95
ACCELERATION_AT = 0.6
DAYS_PER_YEAR = 365.25


class IndicatorStatus(models.TextChoices):
    ACHIEVED = "achieved", _("target achieved")
    ON_TRACK = "on_track", _("on track")
    NEEDS_ACCELERATION = "needs_acceleration", _("needs acceleration")
    LIMITED_PROGRESS = "limited_progress", _("limited progress")
    DETERIORATION = "deterioration", _("deterioration")
    INSUFFICIENT_DATA = "insufficient_data", _("not enough data")


class Trend(models.TextChoices):
    IMPROVING = "improving", _("improving")
    STABLE = "stable", _("stable")
    WORSENING = "worsening", _("worsening")
    UNKNOWN = "unknown", _("not enough data")


@dataclass(frozen=True)
class Point:
    on: datetime.date
    value: float


@dataclass(frozen=True)
class IndicatorProgress:
    """The classification with every input and intermediate figure, to publish them."""

    status: IndicatorStatus | None  # None: no target, trend only
    trend: Trend
    base: Point | None = None
    current: Point | None = None
    target: Point | None = None
    observed_rate: float | None = None
    required_rate: float | None = None
    ratio: float | None = None
    method: str = ""  # "cagr" or "linear"


def _years(start: datetime.date, end: datetime.date) -> float:
    return (end - start).days / DAYS_PER_YEAR


def _cagr(value: float, base: float, years: float) -> float:
    return (value / base) ** (1 / years) - 1


def _linear(value: float, base: float, years: float) -> float:
    return (value - base) / years


def status_for_ratio(ratio: float) -> IndicatorStatus:
    if ratio >= ON_TRACK_AT:
        return IndicatorStatus.ON_TRACK
    if ratio >= ACCELERATION_AT:
        return IndicatorStatus.NEEDS_ACCELERATION
    if ratio >= 0:
        return IndicatorStatus.LIMITED_PROGRESS
    return IndicatorStatus.DETERIORATION


def classify(
    *,
    base: Point | None,
    current: Point | None,
    target: Point | None = None,
    higher_is_better: bool = True,
    share: bool = False,
) -> IndicatorProgress:
    """Classify an indicator from its base and current observations and its target."""
    sign = 1 if higher_is_better else -1
    if base is None or current is None or current.on <= base.on:
        if (
            target is not None
            and current is not None
            and sign * (current.value - target.value) >= 0
        ):
            return IndicatorProgress(IndicatorStatus.ACHIEVED, Trend.UNKNOWN, base, current, target)
        status = None if target is None else IndicatorStatus.INSUFFICIENT_DATA
        return IndicatorProgress(status, Trend.UNKNOWN, base, current, target)

    years = _years(base.on, current.on)
    values = [base.value, current.value] + ([target.value] if target else [])
    linear = share or min(values) <= 0
    rate = _linear if linear else _cagr
    method = "linear" if linear else "cagr"
    observed = rate(current.value, base.value, years)
    trend = (
        Trend.STABLE
        if observed == 0
        else Trend.IMPROVING
        if sign * observed > 0
        else Trend.WORSENING
    )
    if target is None:
        return IndicatorProgress(None, trend, base, current, None, observed, method=method)
    if sign * (current.value - target.value) >= 0:
        return IndicatorProgress(
            IndicatorStatus.ACHIEVED, trend, base, current, target, observed, method=method
        )
    target_years = _years(base.on, target.on)
    if target_years <= 0:
        return IndicatorProgress(
            IndicatorStatus.INSUFFICIENT_DATA, trend, base, current, target, observed, method=method
        )
    required = rate(target.value, base.value, target_years)
    if required == 0:
        # The target is the base value, and the current value is on the wrong side of it.
        status, ratio = IndicatorStatus.DETERIORATION, None
    else:
        ratio = observed / required
        status = status_for_ratio(ratio)
    return IndicatorProgress(
        status, trend, base, current, target, observed, required, ratio, method
    )


def indicator_progress(indicator, jurisdiction=None, as_of: datetime.date | None = None):
    """Classify an Indicator for a jurisdiction (default: the national one, else that of
    its first observation) from its observations and targets as of a date (default: all).

    Reads `indicator.observations.all()` and `indicator.targets.all()`, so prefetching
    "observations__jurisdiction" and "targets" classifies a list without a query each.
    """
    observations = sorted(
        (o for o in indicator.observations.all() if as_of is None or o.as_of <= as_of),
        key=lambda o: o.as_of,
    )
    if jurisdiction is None and observations:
        national = [o for o in observations if o.jurisdiction.level == "national"]
        jurisdiction = (national or observations)[0].jurisdiction
    jurisdiction_id = getattr(jurisdiction, "pk", None)
    mine = [o for o in observations if o.jurisdiction_id == jurisdiction_id]
    targets = sorted(
        (t for t in indicator.targets.all() if t.jurisdiction_id == jurisdiction_id),
        key=lambda t: t.due_on,
    )
    base = Point(mine[0].as_of, float(mine[0].value)) if mine else None
    current = Point(mine[-1].as_of, float(mine[-1].value)) if mine else None
    target = None
    if targets:
        reference = current.on if current else (as_of or targets[0].due_on)
        upcoming = [t for t in targets if t.due_on >= reference]
        chosen = upcoming[0] if upcoming else targets[-1]
        target = Point(chosen.due_on, float(chosen.value))
    return classify(
        base=base,
        current=current,
        target=target,
        higher_is_better=indicator.direction == "higher",
        share=indicator.is_share,
    )
