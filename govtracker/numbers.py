"""Numbers as the source prints them."""

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
