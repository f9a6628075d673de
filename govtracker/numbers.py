"""Numbers as the source prints them."""

import math
from decimal import ROUND_HALF_UP, Decimal


def percent_of(numerator: int, denominator: int, places: int = 1) -> Decimal:
    """numerator / denominator as a percentage, a Decimal rounded half-up.

    10/32 is 31.25 %, printed 31.3 in the source; Python's round() (half-to-even on a
    binary float) would give 31.2, so the arithmetic stays in Decimal.
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    exact = Decimal(numerator) * 100 / Decimal(denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def whole_percent(share: float | Decimal | None) -> int | None:
    """A share in 0..1 as a whole percentage, rounded half-up (None stays None: "no data"
    is not 0 %).

    Rounded on the share's shortest decimal form, as Django's `floatformat` rounds: 1 of 8
    milestones due delivered is 0.125, 13 %, where round() and "%.0f" (half-to-even on a
    binary float) print 12. A ratio of whole numbers whose percentage ends in .5 has an
    exact short decimal form, so this agrees with `percent_of(n, d, 0)` for every n/d.
    """
    if share is None:
        return None
    if type(share) is float and -1e6 < share < 1e6:
        # A page draws a hundred of these (2.3 µs each through Decimal). The binary error
        # of share * 100 against the share's shortest decimal form is below 1e-7 here, so
        # away from a half the nearest whole number is the same either way.
        scaled = share * 100
        whole = math.floor(scaled)
        fraction = scaled - whole
        if abs(fraction - 0.5) > 1e-6:
            return whole + (fraction > 0.5)
    return _whole_percent_exactly(share)


def _whole_percent_exactly(share: float | Decimal) -> int:
    decimal = share if isinstance(share, Decimal) else Decimal(repr(float(share)))
    return int((decimal * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
