"""Percentages as the site prints them: rounded half-up, as the source rounds 10/32 to
31.3 (govtracker/numbers.py)."""

from decimal import Decimal

import pytest

from govtracker.numbers import percent_of, whole_percent


def test_percent_of_rounds_half_up_as_the_source_does():
    assert percent_of(10, 32) == Decimal("31.3")  # round() on the float gives 31.2
    assert percent_of(23, 32) == Decimal("71.9")
    assert percent_of(1, 8, places=0) == Decimal(13)


@pytest.mark.parametrize(
    ("share", "percent"),
    [
        (0.125, 13),  # 1 of 8: round(12.5) and "%.0f" print 12
        (0.625, 63),  # 5 of 8: round() prints 62
        (0.375, 38),
        (1 / 3, 33),
        (2 / 3, 67),
        (0.675, 68),
        (Decimal("0.125"), 13),
        (0, 0),
        (1, 100),
        (None, None),
    ],
)
def test_a_share_is_a_whole_percentage_rounded_half_up(share, percent):
    assert whole_percent(share) == percent


def test_a_share_of_whole_numbers_rounds_as_the_exact_fraction_does():
    """n/d as a float, then whole_percent, is percent_of(n, d, 0): every ratio whose
    percentage ends in .5 included."""
    for d in range(1, 201):
        for n in range(d + 1):
            assert whole_percent(n / d) == percent_of(n, d, places=0), (n, d)
