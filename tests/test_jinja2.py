"""The public pages' Jinja2 environment (govtracker/jinja2.py): messages filled as
{% blocktranslate %} filled them, counted phrases, Django's escaping rules."""

import datetime
import itertools
from decimal import Decimal
from unittest import mock

import pytest
from django.template import engines
from django.utils import translation
from django.utils.safestring import SafeString
from markupsafe import Markup

import jinja2
from govtracker.jinja2 import counted, fill, form_field
from govtracker.rendering import _translated


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


def test_counted_phrases_are_remembered_per_language_and_forgotten_with_the_catalogues(
    settings,
):
    for language, expected in [("en", "3 plans"), ("zh-hant", "3項規劃"), ("en", "3 plans")]:
        with translation.override(language):
            assert counted(3, "plans") == expected
            assert render('{{ counted(3, "plans") }}') == expected
    with mock.patch.dict("govtracker.jinja2.COUNTED", {"plans": lambda n: "%(counter)s x"}):
        with translation.override("en"):
            assert counted(3, "plans") == "3 plans"  # remembered: not worked out again
        settings.LOCALE_PATHS = [*settings.LOCALE_PATHS]  # the catalogues changed
        with translation.override("en"):
            assert counted(3, "plans") == "3 x"


def test_messages_are_translated_in_the_active_language():
    with translation.override("zh-hant"):
        assert render('{{ _("Plans") }}') == "規劃"
        assert render('{{ _("Page %(number)s of %(total)s")|fill(number=2, total=3) }}') == (
            translation.gettext("Page %(number)s of %(total)s") % {"number": 2, "total": 3}
        )


def test_remembered_translations_follow_the_language_of_each_render(tmp_path):
    # A message remembered in one language must not be shown in another: the page's own
    # template (its context's gettext) and a macro imported from another template (the
    # environment's global gettext) alike, language after language.
    (tmp_path / "macros.html").write_text('{% macro title() %}{{ _("Plans") }}{% endmacro %}')
    env = engines["jinja2"].env
    loader = env.loader
    env.loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(tmp_path), loader])
    try:
        source = '{% import "macros.html" as m %}{{ _("Plans") }}|{{ m.title() }}'
        expected = {"zh-hant": "規劃|規劃", "en": "Plans|Plans", "zh-hans": "规划|规划"}
        for language in ["zh-hant", "en", "zh-hans", "en", "zh-hant", "zh-hans"]:
            with translation.override(language):
                assert render(source) == expected[language], language
    finally:
        env.loader = loader


def test_remembered_translations_are_forgotten_when_the_catalogues_change(settings):
    with translation.override("en"):
        render('{{ _("Plans") }}')
    assert _translated
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS]
    assert not _translated


@pytest.mark.django_db
def test_remembered_form_fields_are_drawn_as_django_draws_them():
    # The plans list's filter fields, remembered by form, field, value and language: each
    # must be what Django draws for that request, whatever was drawn before it.
    from django.http import QueryDict

    from plans.filters import PlanFilter
    from plans.models import Plan
    from plans.views import PAGE_FORM_RENDERER

    queries = ["", "level=county", "level=national&o=title", "deadline_year=2023",
               "deadline_year=abc", "issued_after=2021-01-01", "issued_after=2021-13-01",
               "status=missed", "status=bogus"]  # fmt: skip

    for language in ["en", "zh-hant", "en", "zh-hans"]:
        with translation.override(language):
            # The page's renderer (Jinja2) and Django's default, which space widgets apart.
            for query, renderer in itertools.product(queries * 2, [PAGE_FORM_RENDERER, None]):
                data = QueryDict(query) or None
                drawn = PlanFilter(data, queryset=Plan.objects.all()).form
                filterset = PlanFilter(data, queryset=Plan.objects.all())
                if renderer:
                    drawn.renderer = filterset.form.renderer = renderer
                for name in ["level", "kind", "status", "deadline_year", "issued_after", "o"]:
                    expected = drawn[name].label_tag() + str(drawn[name])
                    remembered = form_field(filterset.form[name], filterset)
                    assert remembered == expected, (language, query, name)
    with translation.override("en"):
        invalid = PlanFilter(QueryDict("deadline_year=abc"), queryset=Plan.objects.all()).form
        assert 'aria-invalid="true"' in form_field(invalid["deadline_year"], PlanFilter)
        # Remembered, not drawn again, for another request with the same value.
        first, second = (PlanFilter(QueryDict("level=county"), queryset=Plan.objects.all())
                         for _ in range(2))  # fmt: skip
        assert form_field(first.form["level"], first) is form_field(second.form["level"], second)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "數字政府",
        "x" * 9,
        "x" * 10,
        "x" * 11,
        "建成全省一體化數字政府平臺",
        "cafe\u0301 ok",  # decomposed: Django gives it back composed
        "e\u0301" * 12,  # combining marks count for nothing
        SafeString("<b>safe</b>"),
        Markup("<b>markup</b>"),
        42,
        None,
    ],
)
@pytest.mark.parametrize("length", [0, 1, 10, "10", "x"])
def test_truncatechars_answers_what_djangos_filter_answers(value, length):
    from django.template.defaultfilters import truncatechars as django_truncatechars

    from govtracker.jinja2 import truncatechars

    expected = django_truncatechars(value, length)
    answer = truncatechars(value, length)
    assert answer == expected
    # Escaped, or not, alike: what Jinja2 looks at.
    assert hasattr(answer, "__html__") == hasattr(expected, "__html__")
    assert type(answer) is type(expected)


def test_remembered_numbers_are_djangos_in_each_language():
    from django.template.defaultfilters import floatformat as django_floatformat

    from govtracker.jinja2 import floatformat

    values = [Decimal("34.23234"), Decimal("50.00"), Decimal("50"), Decimal("-0.00"), 0.1,
              34.26, 1234567.891, 7, 0, -3, None, "abc", "12.5", Decimal("NaN")]  # fmt: skip
    args = [-1, 1, 2, -2, "-4", "2g", "0", "x"]
    # German prints a decimal comma: the language is part of what is remembered.
    for language in ["en", "de", "zh-hant", "de", "en"]:
        with translation.override(language):
            for value in values:
                for arg in args:
                    expected = django_floatformat(value, arg)
                    answer = floatformat(value, arg)
                    assert (answer, type(answer)) == (expected, type(expected)), (value, arg)
    with translation.override("de"):
        assert floatformat(Decimal("34.26"), 1) == "34,3"


# --- Messages translated when a template is compiled (LiteralMessages) ------------------


@pytest.fixture
def page_templates(tmp_path):
    """A template and a macro it imports, looked up through the backend as pages are."""
    (tmp_path / "fictional_page.html").write_text(
        '{% import "fictional_macros.html" as m %}'
        '{{ _("Plans") }}|{{ m.title() }}|{{ _(word) }}|{% set label = _("Plans") %}{{ label }}'
    )
    (tmp_path / "fictional_macros.html").write_text(
        '{% macro title() %}{{ _("Plans") }}{% endmacro %}'
    )
    backend = engines["jinja2"]
    loader = backend.env.loader
    backend.env.loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(tmp_path), loader])
    backend.forget_languages()  # the per-language environments take the loader above
    try:
        yield backend
    finally:
        backend.env.loader = loader
        backend.forget_languages()


def test_literal_messages_are_compiled_translated_in_each_language(page_templates, monkeypatch):
    expected = {"zh-hant": "規劃", "en": "Plans", "zh-hans": "规划"}
    for language in ["zh-hant", "en", "zh-hans", "en", "zh-hant"]:
        with translation.override(language):
            html = page_templates.get_template("fictional_page.html").render({"word": "Plans"})
        word = expected[language]
        assert html == f"{word}|{word}|{word}|{word}", language
    # Once compiled, a literal message costs no gettext call; `_(variable)` still does.
    calls = []
    real_gettext = translation.gettext

    def counting(message):
        calls.append(message)
        return real_gettext(message)

    monkeypatch.setattr("govtracker.jinja2.gettext", counting)  # compile time
    monkeypatch.setattr("govtracker.rendering.gettext", counting)  # run time (remembered)
    _translated.clear()
    with translation.override("zh-hant"):
        html = page_templates.get_template("fictional_page.html").render({"word": "Plans"})
    assert html == "規劃|規劃|規劃|規劃"
    assert calls == ["Plans"]  # the variable's, once


def test_a_compiled_message_is_escaped_as_a_runtime_one(page_templates, tmp_path):
    # A message is text: its markup characters are escaped when written, as before.
    (tmp_path / "fictional_escape.html").write_text('{{ _("<b>not a message</b>") }}')
    with translation.override("en"):
        html = page_templates.get_template("fictional_escape.html").render({})
    assert html == "&lt;b&gt;not a message&lt;/b&gt;"


def test_compiled_messages_are_forgotten_when_the_catalogues_change(page_templates, settings):
    with translation.override("en"):
        page_templates.get_template("fictional_page.html")
    assert page_templates._by_language
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS]
    assert not page_templates._by_language


class _Html:
    def __html__(self):
        return "<i>said to be HTML</i>"


class _Plain:
    def __str__(self):
        return "<plain & simple>"


OUTPUT_VALUES = [
    "",
    "plain",
    "<script>alert('x') & \"y\"</script>",
    "數字政府 <b>",
    0,
    -17,
    10**20,
    True,
    None,
    3.5,
    Decimal("31.30"),
    Markup("<em>safe</em>"),
    SafeString("<strong>django-safe</strong>"),
    _Html(),
    _Plain(),
    ["<list>"],
]


def test_each_value_is_written_as_markupsafe_escapes_it():
    from markupsafe import escape

    from govtracker.jinja2 import escape_output

    for value in OUTPUT_VALUES:
        assert escape_output(value) == str(escape(value)), value
    with translation.override("en"):
        from django.utils.translation import gettext_lazy

        lazy = gettext_lazy("Plans")
        assert escape_output(lazy) == str(escape(lazy)) == "Plans"


def test_pages_are_compiled_to_write_through_escape_output():
    template = engines["jinja2"].from_string("{{ value }}")
    source = template.template.environment.compile("{{ value }}", raw=True)
    assert "environment.escape_output(" in source
    # A page's output for every kind of value, against Jinja2's own environment.
    plain = jinja2.Environment(autoescape=True)
    for value in OUTPUT_VALUES:
        assert render("<p>{{ value }}</p>", value=value) == plain.from_string(
            "<p>{{ value }}</p>"
        ).render(value=value), value


def test_macros_blocks_and_switched_escaping_keep_jinja2s_rules():
    source = (
        "{% macro box(text) %}<b>{{ text }}</b>{% endmacro %}"
        "{% set captured %}<u>{{ value }}</u>{% endset %}"
        "{{ box(value) }}|{{ box(value)|upper }}|{{ captured }}|{{ value ~ box(value) }}|"
        "{% autoescape false %}{{ value }}{% endautoescape %}|{{ value|e }}|{{ value|safe }}"
    )
    value = "<a & b>"
    plain = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    expected = plain.from_string(source).render(value=value)
    assert render(source, value=value) == expected
    # The macro's and the block's pieces are not escaped twice when written again.
    assert expected.startswith("<b>&lt;a &amp; b&gt;</b>|<B>&LT;A &AMP; B&GT;</B>|<u>")


class _Greeter:
    """A callable object: Jinja2 asks its __call__ whether it takes the context."""

    def __call__(self, name):
        return f"hello {name}"


class _ContextGreeter:
    @jinja2.pass_context
    def __call__(self, context, name):
        return f"{context.get('greeting')} {name}"


class _Page:
    def title(self, suffix=""):
        return f"page{suffix}"


@jinja2.pass_context
def _from_context(context, key):
    return f"{key}={context.get(key)}"


@jinja2.pass_eval_context
def _autoescaping(eval_ctx):
    return f"autoescape={eval_ctx.autoescape}"


@jinja2.pass_environment
def _environment_kind(environment):
    return "environment" if isinstance(environment, jinja2.Environment) else "?"


def _exhausted():
    raise StopIteration


def test_calls_from_a_template_get_what_jinja2_gives_them():
    """PageContext calls macros, functions and methods at once; what takes the context
    (or the evaluation context, or the environment) gets it as Jinja2's Context gives it,
    loop variables included."""
    from govtracker.jinja2 import PageContext

    source = (
        "{% macro item(x, sep='') %}[{{ x }}{{ sep }}{{ caller() if caller else '' }}]"
        "{% endmacro %}"
        "{{ item('a') }}{% for n in [1, 2] %}{% set greeting = 'hi' ~ n %}"
        "{{ item(n, sep=';') }}{% call item(n) %}c{{ n }}{% endcall %}"
        "{{ from_context('greeting') }}|{{ from_context('n') }}|{{ greeter('x') }}|"
        "{{ context_greeter('y') }}|{{ page.title('!') }}|{{ len('abc') }}|"
        "{{ escaping() }}|{{ kind() }}|{{ exhausted() is undefined }}|{{ plain('<b>') }}"
        "{% endfor %}"
    )
    values = dict(
        from_context=_from_context,
        greeter=_Greeter(),
        context_greeter=_ContextGreeter(),
        page=_Page(),
        len=len,
        escaping=_autoescaping,
        kind=_environment_kind,
        exhausted=_exhausted,
        plain=lambda text: text,
    )
    plain = jinja2.Environment(autoescape=True)
    expected = plain.from_string(source).render(**values)
    assert "greeting=hi1" in expected and "greeting=hi2" in expected and "hi2 y" in expected
    assert render(source, **values) == expected
    template = engines["jinja2"].from_string("{{ 1 }}").template
    assert template.environment.context_class is PageContext


def test_macros_called_by_position_answer_as_jinja2s_macros():
    """A macro given every argument by position is called at once (PageContext.call);
    fewer arguments (defaults), keywords, extra arguments (varargs), a caller and keyword
    catch-alls go through Jinja2's Macro, with the same output, errors included."""
    source = (
        "{% macro pair(a, b) %}<{{ a }}|{{ b }}>{% endmacro %}"
        "{% macro fallback(a, b='d') %}({{ a }}{{ b }}){% endmacro %}"
        "{% macro rest(a) %}{{ a }}{{ varargs|join(',') }}{{ kwargs|dictsort }}{% endmacro %}"
        "{% macro wrap(a) %}[{{ a }}{{ caller() }}]{% endmacro %}"
        "{{ pair('<x>', 1) }}{{ pair('<x>', 1)|upper }}{{ fallback('f') }}{{ fallback('f', 'g') }}"
        "{{ fallback(b='k', a='j') }}{{ rest('r', 1, 2, k=3) }}{{ rest('s') }}"
        "{% call wrap('w') %}c{% endcall %}{% for n in [1, 2] %}{{ pair(n, loop.index) }}"
        "{% endfor %}"
    )
    plain = jinja2.Environment(autoescape=True)
    expected = plain.from_string(source).render()
    assert expected == (
        "<&lt;x&gt;|1><&LT;X&GT;|1>(fd)(fg)(jk)r1,2[(&#39;k&#39;, 3)]s[][wc]<1|1><2|2>"
    )
    assert render(source) == expected
    with mock.patch.object(jinja2.runtime.Macro, "__call__", side_effect=AssertionError):
        assert render("{% macro p(a) %}{{ a }}{% endmacro %}{{ p('<v>') }}") == "&lt;v&gt;"
    with pytest.raises(TypeError, match="takes not more than"):
        render("{% macro p(a) %}{{ a }}{% endmacro %}{{ p(1, 2) }}")


def test_a_time_tag_is_the_date_drawn_twice_as_iso_draws_it():
    """`x|time_tag` writes what `<time datetime="{{ x|iso }}">{{ x|iso }}</time>` wrote, for
    a date, a datetime (its date in the site's time zone, here the next day), nothing, and
    text, in a page and in a Django template; the tag is not escaped again when written."""
    values = [
        datetime.date(2022, 12, 31),
        datetime.datetime(2022, 12, 31, 17, 30, tzinfo=datetime.UTC),  # 2023-01-01 in Shanghai
        None,
        "",
    ]
    for value in values:
        old = render('<time datetime="{{ x|iso }}">{{ x|iso }}</time>', x=value)
        assert render("{{ x|time_tag }}", x=value) == old, value
        django = engines["django"].from_string("{% load site_tags %}{{ x|time_tag }}")
        assert django.render({"x": value}) == old, value
    assert render("{{ x|time_tag }}", x=values[1]) == (
        '<time datetime="2023-01-01">2023-01-01</time>'
    )


class _Counted:
    """An object whose attribute reads are counted, with a property that raises
    AttributeError from inside (Jinja2 then looks for an item of that name)."""

    reads = 0
    title = "<t>"

    def __init__(self):
        self.child = {"name": "from a dict", "items": "an item, not dict.items"}

    @property
    def broken(self):
        raise AttributeError("inside the property")

    def __getitem__(self, key):
        return f"item {key}"

    def counted(self):
        _Counted.reads += 1
        return self


def test_attribute_reads_are_compiled_inline_and_answer_as_jinja2s():
    """`obj.name` is compiled to Python's getattr with Jinja2's environment.getattr as the
    fallback (an item of that name, or undefined): the same answers as Jinja2's own, and
    the object evaluated once when the fallback is taken."""
    source = (
        "{{ obj.title }}|{{ obj.child.name }}|{{ obj.child.missing is undefined }}|"
        "{{ obj.broken }}|{{ obj.counted().child.name }}|{{ obj.counted().nothing }}|"
        "{{ 'abc'.upper() }}|{{ [1, 2].count(2) }}|"
        "{% for row in rows %}{{ row.child.name }}{{ loop.index }}{% endfor %}|"
        "{% set alias = obj.child %}{{ alias.name }}|{{ obj.child['name'] }}|"
        "{{ (obj.child if obj.title else obj).name }}"
    )
    values = dict(obj=_Counted(), rows=[_Counted(), _Counted()])
    plain = jinja2.Environment(autoescape=True)
    _Counted.reads = 0
    expected = plain.from_string(source).render(**values)
    assert _Counted.reads == 2
    _Counted.reads = 0
    assert render(source, **values) == expected
    assert _Counted.reads == 2  # not once more for the fallback of `.nothing`
    assert expected.startswith("&lt;t&gt;|from a dict|True|item broken|from a dict|item nothing|")
    source = (
        engines["jinja2"]
        .from_string("{{ a.b }}")
        .template.environment.compile("{{ a.b.c }}", raw=True)
    )
    assert "environment.getattr(" in source and "getattr((_ga_" in source
    for environment in (plain, engines["jinja2"].env):  # Jinja2's error, in both
        with pytest.raises(jinja2.UndefinedError, match="'nothing' is undefined"):
            environment.from_string("{{ nothing.at_all }}").render()
