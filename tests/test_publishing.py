"""Updates are drafts until published; publication can be scheduled; only published
updates are public."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from govtracker.locking import ConcurrentEditError
from plans import services
from plans.models import ProgressUpdate
from tests.factories import (
    make_editor,
    make_jurisdiction,
    make_milestone,
    make_plan,
    make_update,
    make_user,
)

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


# --- Publishing and an editor's open change form (README, "Concurrent edits") --------------

STALE = "已有其他人儲存了它,因此您的修改沒有儲存"
ADMIN = "/zh-hant/admin/plans/progressupdate"


def open_change_form(client, update) -> dict:
    """What the update's change form, opened now, posts back (with its hidden version)."""
    page = client.get(f"{ADMIN}/{update.pk}/change/").content.decode()
    version = re.search(r'<input type="hidden" name="version" value="(\d+)"', page).group(1)
    return {
        "milestone": update.milestone_id,
        "as_of": update.as_of.isoformat(),
        "percent_complete": str(update.percent_complete),
        "narrative": update.narrative,
        "sources": list(update.sources.values_list("pk", flat=True)),
        "published_on": update.published_on.isoformat() if update.published_on else "",
        "version": version,
    }


@time_machine.travel(TODAY)
@pytest.mark.parametrize("action", ["publish_now", "unpublish"])
def test_a_change_form_opened_before_publishing_cannot_undo_it(updates, client, action):
    """An editor opens an update; another publishes it or takes it back to a draft from
    the list; the first editor's save must not silently restore the old publication date
    (a retracted update back in public)."""
    update = updates["draft"] if action == "publish_now" else updates["published"]
    editor = make_editor(update.milestone.plan.jurisdiction)
    client.force_login(editor)
    form = open_change_form(client, update)

    client.post(f"{ADMIN}/", {"action": action, "_selected_action": [update.pk]})
    after_action = ProgressUpdate.objects.get(pk=update.pk).published_on
    assert after_action != update.published_on

    response = client.post(f"{ADMIN}/{update.pk}/change/", {**form, "narrative": "虛構改錯字"})
    assert response.status_code == 200
    assert STALE in response.content.decode()
    stored = ProgressUpdate.objects.get(pk=update.pk)
    assert (stored.published_on, stored.narrative) == (after_action, update.narrative)

    # Reopened, the same change goes through and keeps the new publication state.
    form = open_change_form(client, stored)
    response = client.post(f"{ADMIN}/{update.pk}/change/", {**form, "narrative": "虛構改錯字"})
    assert response.status_code == 302
    stored = ProgressUpdate.objects.get(pk=update.pk)
    assert (stored.published_on, stored.narrative) == (after_action, "虛構改錯字")


@time_machine.travel(TODAY)
def test_publishing_and_unpublishing_count_a_version_as_a_save_does(updates):
    user = make_user(is_superuser=True, is_staff=True)
    draft, published = updates["draft"], updates["published"]
    before = ProgressUpdate.objects.get(pk=draft.pk)
    untouched = ProgressUpdate.objects.get(pk=published.pk)

    assert services.updates_publish(updates=[draft, published], user=user) == 1
    stored = ProgressUpdate.objects.get(pk=draft.pk)
    assert (stored.published_on, stored.version) == (datetime.date(2023, 3, 1), 2)
    assert stored.modified != before.modified
    assert stored.modified.date() == datetime.date(2023, 3, 1)
    # An update that already was published keeps its date and its version.
    assert ProgressUpdate.objects.get(pk=published.pk).version == untouched.version == 1
    # The history record holds the row as written.
    record = stored.history.order_by("-history_id")[0]
    assert (record.history_user, record.history_type) == (user, "~")
    assert (record.published_on, record.version, record.modified) == (
        stored.published_on,
        stored.version,
        stored.modified,
    )
    # The caller's copy is brought up to date: saving it again is not refused.
    assert (draft.version, draft.published_on) == (2, stored.published_on)
    draft.save()

    assert services.updates_unpublish(updates=[draft], user=user) == 1
    stored = ProgressUpdate.objects.get(pk=draft.pk)
    assert (stored.published_on, stored.version) == (None, 4)
    assert stored.history.order_by("-history_id")[0].version == 4


@time_machine.travel(TODAY)
def test_publishing_leaves_a_stale_copy_stale(updates):
    """A caller's copy loaded before someone else's save must still be refused."""
    stale = ProgressUpdate.objects.get(pk=updates["draft"].pk)
    ProgressUpdate.objects.get(pk=stale.pk).save()  # another editor, version 2
    user = make_user(is_superuser=True, is_staff=True)
    assert services.updates_publish(updates=[stale], user=user) == 1
    assert ProgressUpdate.objects.get(pk=stale.pk).version == 3
    assert stale.version == 1
    with pytest.raises(ConcurrentEditError):
        stale.save()
