"""Optimistic locking: when two editors save the same row, the second, stale save is
refused with a clear message and changes nothing, in the admin and in the API."""

import re
import threading
from unittest import mock

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework import generics, serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIRequestFactory

from govtracker.locking import (
    ConcurrentEditError,
    OptimisticLockForm,
    OptimisticLockSerializerMixin,
)
from plans.models import Milestone, Plan
from tests.factories import make_milestone, make_plan, make_update

pytestmark = pytest.mark.django_db

# The stale-version message (admin and API) as the default language, zh-hant, shows it.
STALE = "已有其他人儲存了它,因此您的修改沒有儲存"


# -- the model ----------------------------------------------------------------------------


def test_each_save_counts_one_version():
    milestone = make_milestone()
    assert milestone.version == 1
    milestone.statement = "虛構目標（修訂）"
    milestone.save()
    milestone.save()
    assert milestone.version == 3
    assert Milestone.objects.get(pk=milestone.pk).version == 3


def test_a_save_from_a_stale_copy_is_refused_and_changes_nothing():
    milestone = make_milestone(statement="原文")
    first, second = Milestone.objects.get(pk=milestone.pk), Milestone.objects.get(pk=milestone.pk)
    first.statement = "第一位編輯"
    first.save()
    second.statement = "第二位編輯"
    with pytest.raises(ConcurrentEditError):
        second.save()
    stored = Milestone.objects.get(pk=milestone.pk)
    assert (stored.statement, stored.version) == ("第一位編輯", 2)
    assert second.version == 1  # the refused copy keeps the version it was loaded at


def test_a_save_of_a_deleted_row_is_refused():
    milestone = make_milestone()
    copy = Milestone.objects.get(pk=milestone.pk)
    milestone.delete()
    with pytest.raises(ConcurrentEditError):
        copy.save()
    assert not Milestone.objects.exists()


def test_plans_and_updates_are_versioned_too():
    plan = make_plan()
    stale_plan = Plan.objects.get(pk=plan.pk)
    plan.save()
    with pytest.raises(ConcurrentEditError):
        stale_plan.save()
    update = make_update()
    stale_update = type(update).objects.get(pk=update.pk)
    update.save()
    with pytest.raises(ConcurrentEditError):
        stale_update.save()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
)
def test_two_editors_saving_at_the_same_moment_one_wins():
    milestone = make_milestone(statement="原文")
    barrier = threading.Barrier(2)
    outcomes = []

    def edit(text):
        from django.db import connections

        try:
            copy = Milestone.objects.get(pk=milestone.pk)
            barrier.wait(timeout=10)
            copy.statement = text
            copy.save()
            outcomes.append(("saved", text))
        except ConcurrentEditError:
            outcomes.append(("refused", text))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(text,)) for text in ["甲", "乙"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(kind for kind, _ in outcomes) == ["refused", "saved"]
    winner = next(text for kind, text in outcomes if kind == "saved")
    stored = Milestone.objects.get(pk=milestone.pk)
    assert (stored.statement, stored.version) == (winner, 2)


# -- the admin ------------------------------------------------------------------------------


def _milestone_change(milestone, **overrides):
    data = {
        "plan": milestone.plan_id,
        "position": milestone.position,
        "statement": milestone.statement,
        "start_date": milestone.start_date.isoformat(),
        "deadline": milestone.deadline.isoformat(),
        "kind": milestone.kind,
        "weight": str(milestone.weight),
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def _version_in_form(response, name="version") -> int:
    match = re.search(
        rf'<input type="hidden" name="{name}" value="(\d+)"', response.content.decode()
    )
    assert match, f"no hidden {name} field in the form"
    return int(match.group(1))


def test_admin_form_carries_the_version_the_editor_saw(admin_client):
    milestone = make_milestone()
    milestone.save()
    url = reverse("admin:plans_milestone_change", args=[milestone.pk])
    assert _version_in_form(admin_client.get(url)) == 2


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_admin_refuses_the_second_stale_save_with_a_form_error(admin_client, language):
    milestone = make_milestone(statement="原文")
    url = f"/{language}/admin/plans/milestone/{milestone.pk}/change/"
    seen_by_a = _version_in_form(admin_client.get(url))
    seen_by_b = _version_in_form(admin_client.get(url))

    response_a = admin_client.post(
        url, _milestone_change(milestone, statement="甲的修改", version=seen_by_a)
    )
    assert response_a.status_code == 302
    response_b = admin_client.post(
        url, _milestone_change(milestone, statement="乙的修改", version=seen_by_b)
    )

    assert response_b.status_code == 200
    assert "乙的修改" in response_b.content.decode()  # B's input is kept to copy from
    errors = response_b.context["adminform"].form.non_field_errors()
    assert errors.as_data()[0].code == "stale"
    stored = Milestone.objects.get(pk=milestone.pk)
    assert (stored.statement, stored.version) == ("甲的修改", 2)


def test_admin_refuses_a_change_that_does_not_say_which_version_it_edits(admin_client):
    milestone = make_milestone(statement="原文")
    url = reverse("admin:plans_milestone_change", args=[milestone.pk])
    response = admin_client.post(url, _milestone_change(milestone, statement="沒有版本"))
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert Milestone.objects.get(pk=milestone.pk).statement == "原文"


def test_admin_save_that_races_past_the_form_check_is_rolled_back_with_a_message(admin_client):
    milestone = make_milestone(statement="原文")
    url = reverse("admin:plans_milestone_change", args=[milestone.pk])
    original_clean = OptimisticLockForm.clean

    def clean_then_someone_else_saves(form):
        cleaned = original_clean(form)
        Milestone.objects.filter(pk=milestone.pk).update(version=7, statement="另一位編輯")
        return cleaned

    with mock.patch.object(OptimisticLockForm, "clean", clean_then_someone_else_saves):
        response = admin_client.post(url, _milestone_change(milestone, statement="遲到", version=1))

    assert response.status_code == 302
    assert response["Location"] == url
    page = admin_client.get(url).content.decode()
    assert STALE in page
    # The late save wrote nothing. (The simulated other editor wrote inside this request's
    # transaction, so the admin's rollback undid that write as well.)
    assert Milestone.objects.get(pk=milestone.pk).statement != "遲到"


def test_admin_refuses_a_plan_whose_inline_milestone_is_stale(admin_client):
    milestone = make_milestone(statement="原文")
    plan = milestone.plan
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    page = admin_client.get(url)
    plan_version = _version_in_form(page)
    milestone_version = _version_in_form(page, "milestones-0-version")
    # Meanwhile another editor changes the milestone on its own page.
    Milestone.objects.get(pk=milestone.pk).save()

    data = {
        "title": "虛構規劃（新標題）",
        "title_en": plan.title_en,
        "slug": plan.slug,
        "jurisdiction": plan.jurisdiction_id,
        "kind": plan.kind,
        "issuing_body": plan.issuing_body,
        "issued_on": plan.issued_on.isoformat(),
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "version": plan_version,
        "milestones-TOTAL_FORMS": "1",
        "milestones-INITIAL_FORMS": "1",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "1000",
        "milestones-0-id": milestone.pk,
        "milestones-0-plan": plan.pk,
        "milestones-0-position": milestone.position,
        "milestones-0-kind": milestone.kind,
        "milestones-0-weight": "1",
        "milestones-0-statement": "舊頁面上的修改",
        "milestones-0-start_date": milestone.start_date.isoformat(),
        "milestones-0-deadline": milestone.deadline.isoformat(),
        "milestones-0-version": milestone_version,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).title == plan.title  # nothing of the request saved
    assert Milestone.objects.get(pk=milestone.pk).statement == "原文"

    # Reloaded, the same change goes through.
    data["milestones-0-version"] = milestone_version + 1
    assert admin_client.post(url, data).status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).statement == "舊頁面上的修改"


# -- the API (a test-only DRF view; the real API plugs in the same mixin) -------------------


class MilestoneSerializer(OptimisticLockSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "statement", "deadline"]


class MilestoneDetail(generics.RetrieveUpdateAPIView):
    queryset = Milestone.objects.all()
    serializer_class = MilestoneSerializer
    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]


def api_patch(milestone, body, **headers):
    request = APIRequestFactory().patch(
        f"/milestones/{milestone.pk}/", body, format="json", headers=headers
    )
    response = MilestoneDetail.as_view()(request, pk=milestone.pk)
    response.render()
    return response


def test_api_shows_the_version_and_accepts_a_current_one():
    milestone = make_milestone(statement="原文")
    response = api_patch(milestone, {"statement": "新", "version": 1})
    assert response.status_code == 200, response.data
    assert response.data["version"] == 2
    assert Milestone.objects.get(pk=milestone.pk).statement == "新"


def test_api_refuses_a_stale_version_with_409():
    milestone = make_milestone(statement="原文")
    assert api_patch(milestone, {"statement": "甲", "version": 1}).status_code == 200
    response = api_patch(milestone, {"statement": "乙", "version": 1})
    assert response.status_code == 409
    assert STALE in str(response.data["detail"])
    stored = Milestone.objects.get(pk=milestone.pk)
    assert (stored.statement, stored.version) == ("甲", 2)


def test_api_requires_a_version_for_updates():
    milestone = make_milestone(statement="原文")
    response = api_patch(milestone, {"statement": "無版本"})
    assert response.status_code == 400
    assert "version" in response.data
    assert Milestone.objects.get(pk=milestone.pk).statement == "原文"


def test_api_accepts_the_version_as_if_match():
    milestone = make_milestone(statement="原文")
    assert (
        api_patch(
            milestone, {"statement": "甲"}, **{"If-Match": f'"{milestone.version}"'}
        ).status_code
        == 200
    )
    response = api_patch(milestone, {"statement": "乙"}, **{"If-Match": 'W/"1"'})
    assert response.status_code == 409
    assert api_patch(milestone, {"statement": "乙"}, **{"If-Match": "garbage"}).status_code == 400
    assert Milestone.objects.get(pk=milestone.pk).statement == "甲"


def test_api_save_that_races_past_validation_is_409_and_writes_nothing():
    milestone = make_milestone(statement="原文")
    original_validate = MilestoneSerializer.validate

    def validate_then_someone_else_saves(serializer, attrs):
        attrs = original_validate(serializer, attrs)
        Milestone.objects.filter(pk=milestone.pk).update(version=5, statement="另一位編輯")
        return attrs

    with mock.patch.object(MilestoneSerializer, "validate", validate_then_someone_else_saves):
        response = api_patch(milestone, {"statement": "遲到", "version": 1})
    assert response.status_code == 409
    assert Milestone.objects.get(pk=milestone.pk).statement == "另一位編輯"
