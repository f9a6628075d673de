"""reverse_one() and reverse_none() answer what reverse() answers, in every language and
script prefix."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from govtracker.reverse import reverse_one


@pytest.fixture
def script_prefix():
    yield set_script_prefix
    set_script_prefix("/")


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans", "en"])
@pytest.mark.parametrize(
    ("viewname", "value"),
    [
        ("plans:plan-detail", "anhui-digital-government-2020-2025"),
        ("plans:plan-detail", "Plan_2"),
        ("plans:jurisdiction-detail", "340000"),
        ("plans:jurisdiction-detail", "FX01"),
        ("metrics:indicator-detail", "provincial-coordination-agency"),
    ],
)
def test_the_same_address_as_reverse(language, viewname, value, script_prefix):
    with translation.override(language):
        assert reverse_one(viewname, value) == reverse(viewname, args=[value])
        script_prefix("/mounted/")
        assert reverse_one(viewname, value) == reverse(viewname, args=[value])
        assert reverse_one(viewname, value).startswith(f"/mounted/{language}/")


def test_a_value_outside_the_plain_characters_goes_through_reverse():
    with translation.override("en"):
        with pytest.raises(NoReverseMatch):
            reverse_one("plans:jurisdiction-detail", "34 00")
        with pytest.raises(NoReverseMatch):
            reverse_one("plans:plan-detail", "a/b")


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans", "en"])
def test_the_templates_url_is_reverse_kept_per_language_and_prefix(language, script_prefix):
    from govtracker.jinja2 import url

    with translation.override(language):
        assert url("plans:methodology") == reverse("plans:methodology")
        assert url("plans:deadline-year", 2022) == reverse("plans:deadline-year", args=[2022])
        script_prefix("/mounted/")
        assert url("plans:methodology") == f"/mounted/{language}/methodology/"
        assert url("plans:methodology") == reverse("plans:methodology")


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans", "en"])
@pytest.mark.parametrize("year", [2022, 1, 0, 907150842631, 10**30])
def test_a_whole_number_gives_reverse_s_address(language, year, script_prefix):
    from govtracker.reverse import reverse_number

    with translation.override(language):
        assert reverse_number("plans:deadline-year", year) == reverse(
            "plans:deadline-year", args=[year]
        )
        script_prefix("/mounted/")
        assert reverse_number("plans:deadline-year", year) == reverse(
            "plans:deadline-year", args=[year]
        )


def test_what_a_number_cannot_stand_for_goes_through_reverse():
    from govtracker.reverse import reverse_number

    with translation.override("en"):
        with pytest.raises(NoReverseMatch):
            reverse_number("plans:deadline-year", -1)  # the int converter takes digits
        # Not an int: reverse() decides (a str of digits is reversed as reverse() does it).
        assert reverse_number("plans:deadline-year", "2022") == "/en/deadlines/2022/"
        assert reverse_number("plans:plan-detail", 7) == reverse("plans:plan-detail", args=[7])


@pytest.mark.parametrize("year", [2022, "2023"])
def test_a_pattern_that_refuses_the_placeholder_goes_through_reverse(year, script_prefix):
    """The API's deadline scorecards take four digits: neither placeholder fits them."""
    from govtracker.reverse import reverse_number

    expected = f"/api/v1/scorecards/deadlines/{year}/"
    assert reverse_one("api:scorecard-deadline", year) == expected
    assert reverse_number("api:scorecard-deadline", 2022) == "/api/v1/scorecards/deadlines/2022/"
    script_prefix("/mounted/")
    assert reverse_one("api:scorecard-deadline", year) == f"/mounted{expected}"
    with pytest.raises(NoReverseMatch):
        reverse_one("api:scorecard-deadline", 20222)
