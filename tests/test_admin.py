"""The admin: every model is usable in the three languages; bad input is a form error."""

import datetime

import pytest
from django.urls import reverse

from metrics.models import Observation
from plans.models import Milestone, Plan, ProgressUpdate
from tests.factories import (
    make_indicator,
    make_jurisdiction,
    make_milestone,
    make_plan,
    make_source,
    make_update,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "plans/jurisdiction",
    "plans/plan",
    "plans/milestone",
    "plans/progressupdate",
    "plans/source",
    "metrics/indicator",
    "metrics/indicatortarget",
    "metrics/observation",
]


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans", "en"])
@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_and_add_form_opens(admin_client, source_data, language, model):
    make_update()
    base = f"/{language}/admin/{model}/"
    assert admin_client.get(base).status_code == 200
    assert admin_client.get(base + "add/").status_code == 200
    assert admin_client.get(base, {"q": "安徽"}).status_code == 200


def test_plan_change_page_shows_its_milestones_inline(admin_client, source_data):
    plan = Plan.objects.get(slug="anhui-digital-government-2020-2025")
    response = admin_client.get(reverse("admin:plans_plan_change", args=[plan.pk]))
    assert response.status_code == 200
    assert "線上政府" in response.content.decode()


def test_milestone_change_page_shows_its_updates_inline(admin_client):
    update = make_update(narrative="虛構進展說明")
    response = admin_client.get(reverse("admin:plans_milestone_change", args=[update.milestone.pk]))
    assert "虛構進展說明" in response.content.decode()


def _milestone_form(plan, **overrides):
    data = {
        "plan": plan.pk,
        "position": 1,
        "statement": "虛構目標",
        "start_date": "2021-01-01",
        "deadline": "2022-12-31",
        "kind": "qualitative",
        "weight": "1",
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_deadline_before_start_is_a_translated_form_error(admin_client):
    plan = make_plan()
    url = "/en/admin/plans/milestone/add/"
    response = admin_client.post(url, _milestone_form(plan, deadline="2020-06-30"))
    assert response.status_code == 200
    assert "The deadline must be after the start date." in response.content.decode()
    assert not Milestone.objects.exists()


def test_quantitative_milestone_without_target_is_a_form_error(admin_client):
    plan = make_plan()
    response = admin_client.post(
        "/en/admin/plans/milestone/add/", _milestone_form(plan, kind="quantitative")
    )
    assert response.status_code == 200
    assert "A quantitative milestone needs a target value." in response.content.decode()
    assert not Milestone.objects.exists()


def test_empty_start_date_defaults_to_the_plan_issue_date(admin_client):
    plan = make_plan(issued_on=datetime.date(2021, 3, 25))
    response = admin_client.post(
        "/en/admin/plans/milestone/add/", _milestone_form(plan, start_date="")
    )
    assert response.status_code == 302
    assert Milestone.objects.get().start_date == datetime.date(2021, 3, 25)


def test_moving_a_milestone_with_sub_milestones_to_another_plan_is_a_form_error(admin_client):
    parent = make_milestone()
    make_milestone(plan=parent.plan, parent=parent)
    other = make_plan()
    response = admin_client.post(
        f"/en/admin/plans/milestone/{parent.pk}/change/",
        _milestone_form(other, statement=parent.statement, version=parent.version),
    )
    assert response.status_code == 200
    assert (
        "This milestone has sub-milestones, so it cannot move to another plan."
        in response.content.decode()
    )
    parent.refresh_from_db()
    assert parent.plan_id != other.pk


def test_new_plan_with_inline_milestone_due_before_issue_is_refused_whole(admin_client):
    jurisdiction = make_jurisdiction()
    data = {
        "title": "虛構規劃",
        "title_en": "Fictional Plan",
        "slug": "fictional-plan-admin",
        "jurisdiction": jurisdiction.pk,
        "kind": "plan",
        "issuing_body": "虛構省人民政府",
        "issued_on": "2021-03-25",
        "start_year": "2021",
        "end_year": "2021",
        "milestones-TOTAL_FORMS": "1",
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "1000",
        "milestones-0-position": "1",
        "milestones-0-kind": "qualitative",
        "milestones-0-weight": "1",
        "milestones-0-statement": "虛構目標",
        "milestones-0-start_date": "",
        "milestones-0-deadline": "2021-01-31",
    }
    response = admin_client.post("/en/admin/plans/plan/add/", data)
    assert response.status_code == 200
    assert "The deadline must be after the start date." in response.content.decode()
    assert not Plan.objects.exists()
    assert not Milestone.objects.exists()


def test_percent_over_100_is_a_form_error(admin_client):
    milestone = make_milestone()
    source = make_source()
    response = admin_client.post(
        "/en/admin/plans/progressupdate/add/",
        {
            "milestone": milestone.pk,
            "as_of": "2022-06-30",
            "percent_complete": "150",
            "sources": [source.pk],
        },
    )
    assert response.status_code == 200
    assert "The percentage must be between 0 and 100." in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_update_without_a_source_is_a_form_error(admin_client):
    milestone = make_milestone()
    response = admin_client.post(
        "/en/admin/plans/progressupdate/add/",
        {"milestone": milestone.pk, "as_of": "2022-06-30", "percent_complete": "40"},
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_update_saved_in_admin_records_its_author(admin_client, admin_user):
    milestone = make_milestone()
    response = admin_client.post(
        "/en/admin/plans/progressupdate/add/",
        {
            "milestone": milestone.pk,
            "as_of": "2022-06-30",
            "percent_complete": "40",
            "sources": [make_source().pk],
        },
    )
    assert response.status_code == 302
    assert ProgressUpdate.objects.get().author == admin_user


def test_numerator_over_denominator_is_a_form_error(admin_client):
    response = admin_client.post(
        "/en/admin/metrics/observation/add/",
        {
            "indicator": make_indicator().pk,
            "jurisdiction": make_jurisdiction(level="national").pk,
            "as_of": "2020-11-30",
            "numerator": "33",
            "denominator": "32",
            "source": make_source().pk,
        },
    )
    assert response.status_code == 200
    assert "The numerator cannot exceed the denominator." in response.content.decode()
    assert not Observation.objects.exists()


def test_observation_percentage_is_computed_from_its_parts(admin_client):
    response = admin_client.post(
        "/en/admin/metrics/observation/add/",
        {
            "indicator": make_indicator().pk,
            "jurisdiction": make_jurisdiction(level="national").pk,
            "as_of": "2020-11-30",
            "numerator": "10",
            "denominator": "32",
            "source": make_source().pk,
        },
    )
    assert response.status_code == 302
    assert str(Observation.objects.get().value) == "31.3000"
