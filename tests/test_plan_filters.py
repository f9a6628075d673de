"""The plans list: every PlanFilter field, sorting, pagination and the CSV download."""

import csv
import datetime
import io
from unittest import mock

import pytest

from plans.models import Plan
from tests.factories import make_jurisdiction, make_milestone, make_plan, make_tracked_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(frozen_today):
    north = make_jurisdiction(name_zh_hant="北虛構省", name_en="North Fictional Province")
    city = make_jurisdiction(level="key_city", parent=north, name_en="Fictional City")
    south = make_jurisdiction(name_zh_hant="南虛構省", name_en="South Fictional Province")
    return {
        "tracked": make_tracked_plan(jurisdiction=north, slug="tracked"),
        "city": make_plan(
            jurisdiction=city,
            slug="city",
            title="虛構市數字政府方案",
            title_en="",
            kind="programme",
            issued_on=datetime.date(2022, 5, 1),
        ),
        "south": make_plan(
            jurisdiction=south,
            slug="south",
            title="南虛構省工作要點",
            title_en="South Work Points",
            kind="work_points",
            issued_on=datetime.date(2020, 3, 1),
        ),
        "north": north,
        "south_province": south,
    }


def slugs(response):
    return [plan.slug for plan in response.context["plans"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["city", "tracked", "south"]),  # newest first
        ("kind=programme", ["city"]),
        ("kind=work_points", ["south"]),
        ("level=key_city", ["city"]),
        ("status=missed", ["tracked"]),
        ("status=achieved", ["tracked"]),
        ("status=on_track", []),
        ("deadline_year=2024", ["tracked"]),
        ("deadline_year=2030", []),
        ("issued_after=2021-01-01", ["city", "tracked"]),
        ("issued_before=2021-01-01", ["tracked", "south"]),
        ("issued_after=2020-01-01&issued_before=2020-12-31", ["south"]),
        ("q=工作要點", ["south"]),
        ("q=south work", ["south"]),
        ("q=数字政府", ["city", "tracked"]),  # typed in Simplified, stored in Traditional
        ("o=jurisdiction", ["tracked", "city", "south"]),
        ("o=issued", ["south", "tracked", "city"]),
        ("o=end,-issued", ["south", "city", "tracked"]),
    ],
)
def test_each_filter_and_sort_narrows_the_list(client, plans, query, expected):
    response = client.get(f"/en/plans/?{query}")
    assert response.status_code == 200
    assert slugs(response) == expected


def test_jurisdiction_filter_includes_the_jurisdictions_directly_under_it(client, plans):
    code = plans["north"].code
    assert sorted(slugs(client.get(f"/en/plans/?jurisdiction={code}"))) == ["city", "tracked"]
    other = plans["south_province"].code
    assert slugs(client.get(f"/en/plans/?jurisdiction={other}")) == ["south"]
    # A jurisdiction with none under it: its own plans alone; a code nobody has: none.
    city = Plan.objects.get(slug="city").jurisdiction.code
    assert slugs(client.get(f"/en/plans/?jurisdiction={city}")) == ["city"]
    assert slugs(client.get("/en/plans/?jurisdiction=NOSUCH9")) == []


def test_status_filter_follows_the_as_of_date(client, plans):
    # On 2022-05-31 no update existed yet: nothing was achieved.
    assert slugs(client.get("/en/plans/?status=achieved&as_of=2022-05-31")) == []


def test_list_shows_each_plan_with_progress_and_status_counts(client, plans):
    html = client.get("/en/plans/").content.decode()
    row = html.split("Fictional Digital Government Plan")[1].split("</tr>")[0]
    for status in ["achieved", "missed", "overdue_unreported", "no_report"]:
        assert f"badge status-{status}" in row
    assert "North Fictional Province" in row


def test_list_is_paginated_and_pages_keep_the_filters(client, frozen_today):
    province = make_jurisdiction()
    for n in range(30):
        make_plan(jurisdiction=province, slug=f"p{n:02d}", kind="opinion")
    first = client.get("/en/plans/?kind=opinion")
    assert len(first.context["plans"]) == 25
    html = first.content.decode()
    assert 'href="?kind=opinion&amp;page=2"' in html
    second = client.get("/en/plans/?kind=opinion&page=2")
    assert len(second.context["plans"]) == 5


def test_csv_download_streams_the_filtered_list(client, plans):
    response = client.get("/en/plans/?kind=work_points&format=csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="plans.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["slug", "title"]
    assert [row[0] for row in rows[1:]] == ["south"]
    assert rows[1][1] == "South Work Points"


def test_csv_download_ignores_pagination(client, frozen_today):
    province = make_jurisdiction()
    for n in range(30):
        make_plan(jurisdiction=province, slug=f"p{n:02d}")
    response = client.get("/en/plans/?format=csv&page=2")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 31


def test_deadline_year_csv_has_statuses(client, plans):
    response = client.get("/en/deadlines/2022/?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 4
    assert {row[3] for row in rows[1:]} == {
        "建成虛構線上政府",
        "完成虛構平臺升級",
        "虛構目標無報告",
    }


def test_form_keeps_the_chosen_values(client, plans):
    make_milestone(plan=plans["south"])
    html = client.get("/en/plans/?kind=work_points&q=South").content.decode()
    assert '<option value="work_points" selected>' in html
    assert 'value="South"' in html


def test_jurisdiction_csv_lists_its_plans_and_its_key_cities(client, plans):
    response = client.get(f"/en/jurisdictions/{plans['north'].code}/?format=csv")
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert sorted(row[0] for row in rows[1:]) == ["city", "tracked"]


def test_filter_form_class_is_built_once_and_each_form_keeps_its_own_fields():
    """govtracker.filtersets: one form class per FilterSet class and language, whose
    forms neither share their fields nor lose the language of the request."""
    from django.utils import translation

    from metrics.filters import ObservationFilter
    from plans.filters import PlanFilter

    with translation.override("en"):
        first, second = PlanFilter({}), PlanFilter({"status": "missed"})
        assert type(first.form) is type(second.form)
        assert first.form.fields["status"] is not second.form.fields["status"]
        assert [str(label) for _value, label in first.form.fields["status"].choices][0] == "All"
        # PlanFilter draws its dates with a date picker, on its own forms only.
        assert first.form.fields["issued_after"].widget.input_type == "date"
        assert ObservationFilter({}).form.fields["as_of_after"].widget.input_type == "text"
        first.form.fields["status"].label = "changed on one form"
        assert str(PlanFilter({}).form.fields["status"].label) == "Status"
        assert second.is_valid() and not PlanFilter({"status": "nonsense"}).is_valid()
    with translation.override("zh-hant"):
        chinese = PlanFilter({})
        assert str(chinese.form.fields["status"].label) == "狀態"
        assert [str(label) for _value, label in chinese.form.fields["status"].choices][0] == "全部"


def _filter_state(a_filter, owner) -> dict:
    """A filter's attributes, comparable between two copies: what points back at a filter
    or at its FilterSet by what it points at."""
    from django_filters.filters import FilterMethod

    state = {}
    for name, value in vars(a_filter).items():
        if name == "parent":
            value = "its FilterSet" if value is owner else value
        elif isinstance(value, FilterMethod):
            value = ("FilterMethod of itself", value.f is a_filter)
        elif name in {"creation_counter", "_field"}:
            continue  # a form field is compared below, by what it is
        state[name] = value
    return state


FILTERSETS = [
    "plans.filters.PlanFilter",
    "plans.filters.JurisdictionFilter",
    "plans.filters.SourceFilter",
    "plans.filters.MilestoneFilter",
    "plans.filters.ProgressUpdateFilter",
    "metrics.filters.IndicatorFilter",
    "metrics.filters.ObservationFilter",
]


@pytest.mark.parametrize("path", FILTERSETS)
def test_each_filtersets_filters_are_django_filters_deep_copies(path):
    """govtracker.filtersets.FilterPrototypes copies a FilterSet's filters attribute by
    attribute instead of copy.deepcopy()'s walk: what each FilterSet gets is the same."""
    import copy
    from collections import OrderedDict

    from django.utils.module_loading import import_string

    filterset_class = import_string(path)
    for prototype in filterset_class.base_filters.values():
        prototype.field  # noqa: B018 - as drf-spectacular leaves them, a form field built
    ours = filterset_class({})
    # django-filter's own: the same filters deep-copied.
    with mock.patch.object(
        filterset_class, "base_filters", OrderedDict(filterset_class.base_filters)
    ):
        theirs = filterset_class({})
        assert type(theirs.base_filters) is OrderedDict
    assert list(ours.filters) == list(theirs.filters)
    for name in ours.filters:
        mine, deep = ours.filters[name], theirs.filters[name]
        assert mine is not filterset_class.base_filters[name]
        assert type(mine) is type(deep)
        assert _filter_state(mine, ours) == _filter_state(deep, theirs), name
        prototype_field = filterset_class.base_filters[name].field
        assert mine.field is not prototype_field and deep.field is not prototype_field
        assert type(mine.field) is type(deep.field), name
        assert str(mine.field.label) == str(deep.field.label), name
    assert copy.deepcopy(filterset_class.base_filters).keys() == ours.filters.keys()


def test_a_filter_method_runs_on_its_own_filterset():
    """A filter with `method` calls it on the FilterSet that holds the filter: the status
    filter asks its own FilterSet for the date of the statuses."""
    from plans.filters import PlanFilter

    early = PlanFilter({"status": "missed"}, as_of=datetime.date(2021, 1, 1))
    late = PlanFilter({"status": "missed"}, as_of=datetime.date(2030, 1, 1))
    for filterset in (early, late):
        status = filterset.filters["status"]
        assert status.filter.f is status and status.parent is filterset
        assert status.filter.method.__self__ is filterset
    prototype = PlanFilter.base_filters["status"]
    assert not hasattr(prototype, "parent")
    assert str(early.qs.query) != str(late.qs.query)


def test_what_one_filterset_changes_in_a_filter_stays_with_it():
    from plans.filters import PlanFilter

    first = PlanFilter({})
    first.filters["q"].extra["validators"] = []
    first.filters["q"].extra["max_length"] = 5
    first.filters["level"].label = "changed"
    second = PlanFilter({})
    assert second.filters["q"].extra["max_length"] == 200
    assert len(second.filters["q"].extra["validators"]) == 1
    assert str(second.filters["level"].label) != "changed"
