"""The home page's tile-grid map of the 32 provincial-level units.

A tile grid gives every unit the same area, so small municipalities are as visible as
Xinjiang, and it needs no map data: each unit has a fixed (column, row) that roughly keeps
its neighbours, the arrangement used by many tile-grid maps of China.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from govtracker.numbers import whole_percent
from govtracker.text import localized

# code: (column, row, short name in Traditional Chinese, English abbreviation)
LAYOUT: dict[str, tuple[int, int, str, str]] = {
    "230000": (7, 0, "黑龍江", "HL"),
    "150000": (4, 1, "內蒙古", "NM"),
    "110000": (5, 1, "北京", "BJ"),
    "220000": (7, 1, "吉林", "JL"),
    "650000": (0, 2, "新疆", "XJ"),
    "660000": (1, 2, "兵團", "BT"),
    "620000": (2, 2, "甘肅", "GS"),
    "640000": (3, 2, "寧夏", "NX"),
    "140000": (4, 2, "山西", "SX"),
    "130000": (5, 2, "河北", "HE"),
    "120000": (6, 2, "天津", "TJ"),
    "210000": (7, 2, "遼寧", "LN"),
    "630000": (1, 3, "青海", "QH"),
    "610000": (3, 3, "陝西", "SN"),
    "410000": (4, 3, "河南", "HA"),
    "370000": (5, 3, "山東", "SD"),
    "540000": (0, 4, "西藏", "XZ"),
    "510000": (1, 4, "四川", "SC"),
    "500000": (2, 4, "重慶", "CQ"),
    "420000": (3, 4, "湖北", "HB"),
    "340000": (4, 4, "安徽", "AH"),
    "320000": (5, 4, "江蘇", "JS"),
    "310000": (6, 4, "上海", "SH"),
    "530000": (1, 5, "雲南", "YN"),
    "520000": (2, 5, "貴州", "GZ"),
    "430000": (3, 5, "湖南", "HN"),
    "360000": (4, 5, "江西", "JX"),
    "330000": (5, 5, "浙江", "ZJ"),
    "450000": (2, 6, "廣西", "GX"),
    "440000": (3, 6, "廣東", "GD"),
    "350000": (4, 6, "福建", "FJ"),
    "460000": (3, 7, "海南", "HI"),
}

TILE = 64  # px, including the gap
GAP = 4
COLUMNS = 1 + max(c for c, *_ in LAYOUT.values())
ROWS = 1 + max(r for _, r, *_ in LAYOUT.values())

# Colour classes (lightest to darkest) with a text colour that keeps AA contrast on each.
BANDS = [
    (0, 25, "band-1", _("under 25%")),
    (25, 50, "band-2", _("25% to under 50%")),
    (50, 75, "band-3", _("50% to under 75%")),
    (75, 101, "band-4", _("at least 75%")),
]
NO_DATA = ("band-none", _("nothing due yet"))


@dataclass
class Tile:
    """A unit's tile, its figures and words worked out once when it is drawn: the tiles
    are kept with the scorecards, per language (plans.views.HomeView.tiles), and each of
    these was read twice or more a tile on every view of the home page."""

    code: str
    name: str
    label: str
    x: int
    y: int
    due: int
    delivered: int
    url: str
    share: float | None = field(init=False)
    percent: int | None = field(init=False)
    band: str = field(init=False)
    description: str = field(init=False)  # what the tile says in words: <title>, link name

    def __post_init__(self):
        self.share = None if not self.due else self.delivered / self.due
        self.percent = whole_percent(self.share)
        if self.percent is None:
            self.band = NO_DATA[0]
            self.description = f"{self.name}: {NO_DATA[1]}"
            return
        self.band = next(css for low, high, css, _label in BANDS if low <= self.percent < high)
        figures = gettext("%(delivered)s of %(due)s due delivered (%(share)s%%)") % {
            "delivered": self.delivered,
            "due": self.due,
            "share": self.percent,
        }
        self.description = f"{self.name}: {figures}"


def tiles(units, due_counts: dict[str, tuple[int, int]]) -> list[Tile]:
    """One tile per provincial-level unit in `units` (Jurisdiction rows).

    `due_counts` maps a unit's code to (milestones due, of which delivered).
    """
    result = []
    for unit in units:
        if unit.code not in LAYOUT:
            continue
        column, row, short, abbreviation = LAYOUT[unit.code]
        due, delivered = due_counts.get(unit.code, (0, 0))
        result.append(
            Tile(
                code=unit.code,
                name=unit.name,
                label=localized(short, abbreviation),
                x=column * TILE,
                y=row * TILE,
                due=due,
                delivered=delivered,
                url=unit.get_absolute_url(),
            )
        )
    return result
