"""The API reads through FastRepresentationMixin (govtracker/fast_serialization.py): readers compiled once
per request instead of DRF's generic code for every field of every row. What it answers
must be what DRF answers: each test here makes the same representation or response twice,
with the fast path and with it switched off (DRF's own Serializer.to_representation), over
rows with every kind of value, and compares them field by field and byte for byte."""

import contextlib
import copy
import datetime
import gc
import re
import weakref
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxLengthValidator
from django.db.models import Manager, QuerySet
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.fields import SkipField
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from govtracker import fast_serialization
from govtracker.locking import OptimisticLockSerializerMixin
from metrics.models import Indicator
from metrics.serializers import ObservationSerializer
from metrics.viewsets import IndicatorTargetViewSet, IndicatorViewSet, ObservationViewSet
from plans.models import Milestone, Plan, ProgressUpdate
from plans.serializers import (
    MilestoneSerializer,
    PlanSerializer,
    ProgressUpdateSerializer,
    StatusInputsSerializer,
)
from plans.viewsets import (
    JurisdictionViewSet,
    MilestoneViewSet,
    PlanViewSet,
    ProgressUpdateViewSet,
    SourceViewSet,
)
from tests.factories import (
    make_editor,
    make_indicator,
    make_jurisdiction,
    make_milestone,
    make_observation,
    make_plan,
    make_source,
    make_target,
    make_tracked_plan,
    make_update,
    make_user,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hant", "zh-hans", "en"]


@contextlib.contextmanager
def drf_only():
    """DRF's own read representation: the fast path switched off."""
    with mock.patch.object(
        fast_serialization.FastRepresentationMixin,
        "to_representation",
        serializers.Serializer.to_representation,
    ):
        yield


@pytest.fixture
def world(frozen_today, settings):
    """On 2023-06-30: a plan with sources (with and without a URL), achieved, missed,
    unreported, not started and quantitative milestones, a milestone broken into two
    sub-milestones with a published, a draft and a scheduled update by authors with and
    without a full name; a plan with nothing (no progress, no source); an indicator with
    targets and observations."""
    settings.PAGE_CACHE = False
    settings.ALLOWED_HOSTS = ["*"]
    nation = make_jurisdiction(level="national", code="FX")
    province = make_jurisdiction(parent=nation, code="910000")
    city = make_jurisdiction(parent=province, level="key_city", code="910100")
    with_url = make_source(
        url="https://example.org/fictional-report",
        published_on=datetime.date(2022, 1, 5),
        title_en="Fictional report",
        citation="p. 3",
    )
    without_url = make_source()
    plan = make_tracked_plan(
        jurisdiction=province, summary="虛構摘要", summary_en="A fictional summary"
    )
    plan.sources.set([with_url, without_url])
    make_plan(
        jurisdiction=city,
        kind=Plan.Kind.OPINION,
        title_en="",
        issued_on=datetime.date(2022, 3, 1),
    )
    named = make_user(first_name="虛構", last_name="編輯")
    unnamed = make_user()
    editor = make_editor(province)
    quantitative = make_milestone(
        plan=plan,
        kind=Milestone.Kind.QUANTITATIVE,
        baseline_value=Decimal("12.5"),
        target_value=Decimal("40"),
        unit="%",
        weight=Decimal("2.5"),
        position=5,
        statement_en="A fictional quantitative target",
    )
    make_update(
        milestone=quantitative,
        value=Decimal("20.25"),
        as_of=datetime.date(2022, 9, 30),
        narrative_en="Fictional progress",
        sources=[with_url],
        author=named,
    )
    parent = make_milestone(plan=plan, position=6, deadline=datetime.date(2024, 6, 30))
    first = make_milestone(
        plan=plan, parent=parent, position=7, deadline=datetime.date(2024, 6, 30)
    )
    second = make_milestone(
        plan=plan,
        parent=parent,
        position=8,
        weight=Decimal("3"),
        deadline=datetime.date(2024, 6, 30),
    )
    make_update(
        milestone=first,
        percent_complete=Decimal("80"),
        as_of=datetime.date(2023, 3, 31),
        author=unnamed,
    )
    make_update(
        milestone=first,
        percent_complete=Decimal("90"),
        as_of=datetime.date(2023, 6, 1),
        published_on=datetime.date(2023, 7, 15),  # scheduled
    )
    make_update(
        milestone=second,
        percent_complete=Decimal("10.5"),
        as_of=datetime.date(2023, 5, 1),
        published_on=None,  # a draft
        author=editor,
        delivered=False,
    )
    make_milestone(
        plan=plan,
        position=9,
        start_date=datetime.date(2023, 9, 1),
        deadline=datetime.date(2024, 12, 31),
    )
    indicator = make_indicator(name_en="Fictional share", description="虛構說明")
    indicator.sources.add(with_url)
    make_target(
        indicator=indicator,
        jurisdiction=province,
        value=Decimal("50"),
        due_on=datetime.date(2025, 12, 31),
        source=with_url,
        note="虛構",
    )
    make_target(
        indicator=indicator, jurisdiction=city, value=70, due_on=datetime.date(2027, 12, 31)
    )
    make_observation(
        indicator=indicator,
        jurisdiction=province,
        value=Decimal("37.5"),
        numerator=12,
        denominator=32,
        source=with_url,
    )
    make_observation(
        indicator=indicator, jurisdiction=city, value=Decimal("12.3456"), note="虛構註"
    )
    make_indicator(
        unit=Indicator.Unit.OTHER,
        unit_label="虛構單位",
        denominator=None,
        direction=Indicator.Direction.LOWER,
    )
    return {"plan": plan, "parent": parent, "quantitative": quantitative, "editor": editor}


# --- Field by field ----------------------------------------------------------------------


def assert_same(fast, drf, where: str = "") -> None:
    """The same keys in the same order, and values of the same type and value."""
    if isinstance(drf, dict):
        assert isinstance(fast, dict), where
        assert list(fast) == list(drf), where
        for key in drf:
            assert_same(fast[key], drf[key], f"{where}.{key}")
    elif isinstance(drf, list):
        assert isinstance(fast, list) and len(fast) == len(drf), where
        for n, (a, b) in enumerate(zip(fast, drf, strict=True)):
            assert_same(a, b, f"{where}[{n}]")
    else:
        assert type(fast) is type(drf) and fast == drf, f"{where}: {fast!r} != DRF's {drf!r}"


def list_view(viewset, path: str, *, user=None, format_kwarg=None, **extra):
    request = APIRequestFactory().get(path, **extra)
    if user is not None:
        force_authenticate(request, user=user)
    view = viewset(action_map={"get": "list"}, format_kwarg=format_kwarg, args=(), kwargs={})
    view.request = view.initialize_request(request)
    return view


def compare(viewset, path: str, **kwargs) -> int:
    """Every row of the list, represented with the fast path and by DRF; the rows' count."""
    view = list_view(viewset, path, **kwargs)
    rows = list(view.filter_queryset(view.get_queryset()))
    serializer = view.get_serializer()  # one for every row, as a list and the CSV use it
    fast = [serializer.to_representation(row) for row in rows]
    with drf_only():
        serializer = view.get_serializer()
        drf = [serializer.to_representation(row) for row in rows]
    assert_same(fast, drf, viewset.__name__)
    assert JSONRenderer().render(fast) == JSONRenderer().render(drf)
    return len(rows)


LISTS = [
    (JurisdictionViewSet, "/api/v1/jurisdictions/"),
    (SourceViewSet, "/api/v1/sources/"),
    (PlanViewSet, "/api/v1/plans/"),
    (PlanViewSet, "/api/v1/plans/?as_of=2022-06-30"),
    (MilestoneViewSet, "/api/v1/milestones/"),
    (MilestoneViewSet, "/api/v1/milestones/?as_of=2022-06-30"),
    (ProgressUpdateViewSet, "/api/v1/updates/"),
    (IndicatorViewSet, "/api/v1/indicators/"),
    (ObservationViewSet, "/api/v1/observations/"),
    (IndicatorTargetViewSet, "/api/v1/targets/"),
]


@pytest.mark.parametrize(("viewset", "path"), LISTS)
def test_every_row_is_represented_as_drf_represents_it(world, viewset, path):
    for language in LANGUAGES:
        with translation.override(language):
            assert compare(viewset, path) >= 2
    # Links keep the format suffix and parameter, and follow the request's scheme and host.
    compare(viewset, path, format_kwarg="json")
    compare(viewset, path + ("&" if "?" in path else "?") + "format=json")
    compare(viewset, path, secure=True, HTTP_HOST="api.example.org:8443")


def test_editors_see_their_drafts_represented_as_drf_represents_them(world):
    anonymous = compare(ProgressUpdateViewSet, "/api/v1/updates/")
    editor = compare(ProgressUpdateViewSet, "/api/v1/updates/", user=world["editor"])
    assert editor == anonymous + 2  # the draft and the scheduled update


def test_a_milestones_inputs_are_a_status_inputs_serializers_data(world):
    view = list_view(MilestoneViewSet, "/api/v1/milestones/")
    serializer = view.get_serializer()
    for milestone in view.get_queryset():
        expected = StatusInputsSerializer(
            {
                "as_of": view.as_of,
                "start_date": milestone.start_date,
                "deadline": milestone.deadline,
                "latest_update_on": milestone.latest_update_on,
                "progress": milestone.progress,
                "expected_progress": milestone.expected_progress,
                "tolerance": serializer.context["tolerance"],
            }
        ).data
        assert serializer.to_representation(milestone)["inputs"] == expected


def test_the_rows_hold_every_kind_of_value(world):
    """The comparisons above see nulls, empty strings, decimals, sub-milestones, sources
    with and without a URL: this fixture is what makes them worth something."""
    view = list_view(MilestoneViewSet, "/api/v1/milestones/")
    rows = view.get_serializer(view.get_queryset(), many=True).data
    assert {row["progress"] is None for row in rows} == {True, False}
    assert {row["parent"] is None for row in rows} == {True, False}
    assert {row["kind"] for row in rows} == {"qualitative", "quantitative"}
    assert "2.500" in {row["weight"] for row in rows}
    view = list_view(ProgressUpdateViewSet, "/api/v1/updates/", user=world["editor"])
    rows = view.get_serializer(view.get_queryset(), many=True).data
    assert {row["author"] for row in rows} >= {None, "虛構 編輯"}
    assert {row["is_published"] for row in rows} == {True, False}
    view = list_view(PlanViewSet, "/api/v1/plans/")
    rows = view.get_serializer(view.get_queryset(), many=True).data
    assert {len(row["sources"]) for row in rows} == {0, 2}
    assert None in {row["progress"] for row in rows}


def test_values_not_as_the_database_gives_them_are_converted_as_drf_converts_them(world):
    """A write's answer, a property or an annotation may hold what the database would not
    give: decimals of another exponent, naive or UTC datetimes, a string for a date, a
    number for a text, an enum member for a choice."""
    view = list_view(MilestoneViewSet, "/api/v1/milestones/")
    milestone = view.get_queryset().get(pk=world["quantitative"].pk)
    milestone.weight = Decimal("2")
    milestone.target_value = Decimal("1E+1")
    milestone.baseline_value = Decimal("0.00001")
    milestone.deadline = "2024-06-30"
    milestone.statement = 12345
    milestone.kind = Milestone.Kind.QUANTITATIVE
    milestone.progress = 1
    milestone.created = datetime.datetime(2023, 1, 2, 3, 4, 5)
    milestone.modified = datetime.datetime(2023, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    for zone in (None, datetime.UTC):
        with timezone.override(zone) if zone else contextlib.nullcontext():
            fast = view.get_serializer().to_representation(milestone)
            with drf_only():
                drf = view.get_serializer().to_representation(milestone)
            assert_same(fast, drf)


def test_ids_as_strings_when_drf_is_asked_to_are_drfs_too(world, settings):
    """COERCE_BIGINT_TO_STRING: ids (BigIntegerField) are then strings, which the fast
    path leaves to DRF's own conversion."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "COERCE_BIGINT_TO_STRING": True}
    compare(PlanViewSet, "/api/v1/plans/")
    view = list_view(PlanViewSet, "/api/v1/plans/")
    rows = view.get_serializer(view.get_queryset(), many=True).data
    assert {type(row["id"]) for row in rows} == {str}


def test_the_comparison_notices_a_fast_reader_that_differs(world, monkeypatch):
    """A test that could not fail is worth nothing: values left unconverted (dates as
    dates, decimals as decimals) must be caught."""
    unconverted = fast_serialization._Conversion("typed", lambda value: value, object)
    monkeypatch.setattr(fast_serialization, "_conversion", lambda field, strict=False: unconverted)
    fast_serialization._shared_rows.clear()
    with pytest.raises(AssertionError):
        compare(PlanViewSet, "/api/v1/plans/")


def test_a_slug_its_url_pattern_refuses_fails_as_it_fails_with_drf(world):
    """A value that reverse() would refuse (here one that skipped validation) is left to
    DRF, which raises the same error."""
    Plan.objects.filter(pk=world["plan"].pk).update(slug="not a slug")
    view = list_view(PlanViewSet, "/api/v1/plans/")
    plan = view.get_queryset().get(pk=world["plan"].pk)
    with pytest.raises(ImproperlyConfigured):
        view.get_serializer().to_representation(plan)
    with drf_only(), pytest.raises(ImproperlyConfigured):
        view.get_serializer().to_representation(plan)


def test_every_field_of_a_list_has_a_fast_reader(world):
    """A field that falls back to DRF's own reader costs DRF's time on every row, and one
    with no reader to share makes every request compile its own: a change of field type or
    source that does either should be a decision, not an accident."""
    for viewset, path in LISTS:
        view = list_view(viewset, path)
        serializer = view.get_serializer()
        drf_read = [
            name
            for _field, (name, read) in serializer._readers(False)
            if read.__qualname__.startswith("_drf_reader")
        ]
        assert drf_read == [], viewset.__name__
        assert fast_serialization._share_row(serializer) is not None, viewset.__name__


def test_columns_and_annotations_are_read_in_the_rows_compiled_function(world):
    """Texts, numbers, dates, choices and timestamps of the model's own columns and of its
    annotations are read inline (_compile_row); a link, a relation, a page's address and
    a method through its reader."""
    view = list_view(PlanViewSet, "/api/v1/plans/")
    serializer = view.get_serializer()
    inline = {}
    for field in serializer._readable_fields:
        column = fast_serialization._inline_column(field)
        inline[field.field_name] = column and (column.attribute, column.conversion.kind)
    assert inline["title"] == ("title", "str")
    assert inline["id"] == ("id", "int")
    assert inline["version"] == ("version", "int")
    assert inline["kind"] == ("kind", "choice")
    assert inline["issued_on"] == ("issued_on", "date")
    assert inline["created"] == ("created", "typed")
    assert inline["milestone_count"] == ("milestone_count", "int")  # annotations
    assert inline["progress"] == ("progress", "float")
    for name in ("api_url", "html_url", "jurisdiction", "sources", "as_of", "status_counts"):
        assert inline[name] is None, name


def test_a_property_is_not_read_from_the_rows_dict(world):
    """A field whose source is a property (or a method) of the model is read by its
    reader: the row's __dict__ does not hold what the property answers."""

    class WithProperty(fast_serialization.FastRepresentationMixin, serializers.ModelSerializer):
        summary = serializers.CharField(source="display_title")

        class Meta:
            model = Plan
            fields = ["id", "summary"]

    serializer = WithProperty(context={"request": None})
    fields = serializer.fields
    assert fast_serialization._inline_column(fields["summary"]) is None
    assert fast_serialization._inline_column(fields["id"]) is not None


def test_rows_are_compiled_once_for_a_kind_of_request(world, monkeypatch):
    """The row function is shared by the requests of one serializer class, language and
    address (_shared_row_key), each binding its own method fields: the second request
    compiles nothing and answers its own as_of."""
    fast_serialization._shared_rows.clear()
    built = []
    share_row = fast_serialization._share_row
    monkeypatch.setattr(
        fast_serialization,
        "_share_row",
        lambda serializer: built.append(1) or share_row(serializer),
    )
    assert compare(PlanViewSet, "/api/v1/plans/") == 2
    assert compare(PlanViewSet, "/api/v1/plans/?as_of=2022-06-30") == 2
    assert len(built) == 1
    view = list_view(PlanViewSet, "/api/v1/plans/?as_of=2022-06-30")
    rows = view.get_serializer(view.get_queryset(), many=True).data
    assert {row["as_of"] for row in rows} == {datetime.date(2022, 6, 30)}
    with translation.override("en"):
        compare(PlanViewSet, "/api/v1/plans/")
    compare(PlanViewSet, "/api/v1/plans/", HTTP_HOST="example.org")
    assert len(built) == 3


def test_a_row_the_compiled_function_cannot_read_is_read_field_by_field(world):
    """A column not loaded (deferred) is not in the row's __dict__: the compiled function
    gives up, and the row is read field by field, as DRF reads it (loading the column)."""
    view = list_view(PlanViewSet, "/api/v1/plans/")
    rows = list(view.get_queryset().defer("title", "summary"))
    assert len(rows) > 1 and "title" not in rows[1].__dict__  # rows after the first: compiled
    serializer = view.get_serializer()
    fast = [serializer.to_representation(plan) for plan in rows]
    with drf_only():
        drf = [view.get_serializer().to_representation(plan) for plan in rows]
    assert [row["title"] for row in fast] == [plan.title for plan in rows]
    for a, b in zip(fast, drf, strict=True):
        assert_same(a, b)


def test_a_shared_row_keeps_nothing_of_the_request_it_was_compiled_for(world):
    """The shared row functions outlive the request they were compiled for: they must not
    keep it (its user, its headers) alive."""
    fast_serialization._shared_rows.clear()
    for viewset, path in LISTS:
        view = list_view(viewset, path, user=world["editor"])
        request = weakref.ref(view.request._request)
        assert view.get_serializer(view.filter_queryset(view.get_queryset()), many=True).data
        del view
        gc.collect()
        assert request() is None, viewset.__name__
    assert len(fast_serialization._shared_rows) >= len(LISTS) - 2  # two lists twice


def test_timestamps_of_a_shared_row_are_in_each_requests_time_zone(world):
    """The time zone a timestamp is written in is the request's (a middleware may activate
    one): a row function compiled under one zone is not given to a request in another."""
    view = list_view(PlanViewSet, "/api/v1/plans/")
    assert view.get_serializer(view.get_queryset(), many=True).data[0]["created"][-6:] == "+08:00"
    with timezone.override(datetime.UTC):
        compare(PlanViewSet, "/api/v1/plans/")
        view = list_view(PlanViewSet, "/api/v1/plans/")
        rows = view.get_serializer(view.get_queryset(), many=True).data
        assert rows[0]["created"].endswith("Z")


def test_a_field_that_skips_itself_is_left_out_as_drf_leaves_it_out(world, monkeypatch):
    """A reader raising SkipField (a write-only field's way, or a default's) stops the
    compiled function; reading field by field leaves the key out, as DRF does, and keeps
    the others in their order."""
    monkeypatch.setattr(fast_serialization, "_shared_row_key", lambda serializer: None)
    view = list_view(PlanViewSet, "/api/v1/plans/")
    plan = view.get_queryset().first()
    serializer = view.get_serializer()

    def skipped(instance):
        raise SkipField

    readers = serializer._readers(False)
    index = next(i for i, (field, _r) in enumerate(readers) if field.field_name == "jurisdiction")
    field, (name, _read) = readers[index]
    readers[index] = (field, (name, skipped))
    first = serializer.to_representation(plan)  # a first row is read field by field
    row = serializer.to_representation(plan)  # the next by the compiled function, which stops
    assert serializer._compiled_row is not None
    assert row == first
    assert "jurisdiction" not in row
    assert list(row) == [name for _f, (name, _r) in readers if name != "jurisdiction"]


# --- Whole responses ---------------------------------------------------------------------


def body(response) -> bytes:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    # The browsable API's CSRF token differs per response.
    return re.sub(rb'(csrfmiddlewaretoken" value=|csrfToken": )"[^"]+"', rb"\1", content)


def urls(world) -> list[str]:
    plan, parent = world["plan"].slug, world["parent"]
    quantitative = world["quantitative"]
    return [
        "/api/v1/plans/",
        "/api/v1/plans/?as_of=2022-06-30&page_size=1&page=2",
        "/api/v1/plans/?format=json",
        "/api/v1/plans.json",
        "/api/v1/plans/?format=csv",
        "/api/v1/plans/?format=api",
        f"/api/v1/plans/{plan}/",
        f"/api/v1/plans/{plan}.json?as_of=2022-06-30",
        f"/api/v1/plans/{plan}/?format=api",
        "/api/v1/milestones/?as_of=2022-12-31",
        "/api/v1/milestones/?format=csv",
        "/api/v1/milestones/?format=api&top_level=false",
        f"/api/v1/milestones/{parent.pk}/",
        f"/api/v1/milestones/{quantitative.pk}/?format=api",
        "/api/v1/updates/",
        "/api/v1/updates/?format=csv",
        "/api/v1/sources/?format=csv",
        "/api/v1/jurisdictions/",
        "/api/v1/jurisdictions/910100/",
        "/api/v1/indicators/",
        "/api/v1/indicators/?format=csv",
        "/api/v1/observations/?format=json",
        "/api/v1/targets/",
        "/api/v1/targets/?format=csv",
        "/api/v1/scorecards/national/",
        "/api/v1/scorecards/jurisdictions/",
    ]


def assert_same_responses(client, url, **extra):
    response = client.get(url, **extra)
    with drf_only():
        reference = client.get(url, **extra)
    assert response.status_code == reference.status_code == 200, url
    assert response["Content-Type"] == reference["Content-Type"], url
    assert body(response) == body(reference), url


@pytest.mark.parametrize("language", [None, *LANGUAGES])
def test_responses_are_drfs_for_visitors(world, language):
    client = APIClient()
    extra = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    for url in urls(world):
        assert_same_responses(client, url, **extra)


def test_responses_are_drfs_for_editors(world):
    client = APIClient()
    token = Token.objects.create(user=world["editor"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    for url in urls(world):
        assert_same_responses(client, url, HTTP_ACCEPT_LANGUAGE="en")


def test_responses_are_drfs_in_the_language_of_the_cookie(world):
    client = APIClient()
    client.cookies["django_language"] = "zh-hans"
    for url in urls(world)[:8]:
        assert_same_responses(client, url)


def test_responses_are_drfs_under_a_script_prefix_and_another_host(world):
    client = APIClient()
    for url in urls(world)[:10]:
        assert_same_responses(client, url, SCRIPT_NAME="/mounted", HTTP_HOST="example.org")
        assert_same_responses(client, url, secure=True)


def test_hyperlinks_remembered_for_one_address_are_not_given_to_another(world):
    """A hyperlink field's URL template is remembered by everything DRF makes the URL
    from: a request from another host, scheme, script prefix or with ?format= gets its
    own, in whatever order they come."""
    fast_serialization._link_templates.clear()
    client = APIClient()
    plan = world["plan"].slug
    variants = [
        {},
        {"HTTP_HOST": "example.org"},
        {"secure": True},
        {"SCRIPT_NAME": "/mounted"},
        {"HTTP_HOST": "example.org", "SCRIPT_NAME": "/mounted", "secure": True},
    ]
    for _round in range(2):  # the second round reads the remembered templates
        for extra in variants:
            for url in ["/api/v1/plans/", f"/api/v1/plans/{plan}/", "/api/v1/plans/?format=json"]:
                assert_same_responses(client, url, **extra)
    assert len(fast_serialization._link_templates) >= len(variants) * 2


def test_a_write_answers_with_drfs_representation(world):
    client = APIClient()
    client.force_authenticate(world["editor"])
    url = f"/api/v1/plans/{world['plan'].slug}/"
    version = world["plan"].version
    response = client.patch(url, {"summary_en": "Changed", "version": version}, format="json")
    assert response.status_code == 200
    with drf_only():
        assert client.get(url).content == response.content
    response = client.post(
        "/api/v1/milestones/",
        {
            "plan": world["plan"].slug,
            "parent": world["parent"].pk,
            "statement": "虛構新目標",
            "deadline": "2024-06-30",
            "weight": "1.5",
        },
        format="json",
    )
    assert response.status_code == 201
    with drf_only():
        assert client.get(response.json()["api_url"]).content == response.content


def test_a_write_that_changes_the_sources_answers_with_the_new_ones(world):
    """Sources are prefetched into a list (`source_list`) for reads; a write's answer must
    show what was written, not that list as it was before the write."""
    client = APIClient()
    client.force_authenticate(world["editor"])
    new = make_source()
    plan_url = f"/api/v1/plans/{world['plan'].slug}/"
    version = world["plan"].version
    response = client.patch(plan_url, {"sources": [new.pk], "version": version}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["sources"] == [new.pk]
    update = ProgressUpdate.objects.filter(milestone__plan=world["plan"]).first()
    response = client.patch(
        f"/api/v1/updates/{update.pk}/",
        {"sources": [new.pk], "version": update.version},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["sources"] == [new.pk]


@pytest.mark.parametrize(
    "serializer_class",
    [PlanSerializer, MilestoneSerializer, ProgressUpdateSerializer, ObservationSerializer],
)
def test_fields_are_built_once_per_class_and_never_shared(serializer_class):
    # What ModelSerializer would build for this instance, field for field; each instance
    # bound to fields of its own.
    first, second = serializer_class(), serializer_class()
    built = serializers.ModelSerializer.get_fields(serializer_class())
    expected = {name: repr(field) for name, field in built.items()}
    if issubclass(serializer_class, OptimisticLockSerializerMixin):
        # The mixin, over the fields built once per class, turns the read-only `version`
        # into the one a change sends.
        assert built["version"].read_only and not first.fields["version"].read_only
        expected["version"] = repr(first.fields["version"])
    assert {name: repr(field) for name, field in first.fields.items()} == expected
    for name, field in first.fields.items():
        assert second.fields[name] is not field
        assert field.parent is first and second.fields[name].parent is second


def test_fields_built_in_one_language_are_not_served_in_another():
    """A field's label depends on the active language (DRF leaves it out where the
    verbose name reads as the field's name, as in English): fields first built for an
    English request must not give a Chinese one English labels (OPTIONS, the browsable
    API's forms)."""
    with translation.override("en"):
        PlanSerializer().fields  # noqa: B018 - built, and kept, in English
    with translation.override("zh-hant"):
        expected = serializers.ModelSerializer.get_fields(PlanSerializer())
        fields = PlanSerializer().fields
        assert {n: repr(f) for n, f in fields.items() if n != "version"} == {
            n: repr(f) for n, f in expected.items() if n != "version"
        }
        assert fields["issued_on"].label == "發布日期"


def _field_state(field) -> dict:
    """A bound field's attributes, comparable between two copies of it: its parent by
    type, a QuerySet by its model and SQL, validators by type and (Django's) equality."""
    state = {}
    for name, value in vars(field).items():
        if name in {"_creation_counter", "_args", "_kwargs"}:
            continue  # DRF's copy re-runs __init__ (a new counter) from deep-copied kwargs
        if name == "parent":
            value = type(value)
        elif isinstance(value, QuerySet | Manager):
            value = (value.model, str(value.all().query))
        elif name == "_validators":
            value = [_validator_state(validator) for validator in value]
        elif name == "child_relation":
            value = _field_state(value)
        state[name] = value
    return state


def _validator_state(validator) -> tuple:
    # A message is a lazy string made anew for each field (DRF's lazy_format): its text.
    state = {}
    for name, value in vars(validator).items():
        if name == "_constructor_args":
            continue  # deconstruct()'s record of the arguments: the message again
        if isinstance(value, QuerySet | Manager):
            value = (value.model, str(value.all().query))
        elif name == "message":
            value = str(value)
        elif name == "regex":
            value = (value.pattern, value.flags)
        state[name] = value
    return type(validator), state


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "serializer_class",
    [PlanSerializer, MilestoneSerializer, ProgressUpdateSerializer, ObservationSerializer],
)
def test_each_request_s_fields_equal_drf_s_deep_copies(serializer_class, language):
    """FastRepresentationMixin copies most fields' attributes instead of making DRF's deep
    copy (a new field from deep-copied arguments): bound, each is DRF's, attribute for
    attribute."""
    with translation.override(language):
        ours = serializer_class().fields
        with (
            mock.patch.object(fast_serialization, "_built_fields", {}),
            mock.patch.object(fast_serialization, "_copier", lambda field: copy.deepcopy),
        ):
            drf = serializer_class().fields
        assert list(ours) == list(drf)
        for name in ours:
            assert type(ours[name]) is type(drf[name]), name
            assert _field_state(ours[name]) == _field_state(drf[name]), name


def test_what_one_serializer_changes_in_a_field_stays_with_it():
    first, second = PlanSerializer(), PlanSerializer()
    first.fields["slug"].validators.append(MaxLengthValidator(3))
    first.fields["title"].error_messages["blank"] = "changed"
    first.fields["kind"].choice_strings_to_values["x"] = "x"
    first.fields["title"].required = False
    assert len(second.fields["slug"].validators) == len(PlanSerializer().fields["slug"].validators)
    assert second.fields["title"].error_messages["blank"] != "changed"
    assert "x" not in second.fields["kind"].choice_strings_to_values
    assert second.fields["title"].required
    assert PlanSerializer().fields["title"].required
