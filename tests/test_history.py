"""Every change — admin, API, import, bulk publication — is recorded with who and when;
the admin shows a record's history with its diffs; the public plan page shows when the
plan was last updated and the log of its published updates."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from plans.models import Milestone, Plan, ProgressUpdate
from plans.services import milestones_create_from_drafts, updates_publish
from tests.factories import (
    make_editor,
    make_milestone,
    make_plan,
    make_source,
    make_target,
    make_update,
)

pytestmark = pytest.mark.django_db


def plan_change_data(plan, **overrides):
    data = {
        "title": plan.title,
        "title_en": plan.title_en,
        "slug": plan.slug,
        "jurisdiction": plan.jurisdiction_id,
        "kind": plan.kind,
        "issuing_body": plan.issuing_body,
        "issued_on": plan.issued_on.isoformat(),
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "version": plan.version,
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_admin_change_is_recorded_with_its_author_and_shown_as_a_diff(client):
    plan = make_plan(title="虛構舊標題")
    editor = make_editor(plan.jurisdiction)
    client.force_login(editor)
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    response = client.post(url, plan_change_data(plan, title="虛構新標題"))
    assert response.status_code == 302
    latest = plan.history.first()
    assert latest.history_user == editor
    assert latest.history_type == "~"
    assert latest.title == "虛構新標題"

    page = client.get(reverse("admin:plans_plan_history", args=[plan.pk])).content.decode()
    assert "虛構舊標題" in page and "虛構新標題" in page  # old → new
    assert editor.username in page


def test_api_change_is_recorded_with_its_author(settings):
    settings.ROOT_URLCONF = "tests.editor_api"
    milestone = make_milestone()
    editor = make_editor(milestone.plan.jurisdiction)
    client = APIClient()
    client.force_authenticate(editor)
    response = client.patch(
        f"/api/milestones/{milestone.pk}/", {"statement": "虛構改寫"}, format="json"
    )
    assert response.status_code == 200
    assert milestone.history.first().history_user == editor


def test_bulk_publication_is_recorded_per_update():
    updates = [make_update(published_on=None) for _ in range(3)]
    editor = make_editor(*{u.milestone.plan.jurisdiction for u in updates})
    updates_publish(updates=ProgressUpdate.objects.all(), user=editor, on=datetime.date(2023, 1, 2))
    for update in updates:
        latest = update.history.first()
        assert latest.published_on == datetime.date(2023, 1, 2)
        assert latest.history_user == editor


def test_milestones_saved_in_bulk_from_drafts_have_history():
    plan = make_plan()
    editor = make_editor(plan.jurisdiction)
    saved = milestones_create_from_drafts(
        plan=plan,
        drafts=[
            {"statement": "虛構甲", "deadline": datetime.date(2022, 12, 31), "kind": "qualitative"},
            {"statement": "虛構乙", "deadline": datetime.date(2023, 12, 31), "kind": "qualitative"},
        ],
        user=editor,
    )
    assert len(saved) == 2
    for milestone in Milestone.objects.filter(plan=plan):
        assert milestone.history.get().history_user == editor


@pytest.mark.parametrize(
    "model_admin",
    [
        "plans/source",
        "plans/jurisdiction",
        "plans/milestone",
        "plans/progressupdate",
        "metrics/indicator",
        "metrics/indicatortarget",
        "metrics/observation",
    ],  # fmt: skip
)
def test_every_tracked_model_has_a_history_page(admin_client, source_data, model_admin):
    from django.apps import apps

    from metrics.models import IndicatorTarget, Observation

    model = apps.get_model(*model_admin.split("/"))
    if model is ProgressUpdate:
        obj = make_update()
    elif model is IndicatorTarget:
        observation = Observation.objects.first()
        obj = make_target(
            indicator=observation.indicator,
            jurisdiction=observation.jurisdiction,
            value=32,
            due_on=datetime.date(2025, 12, 31),
        )
    else:
        obj = model.objects.first()
    response = admin_client.get(f"/en/admin/{model_admin}/{obj.pk}/history/")
    assert response.status_code == 200


# --- The public plan page -------------------------------------------------------------


@time_machine.travel(datetime.datetime(2023, 3, 1, 12, tzinfo=datetime.UTC))
def test_plan_page_shows_last_update_and_the_log_of_published_updates(client):
    with time_machine.travel(datetime.datetime(2021, 5, 1, tzinfo=datetime.UTC)):
        plan = make_plan()
        milestone = make_milestone(plan=plan, statement="虛構目標甲")
    make_update(milestone=milestone, as_of=datetime.date(2022, 6, 30), narrative="虛構已發布",
                published_on=datetime.date(2022, 7, 15))  # fmt: skip
    make_update(milestone=milestone, as_of=datetime.date(2022, 12, 31), narrative="虛構草稿",
                published_on=None)  # fmt: skip
    make_update(milestone=milestone, as_of=datetime.date(2023, 1, 31), narrative="虛構排程",
                published_on=datetime.date(2023, 6, 1))  # fmt: skip
    Plan.objects.filter(pk=plan.pk).update(
        modified=datetime.datetime(2021, 5, 1, tzinfo=datetime.UTC)
    )
    Milestone.objects.filter(pk=milestone.pk).update(
        modified=datetime.datetime(2021, 5, 1, tzinfo=datetime.UTC)
    )

    response = client.get(f"/en/plans/{plan.slug}/")
    assert response.context["last_updated"] == datetime.date(2022, 7, 15)
    assert [u.narrative for u in response.context["update_log"]] == ["虛構已發布"]
    page = response.content.decode()
    assert "2022-07-15" in page and "虛構已發布" in page
    assert "虛構草稿" not in page and "虛構排程" not in page


def test_plan_page_without_updates_says_nothing_was_reported(client):
    plan = make_plan()
    response = client.get(f"/en/plans/{plan.slug}/")
    assert response.context["update_log"] == []
    assert response.context["last_updated"] == timezone.localdate(plan.modified)
    assert "No progress has been reported for this plan yet." in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_plan_page_query_count_does_not_grow_with_updates(client, django_assert_num_queries, count):
    plan = make_plan()
    source = make_source()
    for i in range(count):
        milestone = make_milestone(plan=plan)
        make_update(
            milestone=milestone,
            sources=[source],
            published_on=datetime.date(2022, 1, 1) + datetime.timedelta(days=i),
        )
    # plan+jurisdiction, milestones, the timeline, the publication log, the sources of the
    # plan and of both lists in one query (govtracker/related.py), and whether the status
    # snapshot is valid for today (plans/snapshot.py)
    with django_assert_num_queries(6):
        client.get(f"/en/plans/{plan.slug}/")


# --- Reverting to an earlier version ----------------------------------------------------


def revert_url(obj, record):
    return reverse("admin:plans_plan_simple_history", args=[obj.pk, record.history_id])


def test_an_editor_reverts_a_plan_to_an_earlier_version(client):
    """django-simple-history's revert form shows an old version; saving it is a new save
    over the row as it is now, checked against its current version."""
    plan = make_plan(title="虛構舊標題")
    editor = make_editor(plan.jurisdiction)
    client.force_login(editor)
    plan.title = "虛構新標題"
    plan.save()
    old = plan.history.earliest()
    form = client.get(revert_url(plan, old))
    assert form.status_code == 200
    assert form.context["adminform"].form["version"].value() == 2  # the row's, not the old one's
    response = client.post(
        revert_url(plan, old), plan_change_data(Plan.objects.get(), title="虛構舊標題")
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.version) == ("虛構舊標題", 3)
    assert plan.history.first().history_user == editor


def test_a_revert_opened_before_someone_elses_save_is_refused(client):
    plan = make_plan(title="虛構舊標題")
    client.force_login(make_editor(plan.jurisdiction))
    plan.title = "虛構新標題"
    plan.save()
    old = plan.history.earliest()
    opened = client.get(revert_url(plan, old)).context["adminform"].form["version"].value()
    other = Plan.objects.get()
    other.title = "他人後來的標題"
    other.save()  # someone else's save after the revert form was opened
    data = plan_change_data(other, title="虛構舊標題", version=opened)
    response = client.post(revert_url(plan, old), data)
    assert response.status_code == 200  # the form again, with the error: never a 500
    errors = response.context["adminform"].form.errors.as_data()["__all__"]
    assert [error.code for error in errors] == ["stale"]
    assert Plan.objects.get().title == "他人後來的標題"


def test_a_revert_that_races_another_save_is_a_message_not_an_error_page(client, monkeypatch):
    """A save landing between the form's check and the revert's own save: the conditional
    UPDATE refuses it, and the editor is told so."""
    from govtracker.locking import ConcurrentEditError

    plan = make_plan(title="虛構舊標題")
    client.force_login(make_editor(plan.jurisdiction))
    plan.title = "虛構新標題"
    plan.save()
    old = plan.history.earliest()

    def racing_save(self, *args, **kwargs):
        raise ConcurrentEditError(self)

    monkeypatch.setattr(Plan, "save", racing_save)
    data = plan_change_data(Plan.objects.get(), title="虛構舊標題")
    response = client.post(revert_url(plan, old), data, follow=True)
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert Plan.objects.get().title == "虛構新標題"
