import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from metrics.models import Indicator, Observation
from plans.models import Jurisdiction, Milestone, Plan, ProgressUpdate, Source
from plans.services import source_data_load

pytestmark = pytest.mark.django_db


def snapshot():
    """Every loaded row with every field, to compare two runs."""
    models = [Jurisdiction, Source, Plan, Milestone, Indicator, Observation]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def test_loads_the_65_reference_jurisdictions(source_data):
    assert Jurisdiction.objects.count() == 65
    assert Jurisdiction.objects.filter(level="provincial").count() == 32
    assert Jurisdiction.objects.filter(level="key_city").count() == 32
    corps = Jurisdiction.objects.get(code="660000")
    assert corps.name_zh_hant == "新疆生產建設兵團"
    assert corps.parent.code == "CN"
    assert Jurisdiction.objects.get(code="440300").parent.code == "440000"


def test_loads_the_four_plans_with_their_issue_dates(source_data):
    issued = dict(Plan.objects.values_list("jurisdiction__code", "issued_on"))
    assert issued == {
        "340000": datetime.date(2020, 10, 24),
        "330000": datetime.date(2021, 2, 18),
        "410000": datetime.date(2021, 3, 15),
        "440000": datetime.date(2021, 3, 25),
    }
    anhui = Plan.objects.get(jurisdiction__code="340000")
    assert (anhui.start_year, anhui.end_year) == (2020, 2025)
    assert anhui.issuing_body == "安徽省人民政府"


def test_milestones_carry_the_source_deadlines(source_data):
    deadlines = {
        code: sorted(
            Milestone.objects.filter(plan__jurisdiction__code=code).values_list(
                "deadline", flat=True
            )
        )
        for code in ["340000", "330000", "410000", "440000"]
    }
    assert deadlines["340000"] == [datetime.date(2022, 12, 31), datetime.date(2025, 12, 31)]
    assert deadlines["330000"] == [datetime.date(2022, 12, 31)] * 3
    assert deadlines["410000"] == [datetime.date(2021, 12, 31)] * 3
    assert deadlines["440000"] == [datetime.date(2021, 12, 31)] * 3
    # Every milestone starts on its plan's issue date.
    for milestone in Milestone.objects.select_related("plan"):
        assert milestone.start_date == milestone.plan.issued_on


def test_guangdong_has_a_quantitative_target_of_30_tasks(source_data):
    tasks = Milestone.objects.get(plan__jurisdiction__code="440000", kind="quantitative")
    assert tasks.baseline_value == 0
    assert tasks.target_value == 30
    assert "30項工作任務" in tasks.statement


def test_observations_have_exact_half_up_percentages(source_data):
    assert Observation.objects.count() == 7
    shares = {
        o.indicator.slug: (o.numerator, o.denominator, o.value, o.as_of)
        for o in Observation.objects.select_related("indicator").filter(numerator__isnull=False)
    }
    nov_2020 = datetime.date(2020, 11, 30)
    assert shares == {
        "provincial-data-agencies": (23, 32, Decimal("71.9"), nov_2020),
        "key-city-data-agencies": (31, 32, Decimal("96.9"), nov_2020),
        "provincial-digital-government-plans": (16, 32, Decimal("50.0"), nov_2020),
        "key-city-digital-government-plans": (10, 32, Decimal("31.3"), nov_2020),
    }
    counts = dict(
        Observation.objects.filter(numerator__isnull=True).values_list("indicator__slug", "value")
    )
    assert counts == {
        "provincial-platforms-three-levels": 31,
        "platforms-five-levels": 21,
        "one-thing-service-zones": 29,
    }
    assert set(Observation.objects.values_list("as_of", flat=True)) == {
        datetime.date(2019, 12, 31),
        nov_2020,
    }


def test_every_record_cites_the_source_report(source_data):
    report = Source.objects.get()
    assert report.publisher == "中研普華產業研究院"
    assert all(plan.sources.filter(pk=report.pk).exists() for plan in Plan.objects.all())
    assert not Observation.objects.exclude(source=report).exists()
    assert all(i.sources.filter(pk=report.pk).exists() for i in Indicator.objects.all())


def test_no_progress_is_invented_for_real_plans(source_data):
    assert ProgressUpdate.objects.count() == 0


def test_loading_twice_changes_nothing(source_data):
    before = snapshot()
    counts = source_data_load()
    assert not any(key.endswith("created") or key.endswith("updated") for key in counts)
    assert snapshot() == before


def test_loader_keeps_editor_corrections_unless_asked_to_update(source_data):
    plan = Plan.objects.get(slug="anhui-digital-government-2020-2025")
    plan.summary_en = "Corrected by an editor."
    plan.save()
    call_command("load_source_data", stdout=io.StringIO())
    plan.refresh_from_db()
    assert plan.summary_en == "Corrected by an editor."
    call_command("load_source_data", "--update", stdout=io.StringIO())
    plan.refresh_from_db()
    assert plan.summary_en.startswith("An “online government”")
