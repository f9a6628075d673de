"""Synthetic data (plans/synthetic.py): the small scale, as the command loads it."""

import datetime
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from govtracker.numbers import percent_of
from metrics.models import Indicator, IndicatorTarget, Observation
from plans import synthetic
from plans.models import Editor, Jurisdiction, Milestone, Plan, ProgressUpdate, Source
from plans.progress import Status

SMALL = synthetic.SCALES["small"]
pytestmark = pytest.mark.django_db


def synthetic_plans():
    return Plan.objects.filter(jurisdiction__in=synthetic.synthetic_jurisdictions())


def synthetic_milestones():
    return Milestone.objects.filter(plan__in=synthetic_plans())


def synthetic_updates():
    return ProgressUpdate.objects.filter(milestone__in=synthetic_milestones())


def generate(seed: int = 1) -> None:
    call_command(
        "generate_synthetic_data", "--scale", "small", "--seed", str(seed), "--no-progress",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )  # fmt: skip


def content() -> dict[str, list]:
    """The synthetic data by natural keys (ids differ from one load to the next)."""
    return {
        "jurisdictions": sorted(
            synthetic.synthetic_jurisdictions().values_list(
                "code", "level", "parent__code", "name_zh_hant", "name_zh_hans", "name_en"
            )
        ),
        "plans": sorted(
            synthetic_plans().values_list(
                "slug", "title", "title_en", "jurisdiction__code", "kind", "issued_on",
                "start_year", "end_year",
            )
        ),
        "milestones": sorted(
            synthetic_milestones().values_list(
                "plan__slug", "position", "parent__position", "statement", "start_date",
                "deadline", "kind", "baseline_value", "target_value", "unit", "weight",
            )
        ),
        "updates": sorted(
            synthetic_updates().values_list(
                "milestone__plan__slug", "milestone__position", "as_of", "percent_complete",
                "value", "delivered", "published_on", "sources__title",
            ),
            key=repr,
        ),
        "observations": sorted(
            Observation.objects.filter(indicator__in=synthetic.synthetic_indicators()).values_list(
                "indicator__slug", "jurisdiction__code", "as_of", "value", "numerator",
                "denominator", "source__title",
            ),
            key=repr,
        ),
        "targets": sorted(
            IndicatorTarget.objects.filter(
                indicator__in=synthetic.synthetic_indicators()
            ).values_list("indicator__slug", "jurisdiction__code", "due_on", "value"),
        ),
    }  # fmt: skip


def real_data() -> dict[str, list]:
    """Every row that is not synthetic, whole."""
    places = synthetic.synthetic_jurisdictions()
    indicators = synthetic.synthetic_indicators()
    querysets = {
        "jurisdictions": Jurisdiction.objects.exclude(pk__in=places),
        "plans": Plan.objects.exclude(jurisdiction__in=places),
        "milestones": Milestone.objects.exclude(plan__jurisdiction__in=places),
        "updates": ProgressUpdate.objects.exclude(milestone__plan__jurisdiction__in=places),
        "sources": Source.objects.exclude(publisher=synthetic.SYNTHETIC_PUBLISHER),
        "indicators": Indicator.objects.exclude(pk__in=indicators),
        "observations": Observation.objects.exclude(jurisdiction__in=places).exclude(
            indicator__in=indicators
        ),
    }
    return {name: list(qs.order_by("pk").values()) for name, qs in querysets.items()}


@pytest.fixture
def small(source_data):
    generate()


def test_small_scale_counts(small):
    levels = Counter(synthetic.synthetic_jurisdictions().values_list("level", flat=True))
    assert levels == {"provincial": 2, "prefecture": 4, "county": 24}
    assert synthetic_plans().count() == SMALL.plans == 60
    assert synthetic_milestones().count() == SMALL.milestones == 600
    assert synthetic_updates().count() == SMALL.updates == 3000
    assert synthetic.synthetic_indicators().count() == len(synthetic.INDICATORS)
    assert Observation.objects.filter(jurisdiction__code__startswith="FX").count() == (
        len(synthetic.INDICATORS) * 30 * len(synthetic.OBSERVATION_YEARS)
    )
    assert IndicatorTarget.objects.filter(jurisdiction__code__startswith="FX").count() == (
        len(synthetic.INDICATORS) * 30 * len(synthetic.TARGET_DATES)
    )
    # The real data is still there beside it.
    assert Jurisdiction.objects.exclude(code__startswith="FX").count() == 65
    assert Plan.objects.exclude(slug__startswith="fictional-").count() == 4


def test_small_scale_has_the_variety_the_benchmarks_need(small):
    milestones = synthetic_milestones()
    assert milestones.filter(parent__isnull=False).exists()
    assert set(milestones.values_list("kind", flat=True)) == set(Milestone.Kind.values)
    assert milestones.exclude(weight=1).exists()
    updates = synthetic_updates()
    assert updates.filter(percent_complete__isnull=False).exists()
    assert updates.filter(value__isnull=False).exists()
    assert updates.filter(delivered=True).exists()
    assert updates.drafts().exists()
    assert updates.scheduled().exists()
    assert updates.published().count() > 0.9 * updates.count()
    assert updates.filter(author__isnull=False).count() == 0
    # Every update cites exactly one source, a fictional one.
    cited = Counter(updates.annotate(n=Count("sources")).values_list("n", flat=True))
    assert cited == {1: 3000}
    assert not updates.exclude(sources__publisher=synthetic.SYNTHETIC_PUBLISHER).exists()
    assert Observation.objects.filter(
        jurisdiction__code__startswith="FX", numerator__isnull=False
    ).exists()


def test_every_status_of_the_progress_tracker_occurs(small):
    # As the public pages see it: published updates only, on the reference date.
    statuses = Counter(
        synthetic_milestones()
        .with_status(synthetic.REFERENCE_DATE)
        .values_list("status", flat=True)
    )
    assert set(statuses) == set(Status.values), statuses
    top_level = Counter(
        synthetic_milestones()
        .top_level()
        .with_status(synthetic.REFERENCE_DATE, include_unpublished=True)
        .values_list("status", flat=True)
    )
    assert set(top_level) == set(Status.values), top_level


def test_every_row_satisfies_the_model_rules(small):
    querysets = [
        synthetic.synthetic_jurisdictions(),
        synthetic_plans(),
        synthetic_milestones().select_related("plan", "parent"),
        synthetic_updates().select_related("milestone"),
        Observation.objects.filter(jurisdiction__code__startswith="FX").select_related("indicator"),
        IndicatorTarget.objects.filter(jurisdiction__code__startswith="FX").select_related(
            "indicator"
        ),
        synthetic.synthetic_indicators(),
        synthetic.synthetic_sources(),
    ]
    for queryset in querysets:
        for n, obj in enumerate(queryset):
            before = getattr(obj, "value", None)
            # The database enforced its unique and check constraints as the rows went in;
            # checking them again in Python for a sample keeps the test quick.
            obj.full_clean(validate_unique=n % 10 == 0, validate_constraints=n % 10 == 0)
            if isinstance(obj, Observation):
                # clean() derives the percentage; the generated one already agrees.
                assert obj.value == before
                if obj.numerator is not None:
                    assert obj.value == percent_of(obj.numerator, obj.denominator)
    shares = Observation.objects.filter(
        indicator__in=synthetic.synthetic_indicators(), indicator__unit=Indicator.Unit.PERCENT
    )
    assert shares.exists()
    assert not shares.filter(Q(value__lt=0) | Q(value__gt=100)).exists()
    assert not Observation.objects.filter(
        indicator__in=synthetic.synthetic_indicators(), value__lt=0
    ).exists()
    for milestone in synthetic_milestones():
        assert datetime.date(2018, 1, 1) <= milestone.start_date < milestone.deadline
        assert milestone.deadline <= datetime.date(2030, 12, 31)
        assert milestone.parent_id is None or milestone.parent.parent_id is None
    for update in synthetic_updates():
        assert update.published_on is None or update.published_on >= update.as_of
        assert update.as_of <= synthetic.REFERENCE_DATE


def test_every_name_is_fictional_in_every_language(small):
    for j in synthetic.synthetic_jurisdictions():
        assert re.fullmatch(r"FX\d{2,6}", j.code)
        assert "虛構" in j.name_zh_hant and "虚构" in j.name_zh_hans
        assert j.name_en.startswith("Fictional ")
    for plan in synthetic_plans():
        assert "虛構" in plan.title and "Fictional" in plan.title_en
        assert plan.slug.startswith("fictional-")
    for source in synthetic.synthetic_sources():
        assert "虛構" in source.title and "Fictional" in source.title_en
        assert source.url == ""
    for indicator in synthetic.synthetic_indicators():
        assert "虛構" in indicator.name and "Fictional" in indicator.name_en
    assert not synthetic_milestones().exclude(statement__contains="虛構").exists()


def test_same_seed_same_data_other_seed_other_data(source_data):
    generate(seed=1)
    first = content()
    call_command("generate_synthetic_data", "--reset", stdout=open("/dev/null", "w"))  # noqa: SIM115
    generate(seed=1)
    assert content() == first
    call_command("generate_synthetic_data", "--reset", stdout=open("/dev/null", "w"))  # noqa: SIM115
    generate(seed=2)
    second = content()
    assert second["jurisdictions"] == first["jurisdictions"]  # the tree has no randomness
    assert second["milestones"] != first["milestones"]
    assert second["updates"] != first["updates"]


def test_real_source_data_is_never_touched(source_data):
    before = real_data()
    generate()
    assert real_data() == before
    call_command("generate_synthetic_data", "--reset", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert real_data() == before
    # The provinces hang under the real national jurisdiction, which stays as it was.
    generate()
    national = Jurisdiction.objects.get(code="CN")
    assert national.children.filter(code__startswith="FX").count() == 2
    assert real_data() == before


def test_reset_removes_only_synthetic_rows_and_is_idempotent(source_data):
    before = real_data()
    out = open("/dev/null", "w")  # noqa: SIM115
    call_command(
        "generate_synthetic_data", "--scale", "small", "--reset", "--no-progress", stdout=out
    )
    once = content()
    # An editor given a synthetic scope does not block the removal, and keeps their account.
    user = get_user_model().objects.create_user("fictional-editor", password="x" * 12)
    editor = Editor.objects.create(user=user)
    editor.jurisdictions.add(synthetic.synthetic_jurisdictions().first())
    call_command(
        "generate_synthetic_data", "--scale", "small", "--reset", "--no-progress", stdout=out
    )
    assert content() == once
    assert synthetic_updates().count() == 3000
    call_command("generate_synthetic_data", "--reset", stdout=out)
    assert not synthetic.is_present()
    assert content() == {key: [] for key in once}
    call_command("generate_synthetic_data", "--reset", stdout=out)
    assert real_data() == before
    assert Editor.objects.filter(pk=editor.pk, jurisdictions__isnull=True).exists()
    # New rows entered afterwards get fresh ids (the sequences moved past the generated ones).
    Source.objects.create(title="after")
    Jurisdiction.objects.create(
        code="FX99X", level="county", name_zh_hant="a", name_zh_hans="a", name_en="a"
    )


def test_loading_twice_without_reset_is_refused(small):
    with pytest.raises(CommandError, match="--reset"):
        generate()
    assert synthetic_updates().count() == 3000


def test_the_command_needs_a_scale_or_reset():
    with pytest.raises(CommandError):
        call_command("generate_synthetic_data")
    with pytest.raises(CommandError):
        call_command("generate_synthetic_data", "--scale", "galactic")


def test_scales():
    national = synthetic.SCALES["national"]
    assert national.jurisdictions == 3000
    assert (national.plans, national.milestones, national.updates) == (
        60_000,
        1_000_000,
        5_000_000,
    )
    regional = synthetic.SCALES["regional"]
    assert regional.jurisdictions * 20 == national.jurisdictions
    assert regional.updates * 20 == national.updates
    assert SMALL.jurisdictions == 30
