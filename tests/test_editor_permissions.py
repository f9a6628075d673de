"""Editors edit their own jurisdictions only, by every path: admin lists, change pages,
save-as-new, inlines, deletes, spreadsheet import and the API. Refusals change nothing."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from import_export.formats.base_formats import CSV
from rest_framework.test import APIClient

from metrics.models import Observation
from plans import permissions
from plans.models import Editor, Jurisdiction, Milestone, Plan, ProgressUpdate
from plans.resources import PlanResource
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
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    """A fictional country with two provinces; the editor edits the first and its city."""
    nation = make_jurisdiction(level="national", code="X00000", name_en="Fictional Nation")
    home = make_jurisdiction(parent=nation, name_en="Fictional Home Province")
    city = make_jurisdiction(level="key_city", parent=home, name_en="Fictional Home City")
    county = make_jurisdiction(
        level="county", parent=make_jurisdiction(level="prefecture", parent=home)
    )
    other = make_jurisdiction(parent=nation, name_en="Fictional Other Province")
    home_plan = make_plan(jurisdiction=home, title="虛構本省規劃")
    other_plan = make_plan(jurisdiction=other, title="虛構他省規劃")
    editor = make_editor(home)
    return {
        "nation": nation,
        "home": home,
        "city": city,
        "county": county,
        "other": other,
        "home_plan": home_plan,
        "other_plan": other_plan,
        "home_milestone": make_milestone(plan=home_plan, statement="虛構本省目標"),
        "other_milestone": make_milestone(plan=other_plan, statement="虛構他省目標"),
        "editor": editor,
    }


@pytest.fixture
def editor_client(client, world):
    client.force_login(world["editor"])
    return client


def snapshot(obj):
    """Every field of a row as it is in the database."""
    fresh = type(obj).objects.get(pk=obj.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


# --- The scope vocabulary -------------------------------------------------------------


def test_provincial_editor_edits_their_province_and_everything_under_it(world):
    editable = set(Jurisdiction.objects.editable_by(world["editor"]))
    assert {world["home"], world["city"], world["county"], world["county"].parent} <= editable
    assert world["other"] not in editable
    assert world["nation"] not in editable


def test_national_scope_and_superusers_edit_everything(world, admin_user):
    national = make_editor(world["nation"])
    assert Jurisdiction.objects.editable_by(national).count() == Jurisdiction.objects.count()
    assert Jurisdiction.objects.editable_by(admin_user).count() == Jurisdiction.objects.count()
    assert permissions.is_national_editor(national)
    assert not permissions.is_national_editor(world["editor"])


def test_staff_without_a_scope_and_anonymous_users_edit_nothing(world):
    staff = make_user(is_staff=True)
    assert not Jurisdiction.objects.editable_by(staff).exists()
    assert not Jurisdiction.objects.editable_by(AnonymousUser()).exists()
    assert not permissions.user_can_edit(staff, world["home_plan"])
    assert not permissions.user_can_edit(AnonymousUser(), world["home_plan"])


def test_inactive_editor_edits_nothing(world):
    world["editor"].is_active = False
    world["editor"].save()
    assert not Jurisdiction.objects.editable_by(world["editor"]).exists()


def test_jurisdiction_of_every_scoped_model(world):
    home = world["home"]
    milestone = world["home_milestone"]
    update = make_update(milestone=milestone)
    observation = make_observation(jurisdiction=home)
    target = make_target(
        indicator=make_indicator(), jurisdiction=home, value=10, due_on=datetime.date(2025, 12, 31)
    )
    for obj in [world["home_plan"], milestone, update, observation, target]:
        assert permissions.jurisdiction_of(obj) == home
    # Unsaved rows, as the admin and the API hold them before saving.
    assert permissions.jurisdiction_of(Milestone(plan=world["other_plan"])) == world["other"]
    assert permissions.jurisdiction_of(Milestone()) is None
    assert permissions.jurisdiction_of(make_source()) is None


def test_querysets_narrow_to_the_editors_rows(world):
    editor = world["editor"]
    assert list(Plan.objects.editable_by(editor)) == [world["home_plan"]]
    assert list(Milestone.objects.editable_by(editor)) == [world["home_milestone"]]
    make_update(milestone=world["other_milestone"])
    mine = make_update(milestone=world["home_milestone"])
    assert list(ProgressUpdate.objects.editable_by(editor)) == [mine]
    make_observation(jurisdiction=world["other"])
    own_obs = make_observation(jurisdiction=world["city"])
    assert list(Observation.objects.editable_by(editor)) == [own_obs]


# --- Admin ----------------------------------------------------------------------------


def plan_form(plan_or_none, jurisdiction, **overrides):
    data = {
        "title": "虛構規劃",
        "title_en": "Fictional Plan",
        "slug": "fictional-plan-form",
        "jurisdiction": jurisdiction.pk,
        "kind": "plan",
        "issuing_body": "虛構省人民政府",
        "issued_on": "2021-03-25",
        "start_year": "2021",
        "end_year": "2022",
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "1000",
    }
    if plan_or_none is not None:
        plan = plan_or_none
        data.update(
            title=plan.title,
            title_en=plan.title_en,
            slug=plan.slug,
            issuing_body=plan.issuing_body,
            issued_on=plan.issued_on.isoformat(),
            start_year=str(plan.start_year),
            end_year=str(plan.end_year),
        )
    data.update(overrides)
    return data


def test_admin_list_shows_only_the_editors_plans(editor_client, world):
    page = editor_client.get("/en/admin/plans/plan/").content.decode()
    assert "虛構本省規劃" in page
    assert "虛構他省規劃" not in page


def test_admin_change_page_of_another_province_redirects(editor_client, world):
    url = reverse("admin:plans_plan_change", args=[world["other_plan"].pk])
    response = editor_client.get(url)
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_admin_post_to_another_provinces_plan_changes_nothing(editor_client, world):
    plan = world["other_plan"]
    before = snapshot(plan)
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    response = editor_client.post(url, plan_form(plan, world["other"], title="改寫"))
    assert response.status_code == 302
    assert snapshot(plan) == before


def test_admin_cannot_move_a_plan_to_another_province(editor_client, world):
    plan = world["home_plan"]
    before = snapshot(plan)
    with translation.override("en"):  # the admin in English: its message checked below
        url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = plan_form(plan, world["other"])
    data.update(
        {
            "milestones-TOTAL_FORMS": "1",
            "milestones-INITIAL_FORMS": "1",
            "milestones-0-id": world["home_milestone"].pk,
            "milestones-0-plan": plan.pk,
            "milestones-0-position": "0",
            "milestones-0-kind": "qualitative",
            "milestones-0-weight": "1",
            "milestones-0-statement": world["home_milestone"].statement,
            "milestones-0-start_date": "2021-01-01",
            "milestones-0-deadline": "2022-12-31",
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert snapshot(plan) == before


def test_admin_cannot_add_a_plan_in_another_province(editor_client, world):
    response = editor_client.post("/en/admin/plans/plan/add/", plan_form(None, world["other"]))
    assert response.status_code == 200
    assert not Plan.objects.filter(slug="fictional-plan-form").exists()
    # In the editor's own city it works.
    response = editor_client.post("/en/admin/plans/plan/add/", plan_form(None, world["city"]))
    assert response.status_code == 302
    assert Plan.objects.get(slug="fictional-plan-form").jurisdiction == world["city"]


def test_admin_save_as_new_into_another_province_is_refused(editor_client, world):
    plan = world["home_plan"]
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = plan_form(plan, world["other"], slug="fictional-copy", _saveasnew="1")
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert not Plan.objects.filter(slug="fictional-copy").exists()


def test_admin_save_as_new_from_another_provinces_plan_is_refused(editor_client, world):
    plan = world["other_plan"]
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = plan_form(plan, world["home"], slug="fictional-copy", _saveasnew="1")
    editor_client.post(url, data)
    # Save-as-new is an add: the copy may land in the editor's own province only.
    copy = Plan.objects.filter(slug="fictional-copy").first()
    assert copy is None or copy.jurisdiction == world["home"]
    assert Plan.objects.filter(jurisdiction=world["other"]).count() == 1


def test_admin_inline_cannot_reach_another_provinces_milestone(editor_client, world):
    plan = world["home_plan"]
    foreign = world["other_milestone"]
    before = snapshot(foreign)
    data = plan_form(plan, world["home"])
    data.update(
        {
            "milestones-TOTAL_FORMS": "1",
            "milestones-INITIAL_FORMS": "1",
            "milestones-0-id": foreign.pk,
            "milestones-0-plan": plan.pk,
            "milestones-0-position": "0",
            "milestones-0-kind": "qualitative",
            "milestones-0-weight": "1",
            "milestones-0-statement": "被篡改",
            "milestones-0-start_date": "2021-01-01",
            "milestones-0-deadline": "2022-12-31",
        }
    )
    editor_client.post(reverse("admin:plans_plan_change", args=[plan.pk]), data)
    assert snapshot(foreign) == before
    assert not Milestone.objects.filter(statement="被篡改").exists()


def test_admin_update_inline_cannot_attach_to_another_provinces_milestone(editor_client, world):
    milestone = world["home_milestone"]
    source = make_source()
    data = {
        "plan": world["other_plan"].pk,  # the milestone itself moved to another province
        "position": "0",
        "statement": milestone.statement,
        "start_date": "2021-01-01",
        "deadline": "2022-12-31",
        "kind": "qualitative",
        "weight": "1",
        "updates-TOTAL_FORMS": "1",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
        "updates-0-as_of": "2022-06-30",
        "updates-0-percent_complete": "40",
        "updates-0-sources": [source.pk],
    }
    url = reverse("admin:plans_milestone_change", args=[milestone.pk])
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert Milestone.objects.get(pk=milestone.pk).plan == world["home_plan"]
    assert not ProgressUpdate.objects.exists()


def test_admin_delete_of_another_provinces_plan_is_refused(editor_client, world):
    plan = world["other_plan"]
    editor_client.post(reverse("admin:plans_plan_delete", args=[plan.pk]), {"post": "yes"})
    editor_client.post(
        "/en/admin/plans/plan/",
        {"action": "delete_selected", "_selected_action": [plan.pk], "post": "yes"},
    )
    assert Plan.objects.filter(pk=plan.pk).exists()


def test_admin_history_of_another_provinces_plan_is_hidden(editor_client, world):
    response = editor_client.get(reverse("admin:plans_plan_history", args=[world["other_plan"].pk]))
    assert response.status_code == 302


def test_admin_revert_of_another_provinces_plan_is_refused(editor_client, world):
    plan = world["other_plan"]
    version = plan.history.first()
    before = snapshot(plan)
    url = reverse("admin:plans_plan_simple_history", args=[plan.pk, version.history_id])
    editor_client.post(url, plan_form(plan, world["home"], title="改寫"))
    assert snapshot(plan) == before


def test_jurisdiction_autocomplete_offers_the_editors_jurisdictions_only(editor_client, world):
    response = editor_client.get(
        "/en/admin/autocomplete/",
        {"app_label": "plans", "model_name": "plan", "field_name": "jurisdiction", "term": ""},
    )
    ids = {int(r["id"]) for r in response.json()["results"]}
    assert world["home"].pk in ids and world["city"].pk in ids
    assert world["other"].pk not in ids


def test_provincial_editor_cannot_change_reference_data(editor_client, world):
    url = reverse("admin:plans_jurisdiction_change", args=[world["other"].pk])
    before = snapshot(world["other"])
    editor_client.post(
        url,
        {
            "code": world["other"].code,
            "level": "provincial",
            "name_zh_hant": "改",
            "name_zh_hans": "改",
            "name_en": "Changed",
        },  # fmt: skip
    )
    assert snapshot(world["other"]) == before
    assert editor_client.get("/en/admin/plans/jurisdiction/add/").status_code == 403
    # Sources: any editor may add one to cite it.
    assert editor_client.get("/en/admin/plans/source/add/").status_code == 200


def test_provincial_editor_cannot_see_the_editor_screen(editor_client):
    assert editor_client.get("/en/admin/plans/editor/").status_code == 403


# --- Import ---------------------------------------------------------------------------


def plan_csv(*rows):
    resource = PlanResource()
    header = ",".join(resource.get_export_headers())
    return "\n".join([header, *rows]) + "\n"


def plan_row(slug, jurisdiction, title="虛構匯入規劃"):
    return f"{slug},{jurisdiction.code},{title},,虛構省人民政府,,plan,2021-01-01,2021,2022,,,"


def import_as(user, text):
    resource = PlanResource(user=user)
    dataset = CSV().create_dataset(text)
    return resource.import_data(dataset, dry_run=False, user=user)


def test_import_row_for_another_provinces_plan_is_refused(world):
    other_plan = world["other_plan"]
    before = snapshot(other_plan)
    result = import_as(world["editor"], plan_csv(plan_row(other_plan.slug, world["other"], "改寫")))
    assert result.has_validation_errors()
    assert snapshot(other_plan) == before


def test_import_row_taking_another_provinces_plan_is_refused(world):
    other_plan = world["other_plan"]
    before = snapshot(other_plan)
    result = import_as(world["editor"], plan_csv(plan_row(other_plan.slug, world["home"])))
    assert result.has_validation_errors()
    assert snapshot(other_plan) == before


def test_import_file_with_one_foreign_row_writes_nothing(world):
    text = plan_csv(
        plan_row("fictional-import-ok", world["home"]),
        plan_row("fictional-import-foreign", world["other"]),
    )
    result = import_as(world["editor"], text)
    assert [row.number for row in result.invalid_rows] == [2]
    assert not Plan.objects.filter(slug__startswith="fictional-import").exists()


def test_import_through_the_admin_is_scoped(editor_client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "plans.csv", plan_csv(plan_row("fictional-import-foreign", world["other"])).encode()
    )
    response = editor_client.post(
        "/en/admin/plans/plan/import/",
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    assert response.status_code == 200
    assert "You may only edit the jurisdictions assigned to you." in response.content.decode()
    assert not Plan.objects.filter(slug="fictional-import-foreign").exists()


# --- API (the pieces the API engineer plugs in) -----------------------------------------


@pytest.fixture
def api(world, settings):
    settings.ROOT_URLCONF = "tests.editor_api"
    client = APIClient()
    client.force_authenticate(world["editor"])
    return client


def test_api_patch_of_another_provinces_plan_is_403_and_changes_nothing(api, world):
    plan = world["other_plan"]
    before = snapshot(plan)
    response = api.patch(f"/api/plans/{plan.pk}/", {"title": "改寫"}, format="json")
    assert response.status_code == 403
    assert snapshot(plan) == before


def test_api_cannot_move_own_plan_to_another_province(api, world):
    plan = world["home_plan"]
    before = snapshot(plan)
    response = api.patch(
        f"/api/plans/{plan.pk}/", {"jurisdiction": world["other"].pk}, format="json"
    )
    assert response.status_code == 403
    # In the default language, zh-hant: "You may only edit the jurisdictions assigned to you."
    assert response.json()["detail"] == "您只能編輯指派給您的行政區。"
    assert snapshot(plan) == before


def test_api_cannot_create_a_milestone_in_another_province(api, world):
    response = api.post(
        "/api/milestones/",
        {
            "plan": world["other_plan"].pk,
            "statement": "虛構",
            "start_date": "2021-01-01",
            "deadline": "2022-12-31",
            "kind": "qualitative",
        },  # fmt: skip
        format="json",
    )
    assert response.status_code == 403
    assert Milestone.objects.count() == 2


def test_api_delete_and_update_refused_outside_scope(api, world):
    update = make_update(milestone=world["other_milestone"])
    assert api.delete(f"/api/updates/{update.pk}/").status_code == 403
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()
    observation = make_observation(jurisdiction=world["other"])
    response = api.patch(f"/api/observations/{observation.pk}/", {"value": "1"}, format="json")
    assert response.status_code == 403


def test_api_editor_writes_within_scope(api, world):
    plan = world["home_plan"]
    response = api.patch(f"/api/plans/{plan.pk}/", {"title": "虛構新標題"}, format="json")
    assert response.status_code == 200
    assert Plan.objects.get(pk=plan.pk).title == "虛構新標題"
    response = api.post(
        "/api/updates/",
        {
            "milestone": world["home_milestone"].pk,
            "as_of": "2022-06-30",
            "percent_complete": "40",
            "sources": [make_source().pk],
        },  # fmt: skip
        format="json",
    )
    assert response.status_code == 201
    assert ProgressUpdate.objects.get().author == world["editor"]


def test_api_anonymous_reads_but_cannot_write(world, settings):
    settings.ROOT_URLCONF = "tests.editor_api"
    client = APIClient()
    plan = world["home_plan"]
    assert client.get(f"/api/plans/{plan.pk}/").status_code == 200
    assert client.patch(f"/api/plans/{plan.pk}/", {"title": "x"}, format="json").status_code in (
        401,
        403,
    )
    assert Plan.objects.get(pk=plan.pk).title == plan.title


def test_api_staff_without_scope_cannot_write(world, settings):
    settings.ROOT_URLCONF = "tests.editor_api"
    client = APIClient()
    client.force_authenticate(make_user(is_staff=True))
    response = client.patch(f"/api/plans/{world['home_plan'].pk}/", {"title": "x"}, format="json")
    assert response.status_code == 403


# --- Assigning editors ----------------------------------------------------------------


def test_assign_editor_command(world):
    user = make_user("fictional-editor")
    out = StringIO()
    call_command(
        "assign_editor", "fictional-editor", world["home"].code, world["city"].code, stdout=out
    )
    user.refresh_from_db()
    assert user.is_staff
    assert user.groups.filter(name="editors").exists()
    assert set(Editor.objects.get(user=user).jurisdictions.all()) == {world["home"], world["city"]}
    assert user.has_perm("plans.change_plan")
    call_command("assign_editor", "fictional-editor", world["other"].code, "--replace", stdout=out)
    assert set(Editor.objects.get(user=user).jurisdictions.all()) == {world["other"]}


def test_assign_editor_refuses_unknown_user_or_code(world):
    make_user("fictional-editor")
    with pytest.raises(CommandError, match="No user"):
        call_command("assign_editor", "nobody", world["home"].code)
    with pytest.raises(CommandError, match="No jurisdiction with code 999999"):
        call_command("assign_editor", "fictional-editor", "999999")
    assert not Editor.objects.filter(user__username="fictional-editor").exists()


def test_superuser_assigns_editors_in_the_admin(admin_client, world):
    user = make_user("fictional-new-editor")
    response = admin_client.post(
        "/en/admin/plans/editor/add/", {"user": user.pk, "jurisdictions": [world["other"].pk]}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_staff and user.has_perm("plans.change_plan")
    assert list(Jurisdiction.objects.editable_by(user)) == [world["other"]]
