"""Candidate milestones drafted from a plan's text, tested on the source document."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from plans.drafting import chinese_number, draft_milestones, find_deadlines
from plans.models import Milestone, Plan
from tests.factories import make_editor, make_jurisdiction, make_plan

SOURCE = (
    Path(__file__).resolve().parent.parent / "plans/data/source-report-excerpt.txt"
).read_text(encoding="utf-8")
D = datetime.date


def paragraph(marker: str) -> str:
    return next(line for line in SOURCE.splitlines() if marker in line)


def brief(candidates):
    return [(c["deadline"], c["kind"], c["statement"]) for c in candidates]


def test_anhui_two_stages():
    text = paragraph("安徽省人民政府發布")
    anhui = [c for c in draft_milestones(text) if "政府”" in c["statement"]]
    assert brief(anhui) == [
        (D(2022, 12, 31), "qualitative",
         "建成政府對外服務一體化、內部協同一體化、線上線下一體化的“線上政府”"),
        (D(2025, 12, 31), "qualitative", "建成智能化治理、智慧化服務的“智慧政府”"),
    ]  # fmt: skip
    assert [c["deadline_phrase"] for c in anhui] == ["到2022年底", "到2025年底"]


def test_zhejiang_end_2022_goals():
    text = paragraph("浙江省召開全省數字化改革大會")
    zhejiang = [c for c in draft_milestones(text) if c["deadline_phrase"] == "到2022年底前"]
    assert brief(zhejiang) == [
        (D(2022, 12, 31), "qualitative",
         "以年度工作目標為核心的各項業務實現跨業務、跨層級、跨部門高效協同"),
        (D(2022, 12, 31), "qualitative", "數字政府綜合應用更加成熟定型"),
        (D(2022, 12, 31), "qualitative", "形成一批標志性應用場景"),
    ]  # fmt: skip


def test_the_publication_date_and_the_period_in_a_title_are_not_deadlines():
    # "2020年10月24日" (issued) and "(2020-2025年)" in the title are no deadlines.
    deadlines = find_deadlines(paragraph("安徽省人民政府發布"))
    assert [d.date for d in deadlines] == [D(2022, 12, 31), D(2025, 12, 31), D(2022, 12, 31)]


def test_as_of_dates_are_not_deadlines():
    text = paragraph("截至2020年11月底")
    assert find_deadlines(text) == []
    assert draft_milestones(text) == []


def test_guangdong_30_tasks_of_an_annual_programme():
    candidates = draft_milestones(paragraph("廣東省人民政府辦公廳"))
    tasks = candidates[0]
    assert tasks["kind"] == "quantitative"
    assert tasks["target_value"] == Decimal(30)
    assert tasks["baseline_value"] == Decimal(0)
    assert tasks["unit"] == "項工作任務"
    assert tasks["deadline"] == D(2021, 12, 31)  # the programme's year
    goals = candidates[1:]
    assert [c["deadline"] for c in goals] == [D(2021, 12, 31)] * 2
    assert goals[0]["statement"].startswith("全力打造‘泛在普惠’的政務服務體系")
    assert goals[1]["statement"].startswith("初步構建以粵治慧為核心平臺")


def test_henan_annual_programme_tasks_are_due_at_the_end_of_its_year():
    candidates = draft_milestones(paragraph("河南省發改委"))
    statements = [c["statement"] for c in candidates]
    assert any(s.startswith("完善政務服務、數據管理") for s in statements)
    assert any(s.startswith("推進一體化政務服務平臺") for s in statements)
    assert any(s.startswith("加快實現省級政務云與地市政務云") for s in statements)
    assert {c["deadline"] for c in candidates} == {D(2021, 12, 31)}


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("到2022年底,建成平臺。", D(2022, 12, 31)),
        ("2025年底前完成改造。", D(2025, 12, 31)),
        ("2021年內完成改造。", D(2021, 12, 31)),
        ("到2023年6月底,實現全覆蓋。", D(2023, 6, 30)),
        ("2024年2月底前實現全覆蓋。", D(2024, 2, 29)),
        ("2022年上半年完成試點。", D(2022, 6, 30)),
        ("力爭2025年前建成全省一體化平臺。", D(2025, 12, 31)),
        ("到2030年,基本建成數字政府。", D(2030, 12, 31)),
        ("2022年9月30日前完成驗收。", D(2022, 9, 30)),
    ],
)
def test_deadline_phrases(text, deadline):
    (candidate,) = draft_milestones(text)
    assert candidate["deadline"] == deadline


def test_chinese_counts():
    assert chinese_number("三十") == 30
    assert chinese_number("十二") == 12
    assert chinese_number("一百零五") == 105
    (candidate,) = draft_milestones("2021年內完成三十項重點任務。")
    assert candidate["target_value"] == Decimal(30)
    assert candidate["unit"] == "項重點任務"


def test_without_a_deadline_the_default_applies_or_none():
    assert draft_milestones("加快建設全省一體化平臺。")[0]["deadline"] is None
    drafted = draft_milestones("加快建設全省一體化平臺。", default_deadline=D(2021, 12, 31))
    assert drafted[0]["deadline"] == D(2021, 12, 31)


def test_past_statistics_and_definitions_give_no_candidate():
    assert draft_milestones(paragraph("數字政府是指")) == []
    assert draft_milestones("部分省份已出臺了數字政府規劃。") == []


# --- The admin view -------------------------------------------------------------------


@pytest.fixture
def plan_and_editor(db):
    plan = make_plan(issued_on=D(2020, 10, 24), start_year=2020, end_year=2025)
    return plan, make_editor(plan.jurisdiction)


def test_admin_reads_candidates_then_saves_the_reviewed_ones(client, plan_and_editor):
    plan, editor = plan_and_editor
    client.force_login(editor)
    url = reverse("admin:plans_plan_draft_milestones", args=[plan.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": paragraph("安徽省人民政府發布"), "_read": "1"})
    formset = response.context["formset"]
    assert len(formset.forms) == 5  # Anhui's two stages and Zhejiang's three goals
    data = {"_save": "1", "draft-TOTAL_FORMS": "2", "draft-INITIAL_FORMS": "0"}
    for i, form in enumerate(formset.forms[:2]):
        for name, value in form.initial.items():
            data[f"draft-{i}-{name}"] = "" if value is None else str(value)
        data[f"draft-{i}-include"] = "on"
    data["draft-1-statement"] = "建成「智慧政府」(已審閱)"  # the editor edits a candidate
    response = client.post(url, data)
    assert response.status_code == 302
    saved = list(Milestone.objects.filter(plan=plan).order_by("position"))
    assert [(m.deadline, m.statement) for m in saved] == [
        (D(2022, 12, 31), "建成政府對外服務一體化、內部協同一體化、線上線下一體化的“線上政府”"),
        (D(2025, 12, 31), "建成「智慧政府」(已審閱)"),
    ]
    assert all(m.start_date == plan.issued_on for m in saved)
    assert saved[0].history.get().history_user == editor


def test_admin_saves_nothing_when_one_candidate_is_invalid(client, plan_and_editor):
    plan, editor = plan_and_editor
    client.force_login(editor)
    with translation.override("en"):  # the admin in English: its message checked below
        url = reverse("admin:plans_plan_draft_milestones", args=[plan.pk])
    data = {
        "_save": "1",
        "draft-TOTAL_FORMS": "2",
        "draft-INITIAL_FORMS": "0",
        "draft-0-include": "on", "draft-0-statement": "虛構甲", "draft-0-deadline": "2022-12-31",
        "draft-0-kind": "qualitative",
        "draft-1-include": "on", "draft-1-statement": "虛構乙", "draft-1-deadline": "2019-12-31",
        "draft-1-kind": "qualitative",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert "The deadline must be after the start date." in response.content.decode()
    assert not Milestone.objects.filter(plan=plan).exists()


def test_admin_drafting_is_refused_outside_the_editors_scope(client, plan_and_editor):
    plan, _ = plan_and_editor
    client.force_login(make_editor(make_jurisdiction()))
    url = reverse("admin:plans_plan_draft_milestones", args=[plan.pk])
    assert client.get(url).status_code == 302
    data = {"_save": "1", "draft-TOTAL_FORMS": "1", "draft-INITIAL_FORMS": "0",
            "draft-0-include": "on", "draft-0-statement": "虛構", "draft-0-deadline": "2022-12-31",
            "draft-0-kind": "qualitative"}  # fmt: skip
    client.post(url, data)
    assert not Milestone.objects.filter(plan=plan).exists()
    assert Plan.objects.count() == 1


def test_plan_change_page_links_to_drafting(admin_client, plan_and_editor):
    plan, _ = plan_and_editor
    page = admin_client.get(reverse("admin:plans_plan_change", args=[plan.pk])).content.decode()
    assert reverse("admin:plans_plan_draft_milestones", args=[plan.pk]) in page


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans", "en"])
def test_drafting_and_import_pages_open_in_every_language(admin_client, plan_and_editor, language):
    plan, _ = plan_and_editor
    url = f"/{language}/admin/plans/plan/{plan.pk}/draft-milestones/"
    assert (
        admin_client.post(url, {"text": "到2022年底,建成平臺。", "_read": "1"}).status_code == 200
    )
    assert admin_client.get(f"/{language}/admin/plans/plan/import/").status_code == 200
    assert admin_client.get(f"/{language}/admin/plans/plan/{plan.pk}/history/").status_code == 200
