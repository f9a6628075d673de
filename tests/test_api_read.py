"""Reading the REST API: every resource, its related ids and URLs, pagination, ordering,
filters, text search, CSV, and 400 for bad parameters."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from plans.models import Jurisdiction, today
from tests.factories import (
    make_editor,
    make_indicator,
    make_jurisdiction,
    make_milestone,
    make_observation,
    make_plan,
    make_source,
    make_target,
    make_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return APIClient()


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


# --- Jurisdictions and sources ---------------------------------------------------------


def test_jurisdictions_list_with_codes_parents_and_urls(client, source_data):
    response = client.get("/api/v1/jurisdictions/", {"parent": "440000"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["code"] for row in rows] == ["440100", "440300"]  # Guangzhou, Shenzhen
    shenzhen = rows[1]
    assert shenzhen["level"] == "key_city"
    assert shenzhen["parent"] == "440000"
    assert shenzhen["parent_api_url"] == "http://testserver/api/v1/jurisdictions/440000/"
    assert shenzhen["api_url"] == "http://testserver/api/v1/jurisdictions/440300/"


def test_jurisdiction_detail_by_code_and_name_in_request_language(client, source_data):
    response = client.get("/api/v1/jurisdictions/340000/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.json()["name"] == "Anhui"
    response = client.get("/api/v1/jurisdictions/340000/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.json()["name"] == "安徽省"


def test_jurisdictions_filter_by_level_and_search(client, source_data):
    rows = client.get("/api/v1/jurisdictions/", {"level": "national"}).json()["results"]
    assert [row["code"] for row in rows] == ["CN"]
    rows = client.get("/api/v1/jurisdictions/", {"q": "广东"}).json()["results"]
    assert [row["code"] for row in rows] == ["440000"]


def test_unknown_jurisdiction_is_404_in_json(client, db):
    response = client.get("/api/v1/jurisdictions/999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_sources_list_detail_and_search(client):
    wanted = make_source(title="虛構統計公報", publisher="Fictional Bureau")
    other = make_source(title="虛構年鑑")
    make_plan().sources.add(wanted, other)
    rows = client.get("/api/v1/sources/", {"q": "统计"}).json()["results"]
    assert [row["id"] for row in rows] == [wanted.pk]
    detail = client.get(f"/api/v1/sources/{wanted.pk}/").json()
    assert detail["publisher"] == "Fictional Bureau"
    assert detail["api_url"].endswith(f"/api/v1/sources/{wanted.pk}/")


def test_the_public_sees_only_sources_something_public_cites(client):
    """A source cited only by a draft or a scheduled update, or by nothing yet, would tell
    the public what is about to be reported; editors see every source to cite it."""
    by_plan, by_published, by_indicator, by_observation, by_target = (
        make_source(title=f"虛構來源 {n}") for n in range(5)
    )
    by_draft, by_scheduled, uncited = (make_source(title=f"虛構草稿 {n}") for n in range(3))
    province = make_jurisdiction()
    plan = make_plan(jurisdiction=province)
    plan.sources.add(by_plan)
    milestone = make_milestone(plan=plan)
    make_update(milestone=milestone, sources=[by_published])
    make_update(milestone=milestone, sources=[by_draft], published_on=None)
    tomorrow = today() + datetime.timedelta(days=1)
    make_update(milestone=milestone, sources=[by_scheduled], published_on=tomorrow)
    indicator = make_indicator()
    indicator.sources.add(by_indicator)
    make_observation(indicator=indicator, jurisdiction=province, source=by_observation)
    make_target(
        indicator=indicator,
        jurisdiction=province,
        value=50,
        due_on=datetime.date(2025, 12, 31),
        source=by_target,
    )
    public = {by_plan, by_published, by_indicator, by_observation, by_target}

    rows = client.get("/api/v1/sources/", {"page_size": 100}).json()["results"]
    assert {row["id"] for row in rows} == {source.pk for source in public}
    for hidden in (by_draft, by_scheduled, uncited):
        response = client.get(f"/api/v1/sources/{hidden.pk}/")
        assert response.status_code == 404
    exported = read_csv(client.get("/api/v1/sources/", {"format": "csv"}))
    assert {int(row["id"]) for row in exported} == {source.pk for source in public}

    client.force_authenticate(make_editor(province))
    rows = client.get("/api/v1/sources/", {"page_size": 100}).json()["results"]
    assert {row["id"] for row in rows} == {
        source.pk for source in [*public, by_draft, by_scheduled, uncited]
    }


# --- Plans ----------------------------------------------------------------------------


def test_plan_detail_has_related_ids_and_urls(client):
    source = make_source()
    plan = make_plan(jurisdiction=make_jurisdiction(code="910000"), slug="fictional-plan")
    plan.sources.add(source)
    make_milestone(plan=plan)
    response = client.get("/api/v1/plans/fictional-plan/")
    assert response.status_code == 200
    body = response.json()
    assert body["jurisdiction"] == "910000"
    assert body["jurisdiction_api_url"] == "http://testserver/api/v1/jurisdictions/910000/"
    assert body["sources"] == [source.pk]
    assert body["milestone_count"] == 1
    assert body["html_url"].endswith("/plans/fictional-plan/")


def test_a_plans_milestone_count_includes_sub_milestones_and_may_be_zero(client):
    parted = make_plan(slug="fictional-parted")
    parent = make_milestone(plan=parted)
    make_milestone(plan=parted, parent=parent)
    make_milestone(plan=parted, parent=parent)
    make_plan(slug="fictional-empty")
    for path in ["/api/v1/plans/", "/api/v1/plans/?format=csv"]:
        response = client.get(path)
        assert response.status_code == 200
    rows = {row["slug"]: row for row in client.get("/api/v1/plans/").json()["results"]}
    assert rows["fictional-parted"]["milestone_count"] == 3
    assert rows["fictional-empty"]["milestone_count"] == 0
    assert client.get("/api/v1/plans/fictional-empty/").json()["milestone_count"] == 0


def test_plans_filter_by_jurisdiction_level_kind_and_issue_dates(client):
    province = make_jurisdiction(code="910000")
    city = make_jurisdiction(code="910100", level="key_city", parent=province)
    other = make_jurisdiction(code="920000")
    in_province = make_plan(jurisdiction=province, issued_on=datetime.date(2021, 3, 1))
    in_city = make_plan(jurisdiction=city, kind="programme", issued_on=datetime.date(2020, 10, 1))
    make_plan(jurisdiction=other, issued_on=datetime.date(2019, 1, 1))

    def slugs(**params):
        response = client.get("/api/v1/plans/", params)
        assert response.status_code == 200, response.json()
        return {row["slug"] for row in response.json()["results"]}

    # A province's code includes the key cities directly under it.
    assert slugs(jurisdiction="910000") == {in_province.slug, in_city.slug}
    assert slugs(level="key_city") == {in_city.slug}
    assert slugs(kind="programme") == {in_city.slug}
    assert slugs(issued_after="2020-01-01", issued_before="2020-12-31") == {in_city.slug}


def test_plans_filter_by_deadline_year_and_text(client):
    due_2022 = make_plan(title="虛構數字政府規劃")
    make_milestone(plan=due_2022, deadline=datetime.date(2022, 12, 31))
    later = make_plan(title="虛構其他規劃")
    make_milestone(plan=later, deadline=datetime.date(2025, 12, 31))
    rows = client.get("/api/v1/plans/", {"deadline_year": 2022}).json()["results"]
    assert [row["slug"] for row in rows] == [due_2022.slug]
    # Simplified characters find Traditional content.
    rows = client.get("/api/v1/plans/", {"q": "数字政府"}).json()["results"]
    assert [row["slug"] for row in rows] == [due_2022.slug]


def test_a_list_without_filter_parameters_builds_no_filterset(client, monkeypatch):
    """govtracker.api.FilterBackend: with only pagination, format, date or sort
    parameters the list is the unfiltered one and no FilterSet is built; any other
    parameter, a filter's or not, goes through the FilterSet."""
    from plans.filters import PlanFilter

    plans = [make_plan(issued_on=datetime.date(2021, 1, day)) for day in (1, 2, 3)]
    built = []
    original_init = PlanFilter.__init__

    def counting_init(self, *args, **kwargs):
        built.append(kwargs.get("data", args[0] if args else None))
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(PlanFilter, "__init__", counting_init)
    newest_first = [plan.slug for plan in reversed(plans)]
    for params in [
        {},
        {"page": 1, "page_size": 2},
        {"as_of": "2023-06-30"},
        {"ordering": "-title"},
    ]:
        response = client.get("/api/v1/plans/", params)
        assert response.status_code == 200, response.json()
        if "ordering" not in params:
            assert [row["slug"] for row in response.json()["results"]] == newest_first[
                : params.get("page_size", 3)
            ]
    assert client.get("/api/v1/plans/", {"format": "csv"}).status_code == 200
    assert built == []
    assert client.get("/api/v1/plans/", {"kind": "programme"}).json()["results"] == []
    assert client.get("/api/v1/plans/", {"unknown": "1"}).status_code == 200
    # Those two went through it (a filtered list's count and its page each build one the
    # first time: govtracker.api.APIViewMixin.filtered).
    assert {tuple(data) for data in built} == {("kind",), ("unknown",)}
    # An empty filter is refused before its FilterSet is built, as before.
    assert client.get("/api/v1/plans/", {"q": ""}).status_code == 400


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"issued_after": "not-a-date"}, "issued_after"),
        ({"deadline_year": "twenty"}, "deadline_year"),
        ({"deadline_year": "99999"}, "deadline_year"),
        ({"kind": "manifesto"}, "kind"),
        ({"level": "galactic"}, "level"),
        ({"jurisdiction": "34 00"}, "jurisdiction"),
        ({"status": "fine"}, "status"),
        ({"as_of": "not-a-date"}, "as_of"),
    ],
)
def test_invalid_plan_filters_are_400_with_a_message(client, db, params, field):
    response = client.get("/api/v1/plans/", params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()[field], response.json()


def test_filter_messages_follow_accept_language(client, db):
    english = client.get("/api/v1/plans/", {"issued_after": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/v1/plans/", {"issued_after": "x"}, HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert english.json()["issued_after"] == ["Enter a valid date."]
    assert chinese.json()["issued_after"] != english.json()["issued_after"]


def test_plans_ordering_is_stable_and_pages_do_not_overlap(client):
    jurisdiction = make_jurisdiction()
    for _ in range(7):  # all issued the same day: only the id tells them apart
        make_plan(jurisdiction=jurisdiction, issued_on=datetime.date(2021, 1, 1))
    seen = []
    for page in (1, 2, 3):
        response = client.get(
            "/api/v1/plans/", {"ordering": "issued_on", "page_size": 3, "page": page}
        )
        seen += [row["id"] for row in response.json()["results"]]
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == 7


def test_a_descending_sort_breaks_its_ties_by_id_descending_too(client):
    """`-issued_on` is `issued_on DESC, id DESC`: the index on (issued_on, id) read
    backwards, where `id ASC` would sort every plan sharing a day (govtracker.api)."""
    jurisdiction = make_jurisdiction()
    for _ in range(4):
        make_plan(jurisdiction=jurisdiction, issued_on=datetime.date(2021, 1, 1))
    rows = client.get("/api/v1/plans/", {"ordering": "-issued_on"}).json()["results"]
    ids = [row["id"] for row in rows]
    assert ids == sorted(ids, reverse=True) and len(ids) == 4
    rows = client.get("/api/v1/plans/", {"ordering": "issued_on"}).json()["results"]
    assert [row["id"] for row in rows] == sorted(ids)


def test_plans_ordering_by_title_descending(client):
    for title in ("虛構乙", "虛構甲", "虛構丙"):
        make_plan(title=title)
    rows = client.get("/api/v1/plans/", {"ordering": "-title"}).json()["results"]
    titles = [row["title"] for row in rows]
    assert titles == sorted(titles, reverse=True)


@pytest.mark.parametrize("ordering", ["nope", "title,nope", "-password", "title,", ""])
def test_an_unknown_ordering_is_400_naming_the_fields_allowed(client, db, ordering):
    response = client.get("/api/v1/plans/", {"ordering": ordering}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    (message,) = response.json()["ordering"]
    if ordering:
        assert "issued_on, title, end_year, created, modified" in message


def test_ordering_messages_follow_accept_language(client, db):
    english = client.get("/api/v1/milestones/?ordering=nope", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/v1/milestones/?ordering=nope", HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert english.json()["ordering"] != chinese.json()["ordering"]
    assert "deadline" in chinese.json()["ordering"][0]


def test_several_ordering_terms_with_spaces_are_understood(client):
    make_plan(title="虛構乙", issued_on=datetime.date(2021, 1, 1))
    make_plan(title="虛構甲", issued_on=datetime.date(2021, 1, 1))
    response = client.get("/api/v1/plans/", {"ordering": "issued_on, -title"})
    assert [row["title"] for row in response.json()["results"]] == ["虛構甲", "虛構乙"]


def test_page_size_is_capped(client, settings):
    jurisdiction = make_jurisdiction()
    for _ in range(4):
        make_plan(jurisdiction=jurisdiction)
    from govtracker.api import Pagination

    Pagination.max_page_size, saved = 2, Pagination.max_page_size
    try:
        body = client.get("/api/v1/plans/", {"page_size": 1000}).json()
    finally:
        Pagination.max_page_size = saved
    assert body["count"] == 4
    assert len(body["results"]) == 2
    assert body["next"].endswith("page=2&page_size=1000")


def test_page_out_of_range_is_404(client, db):
    response = client.get("/api/v1/plans/", {"page": 5})
    assert response.status_code == 404
    assert response.json()["detail"]


def test_plans_as_csv_stream_every_row_not_one_page(client):
    jurisdiction = make_jurisdiction(code="910000")
    for _ in range(3):
        make_plan(jurisdiction=jurisdiction, summary="=HYPERLINK(evil)")
    response = client.get("/api/v1/plans/", {"format": "csv", "page_size": 1})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="plans.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert len(rows) == 3
    assert rows[0]["jurisdiction"] == "910000"
    # A formula in a cell is neutralised for spreadsheets.
    assert rows[0]["summary"] == "'=HYPERLINK(evil)"


def test_empty_csv_still_has_its_header(client, db):
    response = client.get("/api/v1/plans/", {"format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    assert body.startswith("id,slug,api_url,")


def test_csv_of_a_bad_filter_is_a_json_400(client, db):
    response = client.get("/api/v1/plans/", {"format": "csv", "issued_after": "x"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_links_in_a_csv_are_the_json_addresses(client):
    """DRF's reverse() copies ?format= into the links it draws: …/milestones/1/?format=csv
    would be a 404."""
    plan = make_plan()
    make_update(milestone=make_milestone(plan=plan))
    make_observation(indicator=make_indicator(slug="fictional-share"))
    for resource in ("plans", "milestones", "updates", "indicators", "observations"):
        rows = read_csv(client.get(f"/api/v1/{resource}/", {"format": "csv"}))
        links = {
            name: value
            for name, value in rows[0].items()
            if name == "api_url" or name.endswith("_api_url")
        }
        assert links["api_url"], resource
        for name, url in links.items():
            assert "format" not in url, (resource, name, url)
            if url:
                assert client.get(url).status_code == 200, (resource, name, url)


def test_csv_is_for_lists_only(client):
    plan = make_plan()
    assert client.get(f"/api/v1/plans/{plan.slug}/", {"format": "csv"}).status_code == 404


# --- Progress updates -------------------------------------------------------------------


def test_updates_list_only_published_to_the_public(client):
    published = make_update(published_on=datetime.date(2022, 7, 1))
    make_update(published_on=None)  # a draft
    make_update(published_on=datetime.date(2999, 1, 1))  # scheduled
    rows = client.get("/api/v1/updates/").json()["results"]
    assert [row["id"] for row in rows] == [published.pk]


def test_a_draft_is_404_to_the_public(client):
    draft = make_update(published_on=None)
    assert client.get(f"/api/v1/updates/{draft.pk}/").status_code == 404


def test_editors_see_drafts_of_their_jurisdictions_only(client):
    mine = make_jurisdiction()
    my_draft = make_update(
        milestone=make_milestone(plan=make_plan(jurisdiction=mine)), published_on=None
    )
    make_update(published_on=None)  # someone else's draft
    client.force_authenticate(make_editor(mine))
    rows = client.get("/api/v1/updates/").json()["results"]
    assert [row["id"] for row in rows] == [my_draft.pk]
    assert client.get("/api/v1/updates/", {"published": "false"}).json()["count"] == 1


def test_the_publics_unpublished_updates_are_none_without_a_query(client):
    """The public reads published updates only: `?published=false` is an empty list,
    answered without asking the database for "published and not published" (9.5 s over
    5,000,000 updates at national scale); `true` is the published ones."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    published = make_update(published_on=datetime.date(2022, 7, 1))
    make_update(published_on=None)  # a draft
    make_update(published_on=datetime.date(2999, 1, 1))  # scheduled
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/updates/", {"published": "false"})
    assert response.status_code == 200 and response.json()["results"] == []
    assert not [q for q in queries if "plans_progressupdate" in q["sql"]]
    rows = client.get("/api/v1/updates/", {"published": "true"}).json()["results"]
    assert [row["id"] for row in rows] == [published.pk]


def test_update_detail_has_milestone_plan_sources_and_author(client):
    from django.contrib.auth.models import User

    author = User.objects.create_user("fictional-reporter", first_name="虛構", last_name="者")
    source = make_source()
    update = make_update(sources=[source], author=author, narrative="虛構進展")
    body = client.get(f"/api/v1/updates/{update.pk}/").json()
    assert body["milestone"] == update.milestone_id
    assert body["milestone_api_url"].endswith(f"/api/v1/milestones/{update.milestone_id}/")
    assert body["plan"] == update.milestone.plan.slug
    assert body["sources"] == [source.pk]
    assert body["author"] == "虛構 者"
    assert body["is_published"] is True


def test_updates_filters(client):
    jurisdiction = make_jurisdiction(code="910000")
    milestone = make_milestone(plan=make_plan(jurisdiction=jurisdiction))
    early = make_update(milestone=milestone, as_of=datetime.date(2021, 6, 30))
    late = make_update(
        milestone=milestone, as_of=datetime.date(2022, 6, 30), delivered=True, narrative="虛構完成"
    )
    make_update(as_of=datetime.date(2022, 6, 30))

    def ids(**params):
        response = client.get("/api/v1/updates/", params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(milestone=milestone.pk) == {early.pk, late.pk}
    assert ids(plan=milestone.plan.slug) == {early.pk, late.pk}
    assert ids(jurisdiction="910000") == {early.pk, late.pk}
    assert ids(jurisdiction="910000", as_of_after="2022-01-01") == {late.pk}
    assert ids(jurisdiction="910000", as_of_before="2021-12-31") == {early.pk}
    assert ids(delivered="true") == {late.pk}
    assert ids(q="完成") == {late.pk}
    assert client.get("/api/v1/updates/", {"milestone": "1.5"}).status_code == 400


# --- Indicators and observations ---------------------------------------------------------


def test_indicators_with_targets_and_observations_link(client, source_data):
    indicator = make_indicator(slug="fictional-share", name="虛構比例")
    national = Jurisdiction.objects.get(code="CN")
    make_target(
        indicator=indicator,
        jurisdiction=national,
        value=Decimal(90),
        due_on=datetime.date(2025, 12, 31),
    )
    body = client.get("/api/v1/indicators/fictional-share/").json()
    assert "targets" not in body  # a list of its own, as the observations are
    assert body["observations_api_url"].endswith("/api/v1/observations/?indicator=fictional-share")
    assert body["targets_api_url"].endswith("/api/v1/targets/?indicator=fictional-share")
    targets = client.get(body["targets_api_url"]).json()["results"]
    assert [(t["jurisdiction"], t["value"], t["due_on"]) for t in targets] == [
        ("CN", "90.0000", "2025-12-31")
    ]
    rows = client.get("/api/v1/indicators/", {"q": "虚构比例"}).json()["results"]
    assert [row["slug"] for row in rows] == ["fictional-share"]
    assert client.get("/api/v1/indicators/", {"unit": "furlongs"}).status_code == 400


def test_targets_filter_by_indicator_jurisdiction_level_and_due_date(client):
    share, count = make_indicator(slug="fictional-share"), make_indicator(slug="fictional-count")
    province = make_jurisdiction(code="910000")
    city = make_jurisdiction(code="910100", level="key_city", parent=province)
    other = make_jurisdiction(code="920000")
    end_2025, end_2027 = datetime.date(2025, 12, 31), datetime.date(2027, 12, 31)
    made = {
        "share-province-2025": make_target(
            indicator=share, jurisdiction=province, value=Decimal(60), due_on=end_2025
        ),
        "share-city-2027": make_target(
            indicator=share, jurisdiction=city, value=Decimal(80), due_on=end_2027
        ),
        "share-other-2025": make_target(
            indicator=share, jurisdiction=other, value=Decimal(70), due_on=end_2025
        ),
        "count-province-2025": make_target(
            indicator=count, jurisdiction=province, value=Decimal(5), due_on=end_2025
        ),
    }
    names = {target.pk: name for name, target in made.items()}

    def listed(**params):
        response = client.get("/api/v1/targets/", params)
        assert response.status_code == 200, response.content
        return sorted(names[row["id"]] for row in response.json()["results"])

    assert listed() == sorted(made)
    assert listed(indicator="fictional-share") == [
        "share-city-2027",
        "share-other-2025",
        "share-province-2025",
    ]
    # A province's targets include its key cities', as the observations' do.
    assert listed(indicator="fictional-share", jurisdiction="910000") == [
        "share-city-2027",
        "share-province-2025",
    ]
    assert listed(level="key_city") == ["share-city-2027"]
    assert listed(due_after="2026-01-01") == ["share-city-2027"]
    assert listed(due_before="2025-12-31", indicator="fictional-count") == ["count-province-2025"]
    row = client.get(f"/api/v1/targets/{made['share-city-2027'].pk}/").json()
    assert row["indicator_api_url"].endswith("/api/v1/indicators/fictional-share/")
    assert row["jurisdiction_api_url"].endswith("/api/v1/jurisdictions/910100/")
    assert row["source_api_url"].endswith(f"/api/v1/sources/{made['share-city-2027'].source_id}/")
    csv_response = client.get("/api/v1/targets/", {"format": "csv", "indicator": "fictional-count"})
    assert csv_response.status_code == 200
    lines = b"".join(csv_response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:3] == ["id", "api_url", "indicator"] and len(lines) == 2
    for bad in [{"due_after": "soon"}, {"jurisdiction": "91 0000"}, {"level": "galaxy"}]:
        response = client.get("/api/v1/targets/", bad)
        assert response.status_code == 400, bad
    assert client.post("/api/v1/targets/", {}).status_code in (401, 403, 405)


def test_observations_of_the_source_data(client, source_data):
    response = client.get("/api/v1/observations/", {"jurisdiction": "CN"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 7
    agency = [row for row in rows if row["numerator"] == 23]
    assert agency and agency[0]["denominator"] == 32
    assert agency[0]["value"] == "71.9000"
    assert agency[0]["indicator_api_url"].startswith("http://testserver/api/v1/indicators/")


def test_observations_filters(client):
    indicator = make_indicator(slug="fictional-count")
    jurisdiction = make_jurisdiction(code="910000", level="provincial")
    old = make_observation(
        indicator=indicator, jurisdiction=jurisdiction, as_of=datetime.date(2019, 12, 31)
    )
    new = make_observation(
        indicator=indicator, jurisdiction=jurisdiction, as_of=datetime.date(2021, 12, 31)
    )
    make_observation()

    def ids(**params):
        response = client.get("/api/v1/observations/", params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(indicator="fictional-count") == {old.pk, new.pk}
    assert ids(jurisdiction="910000", as_of_after="2020-01-01") == {new.pk}
    assert ids(level="provincial", as_of_before="2020-01-01") == {old.pk}
    assert client.get("/api/v1/observations/", {"as_of_after": "2020-13-01"}).status_code == 400


def test_api_root_lists_every_resource(client, db):
    body = client.get("/api/v1/").json()
    assert set(body) == {
        "jurisdictions",
        "plans",
        "milestones",
        "updates",
        "sources",
        "indicators",
        "observations",
        "targets",
        "scorecards",
    }


@pytest.mark.parametrize("parameter", ["format", "page", "page_size", "kind", "as_of", "q"])
def test_an_empty_parameter_is_400_not_the_default(client, db, parameter):
    response = client.get("/api/v1/plans/", {parameter: ""})
    assert response.status_code == 400
    assert response.json()[parameter]


@pytest.mark.parametrize(
    "path", ["/api/v1/plans/", "/api/v1/milestones/", "/api/v1/updates/", "/api/v1/sources/"]
)
@pytest.mark.parametrize("blank", ["\t", " ", "\u3000"])
def test_a_parameter_of_blanks_is_400_as_an_empty_one(client, db, path, blank):
    """A text filter strips blanks: ?jurisdiction=%09 would have filtered nothing (found by
    tests/test_api_schema.py's fuzzing)."""
    parameter = "q" if path == "/api/v1/sources/" else "jurisdiction"
    response = client.get(path, {parameter: blank})
    assert response.status_code == 400
    assert response.json()[parameter]


def test_plan_progress_and_status_counts_as_of_a_date(client):
    plan = make_plan(issued_on=datetime.date(2021, 1, 1))
    done = make_milestone(plan=plan, deadline=datetime.date(2022, 12, 31))
    make_milestone(plan=plan, deadline=datetime.date(2022, 12, 31))
    make_update(milestone=done, as_of=datetime.date(2022, 6, 30), delivered=True)
    before = client.get(f"/api/v1/plans/{plan.slug}/", {"as_of": "2022-01-01"}).json()
    assert before["as_of"] == "2022-01-01"
    assert before["progress"] is None  # nothing reported by then
    assert before["status_counts"]["no_report"] == 2
    after = client.get(f"/api/v1/plans/{plan.slug}/", {"as_of": "2023-06-30"}).json()
    assert after["progress"] == pytest.approx(0.5)
    assert after["status_counts"]["achieved"] == 1
    assert after["status_counts"]["overdue_unreported"] == 1


def test_milestone_status_and_its_inputs(client):
    plan = make_plan(issued_on=datetime.date(2021, 1, 1))
    milestone = make_milestone(plan=plan, deadline=datetime.date(2023, 1, 1))
    make_update(milestone=milestone, as_of=datetime.date(2022, 1, 1), percent_complete=Decimal(10))
    body = client.get(f"/api/v1/milestones/{milestone.pk}/", {"as_of": "2022-01-01"}).json()
    assert body["status"] == "behind"  # 50% of the time gone, 10% done
    assert body["progress"] == pytest.approx(0.1)
    assert body["expected_progress"] == pytest.approx(0.5, abs=0.01)
    assert body["inputs"]["latest_update_on"] == "2022-01-01"
    assert body["inputs"]["start_date"] == "2021-01-01"
    assert body["inputs"]["tolerance"] == pytest.approx(0.1)
    rows = client.get("/api/v1/milestones/", {"status": "behind", "as_of": "2022-01-01"}).json()
    assert [row["id"] for row in rows["results"]] == [milestone.pk]


@pytest.mark.parametrize("level", ["county", "key_city"])
def test_plans_and_milestones_by_the_level_of_their_jurisdiction(client, level):
    """`?level=` picks the jurisdictions of the level, then their plans and milestones
    (plans.filters: filter_level), the jurisdictions of other levels' left out."""
    province = make_jurisdiction(level="provincial")
    chosen = make_jurisdiction(level=level, parent=province)
    plan = make_plan(jurisdiction=chosen)
    make_milestone(plan=plan)
    make_milestone(plan=make_plan(jurisdiction=province))
    plans = client.get("/api/v1/plans/", {"level": level}).json()["results"]
    assert [row["slug"] for row in plans] == [plan.slug]
    milestones = client.get("/api/v1/milestones/", {"level": level}).json()["results"]
    assert {row["plan"].rstrip("/").rsplit("/", 1)[-1] for row in milestones} == {plan.slug}
    assert len(milestones) == 1
    assert client.get("/api/v1/plans/", {"level": "national"}).json()["results"] == []
