"""Bad input everywhere: fuzzed query parameters never make a page fail, and script
payloads stored in any text field are shown as text, never run."""

import itertools

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans.models import Source
from tests.factories import (
    make_indicator,
    make_jurisdiction,
    make_milestone,
    make_observation,
    make_plan,
    make_source,
    make_target,
    make_update,
)

LANGUAGES = ["zh-hant", "zh-hans", "en"]


@pytest.fixture
def site(db):
    """A little of everything, so that every page has something to show."""
    province = make_jurisdiction()
    city = make_jurisdiction(level="prefecture", parent=province)
    plan = make_plan(jurisdiction=city)
    plan.sources.add(make_source(url="https://example.org/report"))
    milestone = make_milestone(plan=plan)
    make_milestone(plan=plan, parent=milestone, kind="quantitative", unit="個", position=2)
    make_update(milestone=milestone)
    indicator = make_indicator()
    national = make_jurisdiction(level="national")
    make_observation(indicator=indicator, jurisdiction=national, numerator=3, denominator=32)
    make_target(indicator=indicator, jurisdiction=national, value=80, due_on="2025-12-31")
    return {"plan": plan, "jurisdiction": city, "province": province, "indicator": indicator}


# Each public page: its URL name, how to get its arguments from `site`, and the query
# parameters it reads. A new page is one more line; its parameters get fuzzed with the rest.
PAGES = [
    ("plans:home", lambda s: [], ["as_of"]),
    (
        "plans:plan-list",
        lambda s: [],
        ["page", "q", "status", "kind", "level", "jurisdiction", "deadline_year", "o", "format"],
    ),
    ("plans:deadline-index", lambda s: [], []),
    ("plans:deadline-year", lambda s: [2022], ["page", "status", "as_of", "format"]),
    ("plans:methodology", lambda s: [], []),
    ("plans:about", lambda s: [], []),
    ("plans:plan-detail", lambda s: [s["plan"].slug], ["as_of"]),
    ("plans:plan-updates", lambda s: [s["plan"].slug], ["page", "as_of"]),
    ("plans:jurisdiction-detail", lambda s: [s["jurisdiction"].code], []),
    ("plans:jurisdiction-detail", lambda s: [s["province"].code], []),
    ("metrics:indicator-list", lambda s: [], []),
    ("metrics:indicator-detail", lambda s: [s["indicator"].slug], []),
]
# Parameters the pages and the API use or will use (filters, search, sort, dates, formats).
KNOWN_PARAMS = sorted(
    {p for _, _, params in PAGES for p in params}
    | {"page", "as_of", "q", "sort", "status", "year", "kind", "level", "jurisdiction", "format"}
)

PAYLOAD_VALUES = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "0",
        "-1",
        "99999999999999999999999",
        "1e309",
        "NaN",
        "2024-02-30",
        "9999-12-31",
        "0000-01-01",
        "2024-13-01",
        "' OR 1=1 --",
        "%00",
        "\x00",
        "\ud7ff",
        "../../etc/passwd",
        "",
        "last",
        " " * 3,
    ]
)
PARAM_VALUES = PAYLOAD_VALUES | st.text(max_size=40) | st.integers().map(str) | st.dates().map(str)
PARAMS = st.dictionaries(
    keys=st.sampled_from(KNOWN_PARAMS) | st.text(min_size=1, max_size=10),
    values=PARAM_VALUES | st.lists(PARAM_VALUES, min_size=1, max_size=3),
    max_size=4,
)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(page=st.sampled_from(PAGES), language=st.sampled_from(LANGUAGES), params=PARAMS)
def test_fuzzed_query_parameters_never_break_a_page(client, site, page, language, params):
    name, args, _ = page
    with _language(language):
        url = reverse(name, args=args(site))
    response = client.get(url, params)
    assert response.status_code in {200, 301, 302, 400, 404}, (url, params, response.status_code)
    # format=csv is a known parameter: those pages answer with a streamed CSV export
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    for value in itertools.chain.from_iterable(
        v if isinstance(v, list) else [v] for v in params.values()
    ):
        if "<" in value and len(value) > 3:
            assert value not in body, f"{value!r} reflected unescaped on {url}"


def _language(language):
    from django.utils import translation

    return translation.override(language)


# -- stored script payloads ---------------------------------------------------------------

_counter = itertools.count(1)


def text_fields(model) -> list[models.Field]:
    """Every free-text field an editor or an import can fill."""
    return [
        field
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.SlugField | models.URLField | models.EmailField)
        and not field.choices
        and field.editable
        # identifiers restricted to letters and digits (they appear in addresses)
        and not any(isinstance(v, RegexValidator) for v in field.validators)
    ]


def fill_with_payloads(obj, payloads: list[str]) -> None:
    for field in text_fields(type(obj)):
        n = next(_counter)
        payload = f"<script>alert({n})</script>"
        if field.max_length and len(payload) > field.max_length:
            payload = f"<b{n}>"  # still a tag, and unique for unique fields such as codes
        setattr(obj, field.name, payload)
        payloads.append(payload)
    obj.save()


def test_every_text_field_of_every_model_is_shown_escaped(admin_client, site):
    payloads: list[str] = []
    for app_label in ["plans", "metrics"]:
        for model in apps.get_app_config(app_label).get_models():
            for obj in model._base_manager.all():
                fill_with_payloads(obj, payloads)
    assert len(payloads) > 30
    for obj in site.values():
        obj.refresh_from_db()  # codes changed

    pages = []
    for language in LANGUAGES:
        with _language(language):
            pages += [reverse(name, args=args(site)) for name, args, _ in PAGES]
            for model in [
                *apps.get_app_config("plans").get_models(),
                *apps.get_app_config("metrics").get_models(),
            ]:
                if not admin.site.is_registered(model):
                    continue  # e.g. history tables, shown through their model's admin
                opts = model._meta
                pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
                obj = model._base_manager.first()
                if obj is None:
                    continue
                pages.append(
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
                )

    shown = 0
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for payload in payloads:
            assert payload not in body, f"{payload!r} unescaped on {url}"
        shown += body.count("&lt;script&gt;alert(") + body.count("&lt;b")
    assert shown > len(payloads)  # the payloads are on the pages, as text


def test_a_javascript_url_is_not_a_valid_source_url(db):
    source = Source(title="虛構來源", url="javascript:alert(1)")
    with pytest.raises(ValidationError) as error:
        source.full_clean()
    assert "url" in error.value.message_dict
