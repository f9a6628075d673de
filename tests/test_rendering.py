"""govtracker/rendering.py: the page's language, URLconf and script prefix, read once when a
page starts rendering, and Django's again as soon as it ends."""

import pytest
from django.template import engines
from django.urls import set_script_prefix
from django.utils import translation

from govtracker import rendering
from govtracker.reverse import reverse_one
from govtracker.text import localized


def test_outside_a_render_the_helpers_follow_django():
    for language, expected in [("en", "Anhui"), ("zh-hans", "安徽"), ("zh-hant", "安徽")]:
        with translation.override(language):
            assert rendering.active_language() == language
            assert localized("安徽", "Anhui") == expected
            assert reverse_one("plans:jurisdiction-detail", "340000") == (
                f"/{language}/jurisdictions/340000/"
            )


def test_a_render_reads_its_page_once_and_gives_it_back():
    template = engines["jinja2"].from_string(
        '{{ localize("數字政府", "digital government") }} '
        '{{ reverse_one("plans:jurisdiction-detail", "340000") }}'
    )
    context = {"localize": localized, "reverse_one": reverse_one}
    for language, expected in [
        ("zh-hans", "数字政府 /zh-hans/jurisdictions/340000/"),
        ("en", "digital government /en/jurisdictions/340000/"),
        ("zh-hant", "數字政府 /zh-hant/jurisdictions/340000/"),
    ]:
        with translation.override(language):
            assert template.render(dict(context)) == expected
        # Over: nothing of the page is left behind for what runs next.
        assert rendering._page.get() is None
    with translation.override("en"):
        assert rendering.active_language() == "en"


def test_renders_nest_and_each_restores_what_it_found():
    with translation.override("en"), rendering.rendering_page():
        with translation.override("zh-hans"), rendering.rendering_page():
            assert rendering.active_language() == "zh-hans"
        assert rendering.active_language() == "en"
    assert rendering._page.get() is None


def test_the_script_prefix_of_the_render_is_the_one_reversed_with():
    set_script_prefix("/tracker/")
    try:
        with translation.override("en"), rendering.rendering_page():
            assert reverse_one("plans:jurisdiction-detail", "340000") == (
                "/tracker/en/jurisdictions/340000/"
            )
    finally:
        set_script_prefix("/")


def test_choice_labels_are_djangos_in_each_language_and_remembered(monkeypatch):
    from django.db import models

    from metrics.models import Indicator
    from plans.models import Jurisdiction, Milestone, Plan

    rendering.forget_translations()
    cases = (
        [(Plan(kind=kind), "kind") for kind in Plan.Kind.values]
        + [(Jurisdiction(level=level), "level") for level in Jurisdiction.Level.values]
        + [(Milestone(kind=kind), "kind") for kind in Milestone.Kind.values]
        + [(Indicator(unit=unit, direction="up"), "unit") for unit in Indicator.Unit.values]
        + [
            (Plan(kind="not-a-kind"), "kind"),  # not among the choices: the value itself
            (Plan(kind=None), "kind"),
        ]
    )
    for language in ("zh-hant", "zh-hans", "en"):
        with translation.override(language):
            for instance, name in cases:
                field = instance._meta.get_field(name)
                djangos = models.Model._get_FIELD_display(instance, field)
                assert getattr(instance, f"get_{name}_display")() == djangos
    labels = {}
    for language in ("en", "zh-hant"):
        with translation.override(language):
            labels[language] = Plan(kind=Plan.Kind.PLAN).get_kind_display()
    assert labels == {"en": "plan (規劃)", "zh-hant": "規劃"}, labels

    # Remembered: Django's own is asked once per field, value and language.
    asked = []
    djangos_own = models.Model._get_FIELD_display
    monkeypatch.setattr(
        models.Model, "_get_FIELD_display", lambda *args: asked.append(args) or djangos_own(*args)
    )
    rendering.forget_translations()
    with translation.override("en"):
        for _ in range(3):
            assert Plan(kind="plan").get_kind_display() == "plan (規劃)"
    assert len(asked) == 1


@pytest.mark.parametrize(
    ("language", "version"),
    [
        ("en", "en"),
        ("en-gb", "en"),
        ("EN", "en"),
        ("zh-hans", "hans"),
        ("zh-CN", "hans"),
        ("zh-sg", "hans"),
        ("zh-hant", "hant"),
        ("zh-tw", "hant"),
        ("fr", "hant"),
    ],
)
def test_each_language_reads_one_script_asked_again_or_not(language, version):
    from govtracker import text

    text._script_of.cache_clear()
    assert text.script(language) == version
    assert text.script(language) == version  # remembered
    assert text._script_of.cache_info().hits >= 1
    with translation.override("zh-hans"):
        assert text.script() == "hans"
    with translation.override("en"):
        assert text.script() == "en"
