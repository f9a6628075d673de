"""Every invariant is held by the database and answered with a clear message in forms."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from metrics.models import Indicator, IndicatorTarget, Observation
from plans.models import Jurisdiction, Milestone, Plan, ProgressUpdate
from tests.factories import (
    make_indicator,
    make_jurisdiction,
    make_milestone,
    make_observation,
    make_plan,
    make_source,
    make_update,
)

pytestmark = pytest.mark.django_db


def assert_db_rejects(model, pk, **changes):
    """The database itself refuses the row (bypassing model validation)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=pk).update(**changes)


def test_milestone_deadline_must_follow_start():
    m = make_milestone(deadline=datetime.date(2022, 12, 31))
    assert_db_rejects(Milestone, m.pk, deadline=m.start_date)  # zero-length period
    assert_db_rejects(Milestone, m.pk, deadline=m.start_date - datetime.timedelta(days=1))
    m.deadline = m.start_date
    with pytest.raises(ValidationError) as excinfo:
        m.full_clean()
    assert "deadline" in excinfo.value.message_dict


def test_a_deadline_year_outside_the_sites_years_is_a_typo():
    """2202-12-31 for 2022-12-31 would have put a year on /deadlines/, the sitemap and the
    API's year cards whose own page does not exist (1949-2100, plans.models.YEARS)."""
    m = make_milestone(deadline=datetime.date(2022, 12, 31))
    assert_db_rejects(Milestone, m.pk, deadline=datetime.date(2202, 12, 31))
    m.deadline = datetime.date(2202, 12, 31)
    with pytest.raises(ValidationError) as excinfo:
        m.full_clean()
    assert excinfo.value.message_dict["deadline"] == ["期限必須在1949年至2100年之間。"]
    m.deadline = datetime.date(2100, 12, 31)
    m.full_clean()


def test_milestone_weight_must_be_positive():
    m = make_milestone()
    assert_db_rejects(Milestone, m.pk, weight=0)


def test_quantitative_milestone_needs_a_target_distinct_from_baseline():
    m = make_milestone(kind="quantitative", baseline_value=0, target_value=30)
    assert_db_rejects(Milestone, m.pk, target_value=None)
    assert_db_rejects(Milestone, m.pk, target_value=0)
    m.target_value = Decimal(0)
    with pytest.raises(ValidationError) as excinfo:
        m.full_clean()
    assert "target_value" in excinfo.value.message_dict


def test_update_percent_within_0_and_100():
    u = make_update()
    assert_db_rejects(ProgressUpdate, u.pk, percent_complete=Decimal("100.01"))
    assert_db_rejects(ProgressUpdate, u.pk, percent_complete=Decimal("-1"))
    u.percent_complete = Decimal(101)
    with pytest.raises(ValidationError) as excinfo:
        u.full_clean()
    assert "percent_complete" in excinfo.value.message_dict


def test_update_must_report_something():
    u = make_update()
    assert_db_rejects(ProgressUpdate, u.pk, percent_complete=None, value=None, delivered=False)


def test_plan_period_must_be_ordered():
    p = make_plan()
    assert_db_rejects(Plan, p.pk, end_year=p.start_year - 1)


def test_unique_codes_and_slugs():
    j = make_jurisdiction()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_jurisdiction(code=j.code)
    p = make_plan()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_plan(slug=p.slug)
    i = make_indicator()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_indicator(slug=i.slug)


def test_observation_fraction_rules():
    o = make_observation(numerator=23, denominator=32, value=Decimal("71.9"))
    assert_db_rejects(Observation, o.pk, denominator=0)
    assert_db_rejects(Observation, o.pk, numerator=33)
    assert_db_rejects(Observation, o.pk, numerator=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_observation(indicator=o.indicator, jurisdiction=o.jurisdiction, as_of=o.as_of)


def test_observation_clean_derives_the_percentage_half_up():
    o = Observation(
        indicator=make_indicator(),
        jurisdiction=make_jurisdiction(level="national"),
        as_of=datetime.date(2020, 11, 30),
        numerator=10,
        denominator=32,
        source=make_source(),
    )
    o.full_clean()
    assert o.value == Decimal("31.3")
    o.numerator = 40
    with pytest.raises(ValidationError) as excinfo:
        o.full_clean()
    assert "numerator" in excinfo.value.message_dict


def test_an_observed_share_stays_within_0_and_100_percent():
    o = Observation(
        indicator=make_indicator(unit=Indicator.Unit.PERCENT),
        jurisdiction=make_jurisdiction(level="national"),
        as_of=datetime.date(2020, 11, 30),
        value=Decimal(100),
        source=make_source(),
    )
    o.full_clean()
    for value in (Decimal("100.1"), Decimal(500), Decimal(-1)):
        o.value = value
        with pytest.raises(ValidationError) as excinfo:
            o.full_clean()
        assert "value" in excinfo.value.message_dict
    # A count is not a share.
    o.indicator = make_indicator(unit=Indicator.Unit.COUNT, denominator=None)
    o.value = Decimal(500)
    o.full_clean()


def test_indicator_denominator_positive_and_target_not_negative():
    i = make_indicator()
    assert_db_rejects(Indicator, i.pk, denominator=0)
    j = make_jurisdiction(level="national")
    t = IndicatorTarget.objects.create(
        indicator=i,
        jurisdiction=j,
        value=80,
        due_on=datetime.date(2025, 12, 31),
        source=make_source(),
    )
    assert_db_rejects(IndicatorTarget, t.pk, value=-1)


def test_jurisdiction_cannot_be_its_own_parent():
    j = make_jurisdiction()
    assert_db_rejects(Jurisdiction, j.pk, parent=j.pk)
