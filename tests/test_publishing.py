"""Updates are drafts until published; publication can be scheduled; only published
updates are public."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from plans.models import ProgressUpdate
from tests.factories import make_editor, make_jurisdiction, make_milestone, make_plan, make_update

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2023, 3, 1, 4, tzinfo=datetime.UTC)  # 12:00 in Shanghai


@pytest.fixture
def updates(db):
    milestone = make_milestone()
    return {
        "draft": make_update(milestone=milestone, published_on=None, narrative="虛構草稿"),
        "scheduled": make_update(
            milestone=milestone, published_on=datetime.date(2023, 4, 1), narrative="虛構排程"
        ),
        "published": make_update(
            milestone=milestone, published_on=datetime.date(2023, 2, 1), narrative="虛構已發布"
        ),
    }


@time_machine.travel(TODAY)
def test_state_of_each_update(updates):
    assert updates["draft"].state == ProgressUpdate.State.DRAFT
    assert updates["scheduled"].state == ProgressUpdate.State.SCHEDULED
    assert updates["published"].state == ProgressUpdate.State.PUBLISHED
    assert list(ProgressUpdate.objects.published()) == [updates["published"]]
    assert list(ProgressUpdate.objects.drafts()) == [updates["draft"]]
    assert list(ProgressUpdate.objects.scheduled()) == [updates["scheduled"]]


@time_machine.travel(TODAY)
def test_a_scheduled_update_becomes_public_on_its_day(updates):
    assert updates["scheduled"] not in ProgressUpdate.objects.visible_to(AnonymousUser())
    with time_machine.travel(datetime.datetime(2023, 4, 1, 1, tzinfo=datetime.UTC)):
        assert updates["scheduled"] in ProgressUpdate.objects.visible_to(AnonymousUser())


@time_machine.travel(TODAY)
def test_anonymous_users_see_published_updates_editors_also_their_drafts(updates):
    assert list(ProgressUpdate.objects.visible_to(AnonymousUser())) == [updates["published"]]
    editor = make_editor(updates["draft"].milestone.plan.jurisdiction)
    assert set(ProgressUpdate.objects.visible_to(editor)) == set(updates.values())
    stranger = make_editor(make_jurisdiction())
    assert list(ProgressUpdate.objects.visible_to(stranger)) == [updates["published"]]


@time_machine.travel(TODAY)
def test_api_anonymous_list_has_published_updates_only(updates, client, settings):
    settings.ROOT_URLCONF = "tests.editor_api"
    ids = [row["id"] for row in client.get("/api/visible-updates/").json()]
    assert ids == [updates["published"].pk]


@time_machine.travel(TODAY)
def test_public_plan_page_shows_published_updates_only(updates, client):
    plan = updates["draft"].milestone.plan
    page = client.get(f"/en/plans/{plan.slug}/").content.decode()
    assert "虛構已發布" in page
    assert "虛構草稿" not in page and "虛構排程" not in page


@time_machine.travel(TODAY)
def test_admin_list_shows_the_state(updates, admin_client):
    page = admin_client.get("/en/admin/plans/progressupdate/").content.decode()
    assert "scheduled for 2023-04-01" in page
    assert "published on 2023-02-01" in page
    assert ">draft<" in page
    drafts = admin_client.get("/en/admin/plans/progressupdate/", {"state": "draft"})
    assert list(drafts.context["cl"].result_list) == [updates["draft"]]


@time_machine.travel(TODAY)
def test_publish_now_and_unpublish_actions(updates, client):
    editor = make_editor(updates["draft"].milestone.plan.jurisdiction)
    client.force_login(editor)
    pks = [u.pk for u in updates.values()]
    client.post(
        "/en/admin/plans/progressupdate/", {"action": "publish_now", "_selected_action": pks}
    )
    dates = dict(ProgressUpdate.objects.values_list("narrative", "published_on"))
    assert dates["虛構草稿"] == datetime.date(2023, 3, 1)
    assert dates["虛構排程"] == datetime.date(2023, 3, 1)  # brought forward to today
    assert dates["虛構已發布"] == datetime.date(2023, 2, 1)  # keeps its date

    client.post("/en/admin/plans/progressupdate/", {"action": "unpublish", "_selected_action": pks})
    assert not ProgressUpdate.objects.filter(published_on__isnull=False).exists()
    # (the fixture's rows were made outside time_machine: order by id, not date)
    latest = ProgressUpdate.objects.get(pk=updates["draft"].pk).history.order_by("-history_id")[0]
    assert latest.history_user == editor and latest.published_on is None


@time_machine.travel(TODAY)
def test_publish_action_skips_updates_outside_the_editors_scope(updates, client):
    foreign = make_update(
        milestone=make_milestone(plan=make_plan(jurisdiction=make_jurisdiction())),
        published_on=None,
    )
    editor = make_editor(updates["draft"].milestone.plan.jurisdiction)
    client.force_login(editor)
    client.post(
        "/en/admin/plans/progressupdate/",
        {"action": "publish_now", "_selected_action": [foreign.pk, updates["draft"].pk]},
    )
    assert ProgressUpdate.objects.get(pk=foreign.pk).published_on is None
    assert ProgressUpdate.objects.get(pk=updates["draft"].pk).published_on is not None


@time_machine.travel(TODAY)
def test_an_editor_schedules_publication_for_a_date(updates, client):
    editor = make_editor(updates["draft"].milestone.plan.jurisdiction)
    client.force_login(editor)
    draft = updates["draft"]
    response = client.post(
        f"/en/admin/plans/progressupdate/{draft.pk}/change/",
        {
            "milestone": draft.milestone_id,
            "as_of": draft.as_of.isoformat(),
            "percent_complete": "50",
            "sources": list(draft.sources.values_list("pk", flat=True)),
            "published_on": "2023-05-01",
            "version": draft.version,
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == ProgressUpdate.State.SCHEDULED
