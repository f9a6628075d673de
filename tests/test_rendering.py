"""govtracker/rendering.py: the page's language, URLconf and script prefix, read once when a
page starts rendering, and Django's again as soon as it ends."""

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
