"""The public pages' Jinja2 environment (govtracker/jinja2.py): messages filled as
{% blocktranslate %} filled them, counted phrases, Django's escaping rules."""

import pytest
from django.template import engines
from django.utils import translation

from govtracker.jinja2 import counted, fill


def render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_a_filled_message_keeps_its_markup_and_escapes_the_values():
    html = fill("<strong>%(name)s</strong> at 100%%", name="<script>x</script>")
    assert html == "<strong>&lt;script&gt;x&lt;/script&gt;</strong> at 100%"


def test_output_is_escaped_unless_marked_safe():
    assert render("{{ text }}", text="<b>&</b>") == "&lt;b&gt;&amp;&lt;/b&gt;"
    with translation.override("en"):
        assert render('{{ _("Plans") }}') == "Plans"


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [("en", "1 plan", "2 plans"), ("zh-hant", "1項規劃", "2項規劃")],
)
def test_counted_phrases_take_the_languages_plural(language, one, many):
    with translation.override(language):
        assert counted(1, "plans") == one
        assert counted(2, "plans") == many
        assert render('{{ counted(2, "plans") }}') == many


def test_messages_are_translated_in_the_active_language():
    with translation.override("zh-hant"):
        assert render('{{ _("Plans") }}') == "規劃"
        assert render('{{ _("Page %(number)s of %(total)s")|fill(number=2, total=3) }}') == (
            translation.gettext("Page %(number)s of %(total)s") % {"number": 2, "total": 3}
        )
