"""Percentages as the site prints them: rounded half-up, as the source rounds 10/32 to
31.3 (govtracker/numbers.py)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govtracker.numbers import _whole_percent_exactly, percent_of, whole_percent


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


@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(
        st.floats(min_value=-2e6, max_value=2e6, allow_nan=False),
        # Shares whose percentage is a half or close to one: the float path hands these on.
        st.integers(min_value=-(10**8), max_value=10**8).map(lambda n: n / 2000),
        st.integers(min_value=0, max_value=10**6).map(lambda n: (n + 0.5) / 100),
    )
)
def test_the_float_shortcut_rounds_as_the_decimal_form_does(share):
    """A float share is rounded without Decimal away from a half: the same whole number as
    its shortest decimal form rounded half-up, for every float."""
    assert whole_percent(share) == _whole_percent_exactly(share)


def test_halves_and_values_outside_the_shortcut_go_through_decimal():
    assert whole_percent(0.005) == 1 and whole_percent(-0.005) == -1  # half-up: away from 0
    assert whole_percent(0.015) == 2 and whole_percent(0.025) == 3
    assert whole_percent(1e7) == 10**9  # beyond the shortcut's range
    assert whole_percent(True) == 100  # not a float: as before
