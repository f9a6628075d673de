"""Spreadsheet import and export: same columns both ways, a preview that writes nothing,
a bad file refused whole with row-by-row errors, formulas escaped, a template to fill."""

import datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from import_export.formats.base_formats import CSV, XLSX

from metrics.models import Observation
from metrics.resources import ObservationResource
from plans.models import Milestone, Plan, ProgressUpdate
from plans.resources import MilestoneResource, PlanResource, ProgressUpdateResource
from tests.factories import (
    make_editor,
    make_indicator,
    make_jurisdiction,
    make_milestone,
    make_observation,
    make_plan,
    make_source,
    make_update,
)

pytestmark = pytest.mark.django_db

RESOURCES = [PlanResource, MilestoneResource, ProgressUpdateResource, ObservationResource]


@pytest.mark.parametrize("resource_class", RESOURCES)
def test_import_columns_equal_export_columns(resource_class):
    resource = resource_class()
    imported = [f.column_name for f in resource.get_import_fields()]
    assert imported == resource.get_export_headers()


@pytest.fixture
def data(db):
    province = make_jurisdiction()
    plan = make_plan(jurisdiction=province, title="虛構規劃", summary='=HYPERLINK("x")')
    source = make_source()
    plan.sources.set([source])
    qualitative = make_milestone(plan=plan)
    quantitative = make_milestone(
        plan=plan, kind="quantitative", target_value=Decimal(30), unit="項工作任務"
    )
    make_update(milestone=qualitative, sources=[source], narrative="+1 虛構進展")
    make_update(milestone=quantitative, sources=[source], published_on=None)
    make_observation(
        indicator=make_indicator(), jurisdiction=province, numerator=10, denominator=32,
        value=Decimal("31.3"), source=source,
    )  # fmt: skip
    return {"province": province, "plan": plan, "editor": make_editor(province)}


def table(model):
    """Every row of a model, every field, for before/after comparisons."""
    fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("modified",)]
    return sorted(model.objects.values_list(*fields))


@pytest.mark.parametrize("file_format", [CSV, XLSX])
@pytest.mark.parametrize("resource_class", RESOURCES)
def test_an_exported_file_imports_again_unchanged(data, resource_class, file_format):
    model = resource_class._meta.model
    before = table(model)
    exported = file_format().export_data(resource_class().export(model.objects.all()))
    dataset = file_format().create_dataset(exported)
    result = resource_class(user=data["editor"]).import_data(dataset, user=data["editor"])
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == len(before)  # nothing changed, nothing rewritten
    assert table(model) == before


def test_import_creates_and_updates_rows_and_records_who(data):
    plan = data["plan"]
    csv = (
        "id,plan,parent,position,statement,statement_en,start_date,deadline,kind,"
        "baseline_value,target_value,unit,weight\n"
        f",{plan.slug},,9,虛構新目標,,,2022-12-31,qualitative,,,,1\n"
    )
    result = MilestoneResource(user=data["editor"]).import_data(
        CSV().create_dataset(csv), user=data["editor"]
    )
    assert not result.has_validation_errors(), result.invalid_rows
    milestone = Milestone.objects.get(statement="虛構新目標")
    assert milestone.start_date == plan.issued_on  # empty start: the plan's issue date
    assert milestone.history.get().history_user == data["editor"]


def test_a_file_with_a_bad_row_is_refused_whole_with_errors_per_row(data):
    plan = data["plan"]
    before = table(Milestone)
    csv = (
        "id,plan,parent,position,statement,statement_en,start_date,deadline,kind,"
        "baseline_value,target_value,unit,weight\n"
        f",{plan.slug},,7,虛構好目標,,,2022-12-31,qualitative,,,,1\n"
        f",{plan.slug},,8,虛構壞目標,,2022-01-01,2021-12-31,qualitative,,,,1\n"
        f",no-such-plan,,9,虛構目標,,,2022-12-31,quantitative,,,,1\n"
    )
    result = MilestoneResource(user=data["editor"]).import_data(
        CSV().create_dataset(csv), user=data["editor"]
    )
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(errors) == {2, 3}
    assert "deadline" in errors[2]
    assert "plan" in errors[3]
    assert table(Milestone) == before


def test_an_update_without_a_source_or_with_an_unknown_one_is_refused(data):
    milestone = Milestone.objects.filter(kind="qualitative").get()
    header = "id,milestone,as_of,percent_complete,value,delivered,narrative,narrative_en,sources,published_on\n"
    csv = (
        header
        + f",{milestone.pk},2022-09-30,60,,0,,,,\n"
        + f",{milestone.pk},2022-09-30,60,,0,,,99999,\n"
    )
    count = ProgressUpdate.objects.count()
    result = ProgressUpdateResource(user=data["editor"]).import_data(
        CSV().create_dataset(csv), user=data["editor"]
    )
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert "sources" in errors[1] and "sources" in errors[2]
    # In the default language, zh-hant: "No source with id 99999."
    assert "沒有ID為99999的來源。" in errors[2]["sources"]
    assert ProgressUpdate.objects.count() == count


def test_an_imported_update_gets_its_author_and_history(data):
    milestone = Milestone.objects.filter(kind="qualitative").get()
    source = make_source()
    header = "id,milestone,as_of,percent_complete,value,delivered,narrative,narrative_en,sources,published_on\n"
    csv = header + f",{milestone.pk},2022-09-30,60,,0,虛構,,{source.pk},\n"
    result = ProgressUpdateResource(user=data["editor"]).import_data(
        CSV().create_dataset(csv), user=data["editor"]
    )
    assert not result.has_validation_errors(), result.invalid_rows
    update = ProgressUpdate.objects.get(narrative="虛構")
    assert update.author == data["editor"]
    assert list(update.sources.all()) == [source]
    assert update.published_on is None  # imported as a draft unless a date is given
    assert {h.history_user for h in update.history.all()} == {data["editor"]}


def test_observation_import_computes_the_percentage(data):
    obs = Observation.objects.get()
    csv = (
        "indicator,jurisdiction,as_of,value,numerator,denominator,source,note\n"
        f"{obs.indicator.slug},{obs.jurisdiction.code},2021-11-30,,16,32,{obs.source_id},\n"
    )
    result = ObservationResource(user=data["editor"]).import_data(
        CSV().create_dataset(csv), user=data["editor"]
    )
    assert not result.has_validation_errors(), result.invalid_rows
    assert Observation.objects.get(as_of=datetime.date(2021, 11, 30)).value == Decimal("50.0")


def test_formulas_are_escaped_in_exports_and_restored_on_import(data):
    exported = CSV().export_data(PlanResource().export(Plan.objects.all()))
    assert "'=HYPERLINK" in exported
    assert ",=HYPERLINK" not in exported
    xlsx = XLSX().export_data(ProgressUpdateResource().export(ProgressUpdate.objects.all()))
    sheet = openpyxl.load_workbook(BytesIO(xlsx)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'+1 虛構進展" in values
    assert not any(isinstance(v, str) and v.startswith(("=", "+")) for v in values)
    # Importing the file back gives the original text.
    PlanResource(user=data["editor"]).import_data(
        CSV().create_dataset(exported), user=data["editor"]
    )
    assert Plan.objects.get().summary == '=HYPERLINK("x")'


# --- In the admin ---------------------------------------------------------------------


@pytest.fixture
def editor_client(client, data):
    client.force_login(data["editor"])
    return client


def upload(name, text):
    return SimpleUploadedFile(name, text.encode())


def test_admin_import_previews_without_writing_then_confirms(editor_client, data):
    plan = data["plan"]
    csv = (
        "id,plan,parent,position,statement,statement_en,start_date,deadline,kind,"
        "baseline_value,target_value,unit,weight\n"
        f",{plan.slug},,9,虛構預覽目標,,,2022-12-31,qualitative,,,,1\n"
    )
    response = editor_client.post(
        "/en/admin/plans/milestone/import/",
        {"import_file": upload("m.csv", csv), "format": "0", "resource": "0"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "虛構預覽目標" in page  # the preview
    assert "Confirm import" in page
    assert not Milestone.objects.filter(statement="虛構預覽目標").exists()
    confirm = response.context["confirm_form"]
    response = editor_client.post(
        "/en/admin/plans/milestone/process_import/",
        {**confirm.initial, "resource": "0"},
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(statement="虛構預覽目標")
    assert milestone.history.get().history_user == data["editor"]


def test_admin_import_with_a_bad_row_lists_errors_and_offers_no_confirm(editor_client, data):
    csv = (
        "id,plan,parent,position,statement,statement_en,start_date,deadline,kind,"
        "baseline_value,target_value,unit,weight\n"
        f",{data['plan'].slug},,9,虛構匯入目標,,,2022-12-31,qualitative,,,,1\n"
        f",{data['plan'].slug},,9,虛構匯入目標二,,,2022-12-31,quantitative,,,,1\n"
    )
    response = editor_client.post(
        "/en/admin/plans/milestone/import/",
        {"import_file": upload("m.csv", csv), "format": "0", "resource": "0"},
    )
    page = response.content.decode()
    assert "A quantitative milestone needs a target value." in page
    assert "Confirm import" not in page
    assert not Milestone.objects.filter(statement__startswith="虛構匯入目標").exists()


def test_admin_export_is_scoped_to_the_editor(editor_client, data):
    make_plan(jurisdiction=make_jurisdiction(), title="虛構他省規劃")
    response = editor_client.post("/en/admin/plans/plan/export/", {"format": "0", "resource": "0",
                                  **{f"planresource_{f}": "on" for f in PlanResource().get_export_headers()}})  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200
    assert "虛構規劃" in body
    assert "虛構他省規劃" not in body


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_admin_offers_a_template_file(editor_client, extension):
    response = editor_client.get(f"/en/admin/plans/progressupdate/import-template.{extension}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    dataset = (CSV if extension == "csv" else XLSX)().create_dataset(
        response.content if extension == "xlsx" else response.content.decode()
    )
    assert dataset.headers == ProgressUpdateResource().get_export_headers()
    assert len(dataset) == 0


def test_import_page_links_the_templates(editor_client):
    page = editor_client.get("/en/admin/plans/plan/import/").content.decode()
    assert "import-template.csv" in page and "import-template.xlsx" in page


@pytest.mark.parametrize(
    "resource_class", [PlanResource, MilestoneResource, ProgressUpdateResource]
)
def test_a_row_saved_by_someone_else_after_the_export_is_refused(data, resource_class):
    """A file exported before another editor's save would undo it: the import loads the
    row as it is now, so only the file's version column can tell. The file is refused
    whole and the other editor's change stays."""
    model = resource_class._meta.model
    text = {Plan: "title", Milestone: "statement", ProgressUpdate: "narrative"}[model]
    exported = CSV().export_data(resource_class().export(model.objects.order_by("pk")))
    row = model.objects.order_by("pk").first()
    setattr(row, text, "他人後來的修改")
    row.save()  # someone else's edit: the version moves on
    dataset = CSV().create_dataset(exported)
    dataset[0] = tuple(  # the old file's own change to that row
        "舊檔案的修改" if header == text else value
        for header, value in zip(dataset.headers, dataset[0], strict=True)
    )
    before = table(model)
    result = resource_class(user=data["editor"]).import_data(dataset, user=data["editor"])
    assert result.has_validation_errors()
    errors = result.invalid_rows[0].error_dict
    assert "version" in errors and "匯出後已由他人儲存" in str(errors["version"])  # zh-hant
    assert table(model) == before


def test_an_exported_file_with_its_changes_imports_and_again_is_skipped(data):
    """The version column does not get in the way of the usual round: export, change,
    import; importing the same file again skips the rows it already wrote."""
    exported = CSV().export_data(PlanResource().export(Plan.objects.all()))
    dataset = CSV().create_dataset(exported)
    dataset[0] = tuple(
        "虛構規劃（修訂）" if header == "title" else value
        for header, value in zip(dataset.headers, dataset[0], strict=True)
    )
    first = PlanResource(user=data["editor"]).import_data(dataset, user=data["editor"])
    assert not first.has_validation_errors(), first.invalid_rows
    assert Plan.objects.get().title == "虛構規劃（修訂）"
    again = PlanResource(user=data["editor"]).import_data(dataset, user=data["editor"])
    assert not again.has_validation_errors(), again.invalid_rows
    assert again.totals["skip"] == 1
