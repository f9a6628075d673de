"""Server-rendered SVG chart geometry: observations over time against targets.

The template draws what this computes, so the page needs no JavaScript and the chart
prints. Every point carries its value and date for the SVG <title> and the table beside it.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 640
HEIGHT = 280
LEFT, RIGHT, TOP, BOTTOM = 56, 24, 16, 40


@dataclass
class Point:
    x: float
    y: float
    date: datetime.date
    value: Decimal


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class Chart:
    width: int
    height: int
    observations: list[Point]
    targets: list[Point]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int

    @property
    def line(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.observations)

    @property
    def target_line(self) -> str:
        """From the latest observation to each target: the path still to go."""
        if not self.observations or not self.targets:
            return ""
        points = [self.observations[-1], *self.targets]
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def build(observations, targets, *, share: bool) -> Chart | None:
    """`observations` and `targets`: rows with `as_of`/`due_on` and `value`, in date order."""
    obs = [(o.as_of, o.value) for o in observations]
    tgt = [(t.due_on, t.value) for t in targets]
    everything = obs + tgt
    if not everything:
        return None
    dates = [d for d, _v in everything]
    first, last = min(dates), max(dates)
    # One date alone is drawn in the middle of a one-year window.
    if first == last:
        first, last = first - datetime.timedelta(days=182), last + datetime.timedelta(days=183)
    y_max = 100.0 if share else _nice_max(float(max(v for _d, v in everything)))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    span = (last - first).days

    def x(date):
        return LEFT + plot_w * (date - first).days / span

    def y(value):
        return TOP + plot_h * (1 - float(value) / y_max)

    y_ticks = [Tick(y(y_max * i / 4), f"{y_max * i / 4:g}{'%' if share else ''}") for i in range(5)]
    years = range(first.year + (first.month > 1 or first.day > 1), last.year + 1)
    step = max(1, len(years) // 6 + (len(years) % 6 > 0))
    x_ticks = [Tick(x(datetime.date(year, 1, 1)), str(year)) for year in years[::step]]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        observations=[Point(x(d), y(v), d, v) for d, v in obs],
        targets=[Point(x(d), y(v), d, v) for d, v in tgt],
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=HEIGHT - BOTTOM,
    )
