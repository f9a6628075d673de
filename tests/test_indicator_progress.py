"""Indicators against targets by the Statistics Canada method (Open SDG's ProgressMeasure)."""

import datetime
from decimal import Decimal

import pytest

from metrics.progress import IndicatorStatus, Point, Trend, classify, indicator_progress
from tests.factories import make_indicator, make_jurisdiction, make_observation, make_target

D = datetime.date
BASE_ON, NOW_ON, TARGET_ON = D(2020, 1, 1), D(2022, 1, 1), D(2024, 1, 1)


def counts(base, now, target, **kw):
    return classify(
        base=Point(BASE_ON, base),
        current=Point(NOW_ON, now),
        target=None if target is None else Point(TARGET_ON, target),
        **kw,
    )


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (200, IndicatorStatus.ACHIEVED),  # target met
        (141.5, IndicatorStatus.ON_TRACK),  # sqrt(2) * 100 ≈ 141.4: half the time, the right pace
        (125, IndicatorStatus.NEEDS_ACCELERATION),  # ratio ≈ 0.64
        (110, IndicatorStatus.LIMITED_PROGRESS),
        (100, IndicatorStatus.LIMITED_PROGRESS),  # ratio 0: no change
        (90, IndicatorStatus.DETERIORATION),
    ],
)
def test_count_indicator_growth_ratio_thresholds(now, status):
    result = counts(100, now, 200)
    assert result.status == status
    assert result.method == "cagr"


def test_ratio_boundaries_are_0_95_and_0_6():
    from metrics.progress import status_for_ratio

    assert status_for_ratio(0.95) == IndicatorStatus.ON_TRACK
    assert status_for_ratio(0.9499) == IndicatorStatus.NEEDS_ACCELERATION
    assert status_for_ratio(0.6) == IndicatorStatus.NEEDS_ACCELERATION
    assert status_for_ratio(0.5999) == IndicatorStatus.LIMITED_PROGRESS
    assert status_for_ratio(0.0) == IndicatorStatus.LIMITED_PROGRESS
    assert status_for_ratio(-0.0001) == IndicatorStatus.DETERIORATION


def test_lower_is_better():
    assert counts(100, 70, 50, higher_is_better=False).status == IndicatorStatus.ON_TRACK
    assert counts(100, 110, 50, higher_is_better=False).status == IndicatorStatus.DETERIORATION
    assert counts(100, 40, 50, higher_is_better=False).status == IndicatorStatus.ACHIEVED


def test_a_share_compares_the_gap_closed_not_the_growth_rate():
    # 50% → 75% in half the time towards 100%: half the gap closed, exactly on pace.
    share = counts(50, 75, 100, share=True)
    assert share.method == "linear"
    assert share.ratio == pytest.approx(1.0, abs=1e-3)  # 731 of 1461 days
    assert share.status == IndicatorStatus.ON_TRACK
    # A growth rate would overstate the pace (compounding from 75% towards a cap of 100%).
    assert counts(50, 75, 100).ratio == pytest.approx(1.19, abs=0.01)
    # 6 of 50 points in half the time: limited progress.
    assert (
        classify(
            base=Point(BASE_ON, 50),
            current=Point(NOW_ON, 56),
            target=Point(TARGET_ON, 100),
            share=True,
        ).status
        == IndicatorStatus.LIMITED_PROGRESS
    )


def test_without_a_target_only_the_trend():
    result = counts(100, 120, None)
    assert result.status is None
    assert result.trend == Trend.IMPROVING
    assert counts(100, 80, None).trend == Trend.WORSENING
    assert counts(100, 80, None, higher_is_better=False).trend == Trend.IMPROVING
    assert counts(100, 100, None).trend == Trend.STABLE


def test_one_observation_is_not_enough():
    single = classify(
        base=Point(NOW_ON, 23), current=Point(NOW_ON, 23), target=Point(TARGET_ON, 32)
    )
    assert single.status == IndicatorStatus.INSUFFICIENT_DATA
    assert classify(base=None, current=None).status is None


def test_zero_base_falls_back_to_linear_rates():
    result = counts(0, 10, 20)
    assert result.method == "linear"
    assert result.status == IndicatorStatus.ON_TRACK


@pytest.mark.django_db
def test_classifies_an_indicator_from_its_observations_and_targets(django_assert_num_queries):
    from metrics.models import Indicator

    nation = make_jurisdiction(level="national")
    province = make_jurisdiction()
    indicator = make_indicator(unit="count", denominator=None)
    make_observation(indicator=indicator, jurisdiction=nation, as_of=BASE_ON, value=Decimal(100))
    make_observation(indicator=indicator, jurisdiction=nation, as_of=NOW_ON, value=Decimal(90))
    make_observation(indicator=indicator, jurisdiction=province, as_of=NOW_ON, value=Decimal(999))
    make_target(indicator=indicator, jurisdiction=nation, value=Decimal(200), due_on=TARGET_ON)
    loaded = Indicator.objects.prefetch_related("observations__jurisdiction", "targets").get()
    with django_assert_num_queries(0):
        result = indicator_progress(loaded)
        assert result.status == IndicatorStatus.DETERIORATION
        assert (result.base.value, result.current.value, result.target.value) == (100, 90, 200)
        # As of a date before the second observation: one point, not enough.
        assert indicator_progress(loaded, as_of=D(2021, 1, 1)).status == (
            IndicatorStatus.INSUFFICIENT_DATA
        )
        assert indicator_progress(loaded, jurisdiction=province).status is None


@pytest.mark.django_db
def test_the_source_indicators_have_one_observation_and_no_target(source_data):
    from metrics.models import Indicator

    for indicator in Indicator.objects.prefetch_related("observations__jurisdiction", "targets"):
        result = indicator_progress(indicator)
        assert result.status is None
        assert result.trend == Trend.UNKNOWN
