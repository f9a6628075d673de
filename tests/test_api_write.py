"""Writing through the REST API: editors create and change plans, milestones, updates and
observations of their own jurisdictions; everyone else is refused; every write records its
author."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from govtracker.api import APIBaseMixin
from govtracker.locking import ConcurrentEditError, VersionConflict
from metrics.models import Observation
from plans.models import Milestone, Plan, ProgressUpdate
from tests.factories import (
    make_editor,
    make_indicator,
    make_jurisdiction,
    make_milestone,
    make_observation,
    make_plan,
    make_source,
    make_update,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    return make_jurisdiction(code="910000")


@pytest.fixture
def editor(province):
    return make_editor(province)


@pytest.fixture
def token_client(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    return client


def plan_body(**overrides):
    body = {
        "slug": "fictional-new-plan",
        "title": "虛構新規劃",
        "jurisdiction": "910000",
        "issuing_body": "虛構省人民政府",
        "kind": "plan",
        "issued_on": "2021-05-01",
        "start_year": 2021,
        "end_year": 2025,
    }
    body.update(overrides)
    return body


# --- Who may write ------------------------------------------------------------------------


def test_anonymous_write_is_401_with_the_scheme_to_use(province):
    response = APIClient().post("/api/v1/plans/", plan_body(), format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not Plan.objects.exists()


def test_a_bad_token_is_401_even_for_reading(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/plans/").status_code == 401


def test_a_user_who_is_not_an_editor_is_403(province):
    client = APIClient()
    client.force_authenticate(make_user())
    response = client.post("/api/v1/plans/", plan_body(), format="json")
    assert response.status_code == 403
    assert not Plan.objects.exists()


def test_writing_outside_ones_jurisdictions_is_403_with_a_message(token_client):
    make_jurisdiction(code="920000", name_en="Fictional Elsewhere")
    response = token_client.post(
        "/api/v1/plans/", plan_body(jurisdiction="920000"), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    assert "Fictional Elsewhere (920000)" in response.json()["detail"]
    assert not Plan.objects.exists()


def test_changing_someone_elses_plan_is_403(token_client):
    theirs = make_plan(jurisdiction=make_jurisdiction(code="920000"), title="虛構原題")
    response = token_client.patch(f"/api/v1/plans/{theirs.slug}/", {"title": "改"}, format="json")
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.title == "虛構原題"


def test_moving_ones_plan_to_another_jurisdiction_is_403(token_client, province):
    mine = make_plan(jurisdiction=province)
    make_jurisdiction(code="920000")
    response = token_client.patch(
        f"/api/v1/plans/{mine.slug}/",
        {"jurisdiction": "920000", "version": mine.version},
        format="json",
    )
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.jurisdiction == province


def test_an_editor_edits_the_key_cities_under_their_province(token_client, province):
    make_jurisdiction(code="910100", level="key_city", parent=province)
    response = token_client.post("/api/v1/plans/", plan_body(jurisdiction="910100"), format="json")
    assert response.status_code == 201, response.json()


def test_a_superuser_edits_everywhere(db):
    make_jurisdiction(code="930000")
    client = APIClient()
    client.force_authenticate(make_user(is_superuser=True, is_staff=True))
    response = client.post("/api/v1/plans/", plan_body(jurisdiction="930000"), format="json")
    assert response.status_code == 201, response.json()


def test_session_writes_need_the_csrf_token(editor, province):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post("/api/v1/plans/", plan_body(), format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_nothing_is_deleted_through_the_api(token_client, province):
    plan = make_plan(jurisdiction=province)
    assert token_client.delete(f"/api/v1/plans/{plan.slug}/").status_code == 405
    assert Plan.objects.filter(pk=plan.pk).exists()


# --- Plans --------------------------------------------------------------------------------


def test_editor_creates_a_plan_and_the_write_is_logged(token_client, editor):
    source = make_source()
    response = token_client.post("/api/v1/plans/", plan_body(sources=[source.pk]), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["api_url"] == "http://testserver/api/v1/plans/fictional-new-plan/"
    assert body["sources"] == [source.pk]
    plan = Plan.objects.get(slug="fictional-new-plan")
    entry = LogEntry.objects.get(object_id=str(plan.pk))
    assert entry.user == editor
    assert entry.action_flag == ADDITION


def test_editor_changes_a_plan_and_the_change_names_its_fields(token_client, editor, province):
    plan = make_plan(jurisdiction=province)
    response = token_client.patch(
        f"/api/v1/plans/{plan.slug}/",
        {"title_en": "Fictional Renamed", "version": plan.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    plan.refresh_from_db()
    assert plan.title_en == "Fictional Renamed"
    entry = LogEntry.objects.get(object_id=str(plan.pk), action_flag=CHANGE)
    assert entry.user == editor
    assert "title (English)" in entry.change_message


def test_plan_validation_errors_are_400_per_field(token_client):
    response = token_client.post(
        "/api/v1/plans/",
        plan_body(start_year=2025, end_year=2021, kind="manifesto", issued_on="soon"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"kind", "issued_on"}  # field errors first, then the model's rules
    response = token_client.post(
        "/api/v1/plans/",
        plan_body(start_year=2025, end_year=2021),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.json() == {"end_year": ["The period cannot end before it starts."]}
    assert not Plan.objects.exists()


def test_a_duplicate_slug_is_400(token_client, province):
    make_plan(jurisdiction=province, slug="fictional-new-plan")
    response = token_client.post("/api/v1/plans/", plan_body(), format="json")
    assert response.status_code == 400
    assert "slug" in response.json()


def test_malformed_json_is_400(token_client):
    response = token_client.post(
        "/api/v1/plans/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()


# --- Milestones ---------------------------------------------------------------------------


def test_milestone_start_date_defaults_to_the_plans_issue_date(token_client, province):
    plan = make_plan(jurisdiction=province, issued_on=datetime.date(2021, 3, 1))
    response = token_client.post(
        "/api/v1/milestones/",
        {"plan": plan.slug, "statement": "虛構目標", "deadline": "2022-12-31"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["start_date"] == "2021-03-01"
    assert Milestone.objects.get().start_date == datetime.date(2021, 3, 1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"deadline": "2020-01-01"}, "deadline"),
        ({"kind": "quantitative"}, "target_value"),
        ({"weight": "0"}, "weight"),
        ({"plan": "no-such-plan"}, "plan"),
    ],
)
def test_milestone_rules_are_400_per_field(token_client, province, body, field):
    plan = make_plan(jurisdiction=province, issued_on=datetime.date(2021, 3, 1))
    data = {"plan": plan.slug, "statement": "虛構目標", "deadline": "2022-12-31", **body}
    response = token_client.post("/api/v1/milestones/", data, format="json")
    assert response.status_code == 400
    assert response.json()[field]
    assert not Milestone.objects.exists()


def test_milestone_of_someone_elses_plan_is_403(token_client):
    theirs = make_plan(jurisdiction=make_jurisdiction(code="920000"))
    response = token_client.post(
        "/api/v1/milestones/",
        {"plan": theirs.slug, "statement": "虛構目標", "deadline": "2022-12-31"},
        format="json",
    )
    assert response.status_code == 403


def test_parent_milestone_must_belong_to_the_same_plan(token_client, province):
    plan = make_plan(jurisdiction=province)
    stranger = make_milestone(plan=make_plan(jurisdiction=province))
    response = token_client.post(
        "/api/v1/milestones/",
        {"plan": plan.slug, "parent": stranger.pk, "statement": "虛構", "deadline": "2022-12-31"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["parent"] == ["The parent milestone must belong to the same plan."]


def test_a_milestone_with_sub_milestones_cannot_move_to_another_plan(token_client, province):
    plan, other = make_plan(jurisdiction=province), make_plan(jurisdiction=province)
    parent = make_milestone(plan=plan)
    make_milestone(plan=plan, parent=parent)
    url = f"/api/v1/milestones/{parent.pk}/"
    response = token_client.patch(
        url, {"plan": other.slug, "version": 1}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json()["plan"] == [
        "This milestone has sub-milestones, so it cannot move to another plan."
    ]
    assert set(Milestone.objects.values_list("plan", flat=True)) == {plan.pk}
    # It still changes otherwise, and a milestone without sub-milestones still moves.
    response = token_client.patch(url, {"statement": "虛構新文", "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    alone = make_milestone(plan=plan)
    response = token_client.patch(
        f"/api/v1/milestones/{alone.pk}/", {"plan": other.slug, "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()


# --- Progress updates ---------------------------------------------------------------------


def test_editor_reports_progress_and_is_its_author(token_client, editor, province):
    milestone = make_milestone(plan=make_plan(jurisdiction=province))
    source = make_source()
    response = token_client.post(
        "/api/v1/updates/",
        {
            "milestone": milestone.pk,
            "as_of": "2022-06-30",
            "percent_complete": "40",
            "sources": [source.pk],
            "narrative": "虛構進展",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    update = ProgressUpdate.objects.get()
    assert update.author == editor
    assert response.json()["author"] == editor.username
    assert response.json()["is_published"] is False  # a draft until published_on is set
    assert LogEntry.objects.get(object_id=str(update.pk)).user == editor


def test_changing_an_update_keeps_its_author_and_logs_the_editor(province):
    first = make_editor(province)
    second = make_editor(province)
    update = make_update(
        milestone=make_milestone(plan=make_plan(jurisdiction=province)), author=first
    )
    client = APIClient()
    client.force_authenticate(second)
    response = client.patch(
        f"/api/v1/updates/{update.pk}/",
        {"percent_complete": "60", "version": update.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    update.refresh_from_db()
    assert update.author == first
    assert LogEntry.objects.get(object_id=str(update.pk), action_flag=CHANGE).user == second


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sources": []}, "sources"),
        ({"percent_complete": "140"}, "percent_complete"),
        ({"percent_complete": None}, "non_field_errors"),
        ({"value": "3"}, "value"),  # a qualitative milestone reports a percentage
        ({"as_of": "2022-02-30"}, "as_of"),
    ],
)
def test_update_rules_are_400_per_field(token_client, province, body, field):
    milestone = make_milestone(plan=make_plan(jurisdiction=province))
    data = {
        "milestone": milestone.pk,
        "as_of": "2022-06-30",
        "percent_complete": "40",
        "sources": [make_source().pk],
        **body,
    }
    response = token_client.post("/api/v1/updates/", data, format="json")
    assert response.status_code == 400
    assert response.json()[field], response.json()
    assert not ProgressUpdate.objects.exists()


def test_update_of_someone_elses_milestone_is_403(token_client):
    theirs = make_milestone(plan=make_plan(jurisdiction=make_jurisdiction(code="920000")))
    response = token_client.post(
        "/api/v1/updates/",
        {
            "milestone": theirs.pk,
            "as_of": "2022-06-30",
            "percent_complete": "40",
            "sources": [make_source().pk],
        },
        format="json",
    )
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


# --- Sources and observations -------------------------------------------------------------


def test_editor_adds_a_source_but_cannot_change_one(token_client):
    response = token_client.post(
        "/api/v1/sources/", {"title": "虛構公報", "url": "https://example.org/x"}, format="json"
    )
    assert response.status_code == 201, response.json()
    source_id = response.json()["id"]
    assert (
        token_client.patch(f"/api/v1/sources/{source_id}/", {"title": "改"}, format="json")
    ).status_code == 405


def test_editor_records_an_observation_with_a_derived_percentage(token_client, province):
    indicator = make_indicator(slug="fictional-share")
    response = token_client.post(
        "/api/v1/observations/",
        {
            "indicator": "fictional-share",
            "jurisdiction": "910000",
            "as_of": "2021-12-31",
            "numerator": 10,
            "denominator": 32,
            "source": make_source().pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["value"] == "31.3000"  # half-up, as the source prints it
    assert Observation.objects.get(indicator=indicator).value == Decimal("31.3")


def test_observation_rules_and_uniqueness_are_400(token_client, province):
    indicator = make_indicator(slug="fictional-share")
    source = make_source()
    base = {
        "indicator": "fictional-share",
        "jurisdiction": "910000",
        "as_of": "2021-12-31",
        "source": source.pk,
    }
    response = token_client.post(
        "/api/v1/observations/", {**base, "numerator": 40, "denominator": 32}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["numerator"]
    response = token_client.post("/api/v1/observations/", base, format="json")
    assert response.status_code == 400
    assert response.json()["value"]
    make_observation(indicator=indicator, jurisdiction=province, as_of=datetime.date(2021, 12, 31))
    response = token_client.post("/api/v1/observations/", {**base, "value": "5"}, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"]


def test_an_observed_share_above_100_percent_is_400(token_client, province):
    observation = make_observation(indicator=make_indicator(), jurisdiction=province)
    response = token_client.patch(
        f"/api/v1/observations/{observation.pk}/",
        {"value": "500"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["value"] == ["A share cannot exceed 100%."]
    observation.refresh_from_db()
    assert observation.value == Decimal(50)


def test_observation_of_another_jurisdiction_is_403(token_client):
    make_indicator(slug="fictional-share")
    make_jurisdiction(code="CNX", level="national")
    response = token_client.post(
        "/api/v1/observations/",
        {
            "indicator": "fictional-share",
            "jurisdiction": "CNX",
            "as_of": "2021-12-31",
            "value": "50",
            "source": make_source().pk,
        },
        format="json",
    )
    assert response.status_code == 403
    assert not Observation.objects.exists()


# --- Concurrent edits (README, "Concurrent edits") -----------------------------------------

# The 409's message as the default language, zh-hant, shows it.
STALE = "已有其他人儲存了它,因此您的修改沒有儲存"


def versioned(kind: str, province):
    """(detail URL, a change to send, the model) of a plan, a milestone or an update."""
    plan = make_plan(jurisdiction=province, title="虛構原題")
    if kind == "plan":
        return f"/api/v1/plans/{plan.slug}/", {"title": "虛構新題"}, Plan
    milestone = make_milestone(plan=plan, statement="虛構原文")
    if kind == "milestone":
        return f"/api/v1/milestones/{milestone.pk}/", {"statement": "虛構新文"}, Milestone
    update = make_update(milestone=milestone, narrative="虛構原文")
    return f"/api/v1/updates/{update.pk}/", {"narrative": "虛構新文"}, ProgressUpdate


def stored(model, change):
    """The changed field as stored, and the row's version."""
    (field,) = change
    return model.objects.values_list(field, "version").get()


KINDS = ["plan", "milestone", "update"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_read_shows_the_version_and_a_change_that_sends_it_counts_the_next(
    token_client, province, kind
):
    url, change, model = versioned(kind, province)
    assert token_client.get(url).json()["version"] == 1
    response = token_client.patch(url, {**change, "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    assert stored(model, change) == (*change.values(), 2)
    # A PUT sends the whole object as read, its version with it.
    response = token_client.put(url, token_client.get(url).json(), format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 3


@pytest.mark.parametrize("kind", KINDS)
def test_a_change_based_on_a_stale_version_is_409_and_writes_nothing(token_client, province, kind):
    url, change, model = versioned(kind, province)
    first = token_client.patch(url, {**change, "version": 1}, format="json")
    assert first.status_code == 200, first.json()
    logged = LogEntry.objects.count()

    # A second editor read version 1 too.
    response = token_client.patch(url, {**change, "version": 1}, format="json")
    assert response.status_code == 409
    assert STALE in response.json()["detail"]
    whole = {**token_client.get(url).json(), **change, "version": 1}
    assert token_client.put(url, whole, format="json").status_code == 409
    assert stored(model, change) == (*change.values(), 2)
    assert LogEntry.objects.count() == logged


def test_the_409_speaks_the_requests_language(token_client, province):
    url, change, _model = versioned("milestone", province)
    token_client.patch(url, {**change, "version": 1}, format="json")
    response = token_client.patch(
        url, {**change, "version": 1}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Someone else saved this object after you read")


@pytest.mark.parametrize("kind", KINDS)
def test_a_change_that_does_not_say_which_version_it_edits_is_400(token_client, province, kind):
    url, change, model = versioned(kind, province)
    response = token_client.patch(url, change, format="json")
    assert response.status_code == 400
    assert "version" in response.json()
    assert stored(model, change) != (*change.values(), 2)
    assert model.objects.get().version == 1


def test_the_version_may_come_as_if_match(token_client, province):
    url, change, model = versioned("milestone", province)
    assert token_client.patch(url, change, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    response = token_client.patch(url, change, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 409
    assert stored(model, change) == (*change.values(), 2)


@pytest.mark.parametrize("kind", KINDS)
def test_the_etag_of_a_read_is_the_if_match_of_a_change(token_client, province, kind):
    """HTTP's own round: GET gives an ETag, a change sends it back as If-Match. The ETag
    starts with the version (and goes on with the body's hash, for If-None-Match)."""
    url, change, model = versioned(kind, province)
    etag = token_client.get(url)["ETag"]
    assert etag.startswith('"1.')
    assert token_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    response = token_client.patch(url, change, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response["ETag"].startswith('"2.')
    stale = token_client.patch(url, change, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 409
    assert model.objects.get().version == 2


def test_a_save_landing_between_the_read_and_the_write_is_409_not_500(province):
    """Another editor saves after the request has read the row and checked its version:
    the conditional UPDATE finds a newer version and the whole request is undone."""
    from plans.viewsets import MilestoneViewSet

    url, change, _model = versioned("milestone", province)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(make_user(is_superuser=True, is_staff=True))
    get_object = MilestoneViewSet.get_object

    def get_object_then_someone_else_saves(view):
        milestone = get_object(view)
        other = Milestone.objects.get(pk=milestone.pk)
        other.statement = "虛構他人修改"
        other.save()
        return milestone

    with mock.patch.object(MilestoneViewSet, "get_object", get_object_then_someone_else_saves):
        response = client.patch(url, {**change, "version": 1}, format="json")

    assert response.status_code == 409
    assert STALE in response.json()["detail"]
    assert not LogEntry.objects.filter(action_flag=CHANGE).exists()
    # The other editor's save ran inside this request's transaction, so the rollback undid
    # it too; what matters is that the late change was not written.
    assert Milestone.objects.get().statement != "虛構新文"


def test_any_save_of_a_versioned_row_refused_during_a_write_is_409():
    """perform_update turns a refused save into a 409 even where the serializer does not
    (a versioned row saved by other code the write runs)."""
    view = APIBaseMixin()
    serializer = mock.Mock()
    serializer.save.side_effect = ConcurrentEditError(make_milestone())
    with pytest.raises(VersionConflict):
        view.perform_update(serializer)
