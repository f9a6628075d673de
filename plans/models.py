"""Jurisdictions, plans, milestones, progress updates and the sources behind them."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, router, transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, IsNull, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from govtracker.db import (
    ONE,
    AsFloat,
    Clamp01,
    DateValue,
    DaysBetween,
    IntegerColumnOr0,
    SubqueryCount,
)
from govtracker.loading import FastLoading
from govtracker.locking import VersionedModel
from govtracker.related import RelatedIds, RelatedRows
from govtracker.rendering import RememberedChoiceLabels
from govtracker.reverse import reverse_one
from govtracker.text import localized, script
from plans import progress as tracker
from plans.expressions import ChildrenTerm, HasChildren, OwnUpdateTerm
from plans.progress import Status

# Deadline years outside this range are typos, not plans: a deadline year's page, the
# list of years, the sitemap and the API's year cards know these years only.
YEARS = (1949, 2100)


def today() -> datetime.date:
    """Today in the site's time zone (Asia/Shanghai), the default as-of date."""
    return timezone.localdate()


def _save_with_snapshot(instance, base_save, args, kwargs):
    """Save in a transaction, so that the status snapshot's refresh (a post_save receiver,
    plans/snapshot.py) commits with the row: no moment where a committed write has a stale
    snapshot."""
    using = kwargs.get("using") or router.db_for_write(type(instance), instance=instance)
    if transaction.get_connection(using).in_atomic_block:
        # Already in one. (No savepoint=False block here: an error it lets through, such
        # as a refused stale save, would doom the caller's transaction.)
        base_save(*args, **kwargs)
        return
    with transaction.atomic(using=using):
        base_save(*args, **kwargs)


def _remember_loaded(instance, field_names, attribute: str, field: str) -> None:
    """Record the value `field` was loaded with: the snapshot also recomputes the
    milestone a row moved away from (plans/snapshot.py)."""
    if field in instance.__dict__:
        setattr(instance, attribute, instance.__dict__[field])


class SourceQuerySet(models.QuerySet):
    def cited_in_public(self) -> "SourceQuerySet":
        """Sources that something public cites: a plan, an indicator, an observation, a
        target, or a published update. A source cited only by drafts or scheduled updates
        (or by nothing yet, just added) would tell the public what is about to be said."""
        from metrics.models import Indicator, IndicatorTarget, Observation

        cited = (
            Exists(Plan.sources.through.objects.filter(source=OuterRef("pk")))
            | Exists(
                ProgressUpdate.sources.through.objects.filter(
                    source=OuterRef("pk"),
                    progressupdate__published_on__isnull=False,
                    progressupdate__published_on__lte=today(),
                )
            )
            | Exists(Indicator.sources.through.objects.filter(source=OuterRef("pk")))
            | Exists(Observation.objects.filter(source=OuterRef("pk")))
            | Exists(IndicatorTarget.objects.filter(source=OuterRef("pk")))
        )
        return self.filter(cited)

    def visible_to(self, user) -> "SourceQuerySet":
        """Editors see every source (they cite the new ones); the public, those cited in
        public (`cited_in_public`)."""
        if getattr(user, "is_authenticated", False):
            return self
        return self.cited_in_public()


class Source(FastLoading, models.Model):
    """A citation: every figure on a public page can be traced to one."""

    title = models.CharField(_("title"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    citation = models.TextField(
        _("citation"),
        blank=True,
        help_text=_("Where in the document the fact is found, or a full reference for print."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    objects = SourceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["title", "id"]
        # The API's list walks it in order and stops at a page of those cited in public
        # (national scale, 60,000 sources: 35 -> 17 ms, 10 -> 2 ms for editors).
        indexes = [
            models.Index(fields=["title", "id"], name="source_title_idx"),
            # The API's other sorts (?ordering=published_on, created; govtracker.api).
            models.Index(fields=["published_on", "id"], name="source_published_idx"),
            models.Index(fields=["created", "id"], name="source_created_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        return localized(self.title, self.title_en)


class JurisdictionQuerySet(models.QuerySet):
    def at_level(self, level: str) -> "JurisdictionQuerySet":
        return self.filter(level=level)

    def provincial(self) -> "JurisdictionQuerySet":
        return self.filter(level=Jurisdiction.Level.PROVINCIAL)

    def within(self, jurisdiction: "Jurisdiction | int") -> "JurisdictionQuerySet":
        """The jurisdiction (or the one with this id) itself and those directly under it."""
        pk = getattr(jurisdiction, "pk", jurisdiction)
        return self.filter(Q(pk=pk) | Q(parent=pk))

    def editable_by(self, user) -> "JurisdictionQuerySet":
        """The jurisdictions whose plans, milestones, updates and observations `user` edits.

        Superusers and national editors edit everything; a provincial editor edits the
        jurisdictions of their scope and every jurisdiction under them (a province's
        key cities, prefectures and their counties); anyone else edits nothing.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        scope = Jurisdiction.objects.filter(editor_scopes__user=user)
        if scope.filter(level=Jurisdiction.Level.NATIONAL).exists():
            return self.all()
        # Three levels under a scope jurisdiction cover province > prefecture > county.
        return self.filter(
            Q(pk__in=scope)
            | Q(parent__in=scope)
            | Q(parent__parent__in=scope)
            | Q(parent__parent__parent__in=scope)
        )


class Jurisdiction(FastLoading, RememberedChoiceLabels, models.Model):
    """A government: the nation, a province, a key city, a prefecture or a county."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("national")
        PROVINCIAL = "provincial", _("provincial-level")
        KEY_CITY = "key_city", _("key city")
        PREFECTURE = "prefecture", _("prefecture-level")
        COUNTY = "county", _("county-level")

    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        # Codes are part of page addresses (/jurisdictions/340000/): letters and digits only.
        validators=[RegexValidator(r"^[A-Za-z0-9]{1,12}$", _("Use letters and digits only."))],
        help_text=_("Administrative-division code (GB/T 2260), e.g. 340000 for Anhui."),
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100)
    name_zh_hans = models.CharField(_("name (Simplified Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    objects = JurisdictionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("pk")), name="jurisdiction_not_own_parent"
            ),
        ]
        # The API's sorts besides the unique code (?ordering=level, name_en).
        indexes = [
            models.Index(fields=["level", "id"], name="jurisdiction_level_idx"),
            models.Index(fields=["name_en", "id"], name="jurisdiction_name_en_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse_one("plans:jurisdiction-detail", self.code)

    @property
    def name(self) -> str:
        """The name in the active language (names are entered in all three)."""
        return {"en": self.name_en, "hans": self.name_zh_hans}.get(script(), self.name_zh_hant)

    def clean(self) -> None:
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A jurisdiction cannot be its own parent.")})


class PlanQuerySet(models.QuerySet):
    def in_jurisdiction(self, jurisdiction: Jurisdiction) -> "PlanQuerySet":
        return self.filter(jurisdiction=jurisdiction)

    def editable_by(self, user) -> "PlanQuerySet":
        return self.filter(jurisdiction__in=Jurisdiction.objects.editable_by(user))

    def issued_between(self, start: datetime.date, end: datetime.date) -> "PlanQuerySet":
        return self.filter(issued_on__range=(start, end))

    def for_table(self) -> "PlanQuerySet":
        """What a page's table of plans draws, and no more: the plan's own columns it shows
        and its jurisdiction's code and names (no long texts, no timestamps to parse, no
        milestone count), for 25 rows on every uncached page view."""
        return self.select_related("jurisdiction").only(
            "slug",
            "title",
            "title_en",
            "kind",
            "issued_on",
            "start_year",
            "end_year",
            "jurisdiction__code",
            "jurisdiction__level",
            "jurisdiction__name_zh_hant",
            "jurisdiction__name_zh_hans",
            "jurisdiction__name_en",
        )

    def with_source_list(self) -> "PlanQuerySet":
        """Each plan's sources as a list, `source_list`, in one query for all of them
        (govtracker/related.py)."""
        return self.prefetch_related("source_list")

    def with_source_ids(self) -> "PlanQuerySet":
        """Each plan's sources' ids, `source_ids`, read in the plans' own query (a
        subquery of the join table per row): what the API shows (govtracker/related.py)."""
        return self.annotate(source_ids=Plan.source_ids.in_query())

    def for_list(self) -> "PlanQuerySet":
        """What a list of plans shows (the API's, the CSV exports), in one query.

        The milestone count is a correlated subquery, not a JOIN with GROUP BY: grouping
        would count every plan's milestones before LIMIT picks a page (seconds over a
        million milestones), where the subquery costs one index range per row shown."""
        milestones = Milestone.objects.filter(plan=OuterRef("pk")).order_by().values("pk")
        return self.select_related("jurisdiction").annotate(
            milestone_count=SubqueryCount(milestones)
        )

    def with_progress(
        self,
        as_of: datetime.date | None = None,
        *,
        include_unpublished: bool = False,
        counts: bool = True,
    ) -> "PlanQuerySet":
        """Annotate each plan, as of a date, with `progress` (the weighted mean of its
        top-level milestones' progress, an unreported one counting as 0; None while none
        has reported), `n_milestones`, `n_unreported` (top-level milestones with no update
        yet) and one count per status (`n_achieved`, `n_behind`, ...).

        `counts=False` annotates `progress` alone, for a page that counts the milestones
        it has loaded itself (the plan's page): one column to build and compile instead of
        fifteen, and on another date one subquery instead of twelve.

        The default question (today, published updates) reads the plan's row of the
        maintained snapshot (`PlanSnapshot`) when it is valid for today; otherwise
        `live_progress` computes the figures.
        """
        as_of = as_of or today()
        from plans import snapshot  # plans.snapshot builds its SQL from this module

        if include_unpublished or not snapshot.is_fresh(as_of, using=self.db):
            return self.live_progress(as_of, include_unpublished=include_unpublished, counts=counts)
        # A plan without a row has no milestone (rows are written with the milestones').
        columns = {
            name: IntegerColumnOr0(F(f"snapshot__{name}"))
            for name in ("n_milestones", "n_unreported", *(f"n_{s}" for s in Status.values))
            if counts
        }
        return self.annotate(progress=F("snapshot__progress"), **columns)

    def with_milestone_in_status(
        self, status: str, as_of: datetime.date, *, newest_first: bool = False
    ) -> "PlanQuerySet":
        """Plans with at least one milestone (sub-milestones included) in `status` as of
        `as_of`: a column of the snapshot when it answers, else an EXISTS over the live
        statuses. `newest_first`: in the plans' default order (newest first), which from
        the snapshot is its copy of the plan's issue date, so that the status's partial
        index (PlanSnapshot.Meta.indexes) gives the rows in order."""
        from plans import snapshot

        if snapshot.is_fresh(as_of, using=self.db):
            plans = self.filter(**{f"snapshot__has_{status}": True})
            # Plan.id = snapshot.plan_id (the join): PostgreSQL takes the index's plan_id
            # order for it.
            return plans.order_by("-snapshot__issued_on", "id") if newest_first else plans
        in_status = Milestone.objects.with_status(as_of).filter(plan=OuterRef("pk"), status=status)
        plans = self.filter(Exists(in_status))
        return plans.order_by("-issued_on", "id") if newest_first else plans

    def live_progress(
        self,
        as_of: datetime.date,
        *,
        include_unpublished: bool = False,
        from_snapshot: bool = False,
        counts: bool = True,
    ) -> "PlanQuerySet":
        """`with_progress` computed from the milestones: each figure a correlated
        subquery over the plan's own milestones (one query for any number of plans, each
        plan costing an index range on milestone.plan_id). `from_snapshot`: the
        milestones' figures from their snapshot rows, as plans/snapshot.py writes plans'."""
        top = (
            Milestone.objects.with_status(
                as_of, include_unpublished=include_unpublished, from_snapshot=from_snapshot
            )
            .filter(plan=OuterRef("pk"), parent__isnull=True)
            .order_by()
            .values("plan")
        )

        def per_plan(aggregate, default=None):
            value = Subquery(
                top.annotate(x=aggregate).values("x"), output_field=aggregate.output_field
            )
            return value if default is None else Coalesce(value, default)

        weight = AsFloat(F("weight"))
        # The status goes in WHERE rather than in COUNT(... FILTER): a shallower
        # expression, which SQLite's parser needs.
        # SUM skips NULLs: an unreported milestone adds 0 but keeps its weight; a plan
        # with nothing reported at all has no progress (NULL), not 0.
        progress = per_plan(
            Sum(weight * F("progress"), output_field=FloatField())
            / Sum(weight, output_field=FloatField())
        )
        if not counts:
            return self.annotate(progress=progress)
        per_status = {
            f"n_{status}": Coalesce(
                Subquery(
                    top.filter(status=status).annotate(x=Count("pk")).values("x"),
                    output_field=models.IntegerField(),
                ),
                Value(0),
            )
            for status in Status.values
        }
        return self.annotate(
            progress=progress,
            n_milestones=per_plan(Count("pk"), Value(0)),
            n_unreported=per_plan(Count("pk", filter=Q(latest_update_on__isnull=True)), Value(0)),
            **per_status,
        )


class Plan(FastLoading, RememberedChoiceLabels, VersionedModel):
    """A policy document that promises something: a plan, programme, work points, opinion."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("plan (規劃)")
        PROGRAMME = "programme", _("programme (方案)")
        WORK_POINTS = "work_points", _("work points (要點)")
        OPINION = "opinion", _("opinion (意見)")

    slug = models.SlugField(
        _("slug"), max_length=120, unique=True, help_text=_("The plan's address in URLs.")
    )
    title = models.CharField(
        _("title"), max_length=500, help_text=_("The title as issued, in Traditional Chinese.")
    )
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="plans",
        db_index=False,  # plan_jurisdiction_newest_idx begins with it
    )
    issuing_body = models.CharField(_("issuing body"), max_length=300)
    issuing_body_en = models.CharField(_("issuing body (English)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    issued_on = models.DateField(_("issued on"))
    start_year = models.PositiveSmallIntegerField(_("first year of the period"))
    end_year = models.PositiveSmallIntegerField(_("last year of the period"))
    summary = models.TextField(_("summary"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), related_name="plans", blank=True
    )
    # The API's "sources": their ids; the pages': their rows (both govtracker/related.py).
    source_ids = RelatedIds("sources")
    source_list = RelatedRows("sources", defer=("created", "modified"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-issued_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")), name="plan_period_ordered"
            ),
        ]
        # One index per sort of the plans list and API (each ends with the id tiebreak),
        # so a page is an index range, not a sort of every plan.
        indexes = [
            models.Index(fields=["-issued_on", "id"], name="plan_newest_idx"),
            # A jurisdiction's plans, newest first (its page picks a page's keys from this
            # index alone); also the foreign key's index.
            models.Index(
                fields=["jurisdiction", "-issued_on", "id"], name="plan_jurisdiction_newest_idx"
            ),
            models.Index(fields=["issued_on", "id"], name="plan_issued_idx"),
            models.Index(fields=["title", "id"], name="plan_title_idx"),
            models.Index(fields=["end_year", "id"], name="plan_end_idx"),
            # The API's ?ordering=created and modified (what changed since, for a client
            # that keeps a copy).
            models.Index(fields=["created", "id"], name="plan_created_idx"),
            models.Index(fields=["modified", "id"], name="plan_modified_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_one("plans:plan-detail", self.slug)

    @property
    def display_title(self) -> str:
        return localized(self.title, self.title_en)

    def clean(self) -> None:
        if (
            self.start_year is not None
            and self.end_year is not None
            and self.end_year < self.start_year
        ):
            raise ValidationError({"end_year": _("The period cannot end before it starts.")})


class MilestoneQuerySet(models.QuerySet):
    def for_table(self) -> "MilestoneQuerySet":
        """What a page's list of milestones draws (the deadlines coming and passed, a
        deadline year's table and its CSV): the milestone's statement and dates, its
        plan's slug and titles, the jurisdiction's code and names; no long texts or
        timestamps of the plan to read and parse."""
        return self.select_related("plan__jurisdiction").only(
            "plan",
            "parent",
            "statement",
            "statement_en",
            "start_date",
            "deadline",
            "plan__slug",
            "plan__title",
            "plan__title_en",
            "plan__jurisdiction__code",
            "plan__jurisdiction__level",
            "plan__jurisdiction__name_zh_hant",
            "plan__jurisdiction__name_zh_hans",
            "plan__jurisdiction__name_en",
        )

    def due_by(self, date: datetime.date) -> "MilestoneQuerySet":
        return self.filter(deadline__lte=date)

    def due_in_year(self, year: int) -> "MilestoneQuerySet":
        return self.filter(deadline__year=year)

    def in_jurisdiction(self, jurisdiction: Jurisdiction) -> "MilestoneQuerySet":
        return self.filter(plan__jurisdiction=jurisdiction)

    def editable_by(self, user) -> "MilestoneQuerySet":
        return self.filter(plan__jurisdiction__in=Jurisdiction.objects.editable_by(user))

    def top_level(self) -> "MilestoneQuerySet":
        return self.filter(parent__isnull=True)

    def with_status(
        self,
        as_of: datetime.date | None = None,
        *,
        include_unpublished: bool = False,
        tolerance: float | None = None,
        from_snapshot: bool = False,
        status_only: bool = False,
    ) -> "MilestoneQuerySet":
        """The SQL twin of `plans.progress.assess`: annotate each milestone, as of a date
        (default today), with `progress` (float in [0, 1], None when nothing is reported),
        `expected_progress`, `status` (a Status value), `latest_update_on` and
        `achieved_on`, plus `status_as_of` and `status_tolerance` for explanations.
        `status_only` annotates the status alone, for a list that shows nothing else of
        it (the home page's deadlines): the same status, six columns fewer to build,
        compile and read.

        Public pages count only published updates; editors' views and the API pass
        `include_unpublished=True` to see drafts too. Every figure is a correlated
        subquery on the (milestone, as_of, id) index of updates, so lists, counts and
        roll-ups over any number of milestones take one query, and the result can be
        filtered and ordered (`.filter(status="behind")`).

        A milestone with sub-milestones takes its figures from them (one level deep, as
        `assess_parent` does): the weighted mean of their progress, the latest of their
        updates, achieved when all of them are, on the date the last one was.

        The default question (today, published updates only) is answered from the
        maintained snapshot of each milestone's figures (`MilestoneSnapshot`, README
        "Status snapshot") when it is valid for today, status included (with the default
        tolerance), at one extra small query to check that; any other date, drafts, or a stale snapshot are computed live.
        `from_snapshot` reads the snapshot whatever its date (plans/snapshot.py, which
        rolls plans up from it as of its own date).
        """
        as_of = as_of or today()
        tol = tracker.default_tolerance() if tolerance is None else float(tolerance)
        expected = Clamp01(
            DaysBetween(DateValue(as_of), F("start_date"))
            / DaysBetween(F("deadline"), F("start_date"))
        )
        # Local import: plans.snapshot builds its SQL from this module's querysets.
        from plans import snapshot

        status = None
        if from_snapshot or (not include_unpublished and snapshot.is_fresh(as_of, using=self.db)):
            # Today's figures from published updates are columns of the maintained
            # snapshot (plans/snapshot.py): no correlated subquery, same results.
            figures = {t: F(f"snapshot__{column}") for t, column in _SNAPSHOT_COLUMNS.items()}
            progress, latest, achieved = (figures[t] for t in _TERMS)
            if not from_snapshot and tolerance is None:
                # And today's status with the default tolerance, written with them: no
                # CASE to build, compile and evaluate. (`from_snapshot` is how the snapshot
                # computes that column, so it evaluates the CASE over the figures.)
                status = F("snapshot__status")
            else:
                rules = _status_rules(figures, expected, as_of, tol, Q())
        else:
            published_by = None if include_unpublished else today()
            progress, latest, achieved, rules = self._live_terms(as_of, published_by, expected, tol)
        if status is None:
            # One flat CASE, each branch with its own terms: referring to the annotations
            # above would copy both branches into every condition, and nesting CASEs
            # overflows SQLite's parser inside a plan's roll-up.
            status = Case(
                When(start_date__gt=as_of, then=Value(Status.NOT_STARTED)),
                *rules,
                default=Value(Status.MISSED),
                output_field=models.CharField(max_length=20, choices=Status.choices),
            )
        if status_only:
            return self.annotate(status=status)
        return self.annotate(
            progress=progress,
            expected_progress=expected,
            latest_update_on=latest,
            achieved_on=achieved,
            status_as_of=Value(as_of, output_field=DateField()),
            status_tolerance=Value(tol, output_field=FloatField()),
            status=status,
        )

    def with_figures(self, as_of: datetime.date, published_by: datetime.date | None):
        """Annotate `progress`, `latest_update_on` and `achieved_on` computed live from the
        updates dated on or before `as_of` and published by `published_by` (None: drafts
        too): the rules of `with_status`, which is what the snapshot stores."""
        progress, latest, achieved, _rules = self._live_terms(as_of, published_by, None, None)
        return self.annotate(progress=progress, latest_update_on=latest, achieved_on=achieved)

    def _live_terms(self, as_of, published_by, expected, tol):
        """The live figures (progress, latest, achieved) and the status rules over them:
        correlated subqueries on the (milestone, as_of, id) index of updates."""
        columns = (F("pk"), F("kind"), F("baseline_value"), F("target_value"))
        leaf = {t: OwnUpdateTerm(t, as_of, published_by, *columns) for t in _TERMS}
        parent = {t: ChildrenTerm(t, as_of, published_by, F("pk")) for t in _TERMS}
        has_children = HasChildren(F("pk"))

        def either(name, output_field):
            return Case(
                When(has_children, then=parent[name]), default=leaf[name], output_field=output_field
            )

        rules = []
        if expected is not None:
            rules = [
                *_status_rules(parent, expected, as_of, tol, Q(has_children)),
                *_status_rules(leaf, expected, as_of, tol, Q()),
            ]
        return (
            either("progress", FloatField()),
            either("latest", DateField()),
            either("achieved", DateField()),
            rules,
        )


def _status_rules(terms: dict, expected, as_of: datetime.date, tol: float, when: Q) -> list:
    """`plans.progress.decide` in SQL, for a milestone that has started and matches
    `when`. Nothing reported is a NULL progress; achieved is a progress of 1 (then
    `achieved` is its date)."""
    progress = terms["progress"]
    unreported = when & Q(IsNull(progress, True))
    complete = when & Q(GreaterThanOrEqual(progress, ONE))
    open_ = when & Q(deadline__gte=as_of)
    return [
        When(unreported & Q(deadline__gte=as_of), then=Value(Status.NO_REPORT)),
        When(unreported, then=Value(Status.OVERDUE_UNREPORTED)),
        When(
            complete & Q(LessThanOrEqual(terms["achieved"], F("deadline"))),
            then=Value(Status.ACHIEVED),
        ),
        When(complete, then=Value(Status.ACHIEVED_LATE)),
        When(
            open_
            & Q(GreaterThanOrEqual(progress, expected - Value(tol, output_field=FloatField()))),
            then=Value(Status.ON_TRACK),
        ),
        When(open_, then=Value(Status.BEHIND)),
        # Otherwise missed: for the last branch, the CASE's default.
        *([When(when, then=Value(Status.MISSED))] if when else []),
    ]


_TERMS = ("progress", "latest", "achieved")
_SNAPSHOT_COLUMNS = {
    "progress": "progress",
    "latest": "latest_update_on",
    "achieved": "achieved_on",
}


class Milestone(FastLoading, RememberedChoiceLabels, VersionedModel):
    """A target a plan sets: a statement with a start and a deadline."""

    class Kind(models.TextChoices):
        QUALITATIVE = "qualitative", _("qualitative (delivered or not)")
        QUANTITATIVE = "quantitative", _("quantitative (a number to reach)")

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="milestones"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent milestone"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("A milestone can be broken into sub-milestones; its progress is theirs."),
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Order within the plan.")
    )
    statement = models.TextField(_("statement"), help_text=_("What the plan promises."))
    statement_en = models.TextField(_("statement (English)"), blank=True)
    start_date = models.DateField(
        _("start date"),
        blank=True,
        help_text=_("When work starts; left empty, the plan's issue date."),
    )
    deadline = models.DateField(_("deadline"), help_text=_('A date: "by end-2022" is 2022-12-31.'))
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.QUALITATIVE
    )
    baseline_value = models.DecimalField(
        _("baseline value"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Quantitative targets: the value when the plan started."),
    )
    target_value = models.DecimalField(
        _("target value"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Quantitative targets: the value to reach by the deadline."),
    )
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=8,
        decimal_places=3,
        default=1,
        help_text=_("The milestone's share in its plan's or parent's progress."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    objects = MilestoneQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["plan_id", "position", "id"]
        constraints = [
            # A zero-length period has no expected progress to compare against.
            models.CheckConstraint(
                condition=Q(deadline__gt=F("start_date")), name="milestone_deadline_after_start"
            ),
            models.CheckConstraint(
                condition=Q(
                    deadline__gte=datetime.date(YEARS[0], 1, 1),
                    deadline__lte=datetime.date(YEARS[1], 12, 31),
                ),
                name="milestone_deadline_in_years",
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="milestone_weight_positive"),
            models.CheckConstraint(
                condition=Q(kind="qualitative")
                | (
                    Q(baseline_value__isnull=False, target_value__isnull=False)
                    & ~Q(baseline_value=F("target_value"))
                ),
                name="milestone_quantitative_has_distinct_target",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="milestone_not_own_parent"),
        ]
        indexes = [
            models.Index(fields=["plan", "position"]),
            # Deadlines coming and just passed (read forwards and backwards) and the
            # deadline years: the id breaks ties in the index, not in a sort of every
            # milestone due on the first day.
            models.Index(fields=["deadline", "id"], name="milestone_deadline_idx"),
            # The API's other sorts (?ordering=): each a range of its own index, where a
            # sort of a million milestones took 1.4 s.
            models.Index(fields=["start_date", "id"], name="milestone_start_idx"),
            models.Index(fields=["position", "id"], name="milestone_position_idx"),
            models.Index(fields=["created", "id"], name="milestone_created_idx"),
            models.Index(fields=["modified", "id"], name="milestone_modified_idx"),
            # Whether a plan has a milestone due in a year (the plans' ?deadline_year=),
            # asked of each plan in the list's order: from the index alone, where the
            # plan's every milestone was read (2023 at national scale: 192 -> 65 ms).
            models.Index(fields=["plan", "deadline"], name="milestone_plan_deadline_idx"),
        ]

    def __str__(self) -> str:
        return self.statement[:80]

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        _remember_loaded(instance, field_names, "_loaded_parent_id", "parent_id")
        _remember_loaded(instance, field_names, "_loaded_plan_id", "plan_id")
        return instance

    def save(self, *args, **kwargs):
        _save_with_snapshot(self, super().save, args, kwargs)

    def get_absolute_url(self, query: str = "") -> str:
        """The milestone on its plan's page; `query` ("?as_of=…") keeps a page's date."""
        return f"{self.plan.get_absolute_url()}{query}#milestone-{self.pk}"

    @property
    def display_statement(self) -> str:
        return localized(self.statement, self.statement_en)

    @property
    def is_increasing(self) -> bool | None:
        """Direction of a quantitative target (None for qualitative ones)."""
        if self.kind != self.Kind.QUANTITATIVE or self.target_value is None:
            return None
        return self.target_value > (self.baseline_value or 0)

    def assessment(
        self, as_of: datetime.date | None = None, *, include_unpublished: bool = False
    ) -> tracker.Assessment:
        """This milestone's status as of a date, by the pure function, from its updates
        (and its sub-milestones' updates): prefetch "updates" and "children__updates" to
        assess many milestones without a query each."""
        as_of = as_of or today()
        children = list(self.children.all())
        if children:
            return tracker.assess_parent(
                start=self.start_date,
                deadline=self.deadline,
                as_of=as_of,
                children=[
                    (child.weight, child._own_assessment(as_of, include_unpublished))
                    for child in children
                ],
            )
        return self._own_assessment(as_of, include_unpublished)

    def _own_assessment(self, as_of: datetime.date, include_unpublished: bool):
        updates = [u for u in self.updates.all() if include_unpublished or u.is_published]
        return tracker.assess(
            start=self.start_date,
            deadline=self.deadline,
            as_of=as_of,
            kind=self.kind,
            baseline=self.baseline_value,
            target=self.target_value,
            updates=[u.as_report() for u in updates],
        )

    @property
    def status_explanation(self) -> str:
        """The inputs of the status annotated by `with_status`, in words (no query)."""
        return tracker.explain(
            status=self.status,
            start=self.start_date,
            deadline=self.deadline,
            expected=self.expected_progress,
            progress=self.progress,
            latest_update_on=self.latest_update_on,
            achieved_on=self.achieved_on,
        )

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    def clean(self) -> None:
        errors = {}
        if self.start_date is None:
            # In an admin inline the plan may not be saved yet, but it is attached.
            plan = self.plan if (self.plan_id or Milestone.plan.is_cached(self)) else None
            if plan is not None and plan.issued_on:
                self.start_date = plan.issued_on
        if self.deadline and not YEARS[0] <= self.deadline.year <= YEARS[1]:
            errors["deadline"] = _("The deadline must fall between %(first)s and %(last)s.") % {
                "first": YEARS[0],
                "last": YEARS[1],
            }
        elif self.start_date and self.deadline and self.deadline <= self.start_date:
            errors["deadline"] = _("The deadline must be after the start date.")
        if self.weight is not None and self.weight <= 0:
            errors["weight"] = _("The weight must be greater than zero.")
        if self.kind == self.Kind.QUANTITATIVE:
            if self.target_value is None:
                errors["target_value"] = _("A quantitative milestone needs a target value.")
            if self.baseline_value is None:
                errors["baseline_value"] = _(
                    "A quantitative milestone needs a baseline value (0 if it starts from nothing)."
                )
            elif self.target_value is not None and self.baseline_value == self.target_value:
                errors["target_value"] = _("The target must differ from the baseline.")
        if self.parent_id:
            if self.pk and self.parent_id == self.pk:
                errors["parent"] = _("A milestone cannot be its own parent.")
            elif self.plan_id and self.parent.plan_id != self.plan_id:
                errors["parent"] = _("The parent milestone must belong to the same plan.")
            elif self.parent.parent_id:
                # The progress tracker rolls sub-milestones up one level only.
                errors["parent"] = _("A sub-milestone cannot have sub-milestones of its own.")
            elif self.pk and self.children.exists():
                errors["parent"] = _(
                    "This milestone has sub-milestones, so it cannot become one itself."
                )
        # Its sub-milestones would stay behind in the old plan, under a parent in another
        # one. (Only when the plan may have changed: a milestone loaded with this plan
        # skips the query.)
        if (
            self.pk
            and self.plan_id
            and self.plan_id != getattr(self, "_loaded_plan_id", None)
            and self.children.exclude(plan_id=self.plan_id).exists()
        ):
            errors["plan"] = _(
                "This milestone has sub-milestones, so it cannot move to another plan."
            )
        if errors:
            raise ValidationError(errors)


class ProgressUpdateQuerySet(models.QuerySet):
    def published(self, on: datetime.date | None = None) -> "ProgressUpdateQuerySet":
        """Updates the public may see: published on or before `on` (default today)."""
        return self.filter(published_on__isnull=False, published_on__lte=on or today())

    def as_of(self, date: datetime.date) -> "ProgressUpdateQuerySet":
        """Updates that describe the state on or before `date`."""
        return self.filter(as_of__lte=date)

    def drafts(self) -> "ProgressUpdateQuerySet":
        return self.filter(published_on__isnull=True)

    def scheduled(self, on: datetime.date | None = None) -> "ProgressUpdateQuerySet":
        """Updates set to appear on a day after `on` (default today)."""
        return self.filter(published_on__gt=on or today())

    def in_jurisdiction(self, jurisdiction: Jurisdiction) -> "ProgressUpdateQuerySet":
        return self.filter(milestone__plan__jurisdiction=jurisdiction)

    def newest_published(self, n: int) -> "ProgressUpdateQuerySet":
        """The `n` of these updates published last, newest first, their keys picked first
        in a subquery: over a province's 2,000 updates, the keys are read from the
        (milestone, published_on, id) index alone and only the `n` rows whole (its page's
        latest updates at national scale: 2.0 → 1.4 ms). A new QuerySet of those rows: what
        the rows should carry (`for_timeline()`) is asked of it, not before."""
        order = ("-published_on", "-id")
        keys = self.order_by(*order).values("pk")[:n]
        return self.model._default_manager.filter(pk__in=keys).order_by(*order)

    def within(self, jurisdiction: Jurisdiction) -> "ProgressUpdateQuerySet":
        """Updates on the plans of `jurisdiction` and of those directly under it (a
        province's key cities): what its Atom feed follows. (Its page shows the latest
        updates of its own plans: with its cities' the busiest province sorts 17,000
        updates instead of 2,000, 2 → 15 ms.)

        The few jurisdictions' ids are read first and passed as values, not as a subquery:
        PostgreSQL cannot tell how few updates a subquery lets through, so for the latest
        ones it walks the whole published-on index backwards, which took 47 s on a
        province with no updates at national scale (0.2 ms with the ids). (The plans' ids
        instead, a few hundred values, made the prepared statement's generic plan walk
        that index again: 106 ms for the busiest province.)"""
        ids = list(Jurisdiction.objects.within(jurisdiction).values_list("pk", flat=True))
        return self.filter(milestone__plan__jurisdiction__in=ids)

    def editable_by(self, user) -> "ProgressUpdateQuerySet":
        return self.filter(milestone__plan__jurisdiction__in=Jurisdiction.objects.editable_by(user))

    def visible_to(self, user) -> "ProgressUpdateQuerySet":
        """What `user` may read: published updates, plus drafts and scheduled updates in
        the jurisdictions they edit. Anonymous users see published updates only."""
        published = Q(published_on__isnull=False, published_on__lte=today())
        if not getattr(user, "is_authenticated", False):
            return self.filter(published)
        editable = Jurisdiction.objects.editable_by(user)
        return self.filter(published | Q(milestone__plan__jurisdiction__in=editable))

    def with_source_list(self) -> "ProgressUpdateQuerySet":
        """Each update's sources as a list, `source_list`, in one query for all of them.
        A list rather than the prefetched `sources` manager, and read from the join table
        by one raw query (govtracker/related.py): prefetching into a manager builds a
        related manager and a QuerySet per update, which costs more than the query itself
        on a page of a hundred updates."""
        return self.prefetch_related("source_list")

    def with_source_ids(self) -> "ProgressUpdateQuerySet":
        """As PlanQuerySet.with_source_ids(): the sources' ids, for the API."""
        return self.annotate(source_ids=ProgressUpdate.source_ids.in_query())

    # What a page draws of an update itself (no author, version or timestamps: two
    # timestamps to parse and three attributes to set fewer for each row).
    SHOWN_COLUMNS = (
        "milestone",
        "as_of",
        "published_on",
        "delivered",
        "percent_complete",
        "value",
        "narrative",
        "narrative_en",
    )
    # What a timeline of updates draws (includes/update_list.html, the feeds): the update,
    # its milestone's statement and unit, its plan's address and titles.
    TIMELINE_COLUMNS = (
        *SHOWN_COLUMNS,
        "milestone__plan",
        "milestone__statement",
        "milestone__statement_en",
        "milestone__unit",
        "milestone__plan__slug",
        "milestone__plan__title",
        "milestone__plan__title_en",
    )

    def shown_columns(self) -> "ProgressUpdateQuerySet":
        """Only the update's own columns that a page draws, for a page that has its
        milestones loaded already (a plan's page)."""
        return self.only(*self.SHOWN_COLUMNS)

    def for_timeline(self, *also: str) -> "ProgressUpdateQuerySet":
        """Updates with their milestone and plan joined, only the columns a timeline draws
        (`also` names more). A jurisdiction's latest updates sort a few thousand joined rows
        to keep eight: with the plans' summaries and every timestamp in each row, that sort
        was most of the query's time."""
        return (
            self.select_related("milestone__plan")
            .only(*self.TIMELINE_COLUMNS, *also)
            .with_source_list()
        )


class ProgressUpdate(FastLoading, VersionedModel):
    """A dated, sourced report of how far a milestone has come."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        PUBLISHED = "published", _("published")

    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        on_delete=models.CASCADE,
        related_name="updates",
        # The indexes that begin with the milestone (Meta.indexes) serve its lookups and
        # joins; one on the milestone alone would only be written to.
        db_index=False,
    )
    as_of = models.DateField(_("as of"), help_text=_("The date the reported state refers to."))
    percent_complete = models.DecimalField(
        _("percent complete"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Qualitative milestones: reported completion, 0 to 100."),
    )
    value = models.DecimalField(
        _("reported value"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Quantitative milestones: the value reached."),
    )
    delivered = models.BooleanField(
        _("delivered"), default=False, help_text=_("The milestone is fully delivered.")
    )
    narrative = models.TextField(_("narrative"), blank=True)
    narrative_en = models.TextField(_("narrative (English)"), blank=True)
    sources = models.ManyToManyField(
        Source,
        verbose_name=_("sources"),
        related_name="updates",
        help_text=_("At least one source: every reported figure must be traceable."),
    )
    source_ids = RelatedIds("sources")  # as Plan's
    source_list = RelatedRows("sources", defer=("created", "modified"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress_updates",
    )
    published_on = models.DateField(
        _("published on"),
        null=True,
        blank=True,
        help_text=_("Empty: a draft. A future date schedules publication for that day."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    objects = ProgressUpdateQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[sources])

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-as_of", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__isnull=True)
                | Q(percent_complete__gte=0, percent_complete__lte=100),
                name="update_percent_within_0_100",
            ),
            models.CheckConstraint(
                condition=Q(percent_complete__isnull=False)
                | Q(value__isnull=False)
                | Q(delivered=True),
                name="update_reports_something",
            ),
        ]
        indexes = [
            # The progress tracker's correlated subqueries: a milestone's updates up to a
            # date, latest first (as_of, then id), in one backward index range.
            models.Index(fields=["milestone", "as_of", "id"], name="update_latest_idx"),
            # A jurisdiction's latest published updates (its page): the keys of its
            # milestones' updates, in publication order, read from the index alone.
            models.Index(
                fields=["milestone", "published_on", "id"], name="update_milestone_published_idx"
            ),
            # The API's and the timeline's newest first; the feeds' newest published first.
            # published_on in the key, though nothing sorts by it: the public lists filter
            # on it, so a deep page's keys (govtracker/pagination.py) are read from the
            # index alone instead of visiting each skipped update's row.
            models.Index(fields=["as_of", "id", "published_on"], name="update_recent_idx"),
            models.Index(fields=["published_on", "id"], name="update_published_idx"),
            # The API's ?ordering=created and modified: 1.7 s as a sort of 5,000,000 rows.
            models.Index(fields=["created", "id"], name="update_created_idx"),
            models.Index(fields=["modified", "id"], name="update_modified_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} @ {self.as_of}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        _remember_loaded(instance, field_names, "_loaded_milestone_id", "milestone_id")
        return instance

    def save(self, *args, **kwargs):
        _save_with_snapshot(self, super().save, args, kwargs)

    @property
    def display_narrative(self) -> str:
        return localized(self.narrative, self.narrative_en)

    @property
    def is_published(self) -> bool:
        return self.published_on is not None and self.published_on <= today()

    @property
    def state(self) -> "ProgressUpdate.State":
        """Draft (no publication date), scheduled (a future one) or published."""
        if self.published_on is None:
            return self.State.DRAFT
        if self.published_on > today():
            return self.State.SCHEDULED
        return self.State.PUBLISHED

    def as_report(self) -> tracker.Report:
        """What the progress tracker reads of this update."""
        return tracker.Report(
            as_of=self.as_of,
            percent=self.percent_complete,
            value=self.value,
            delivered=self.delivered,
            id=self.pk or 0,
        )

    def clean(self) -> None:
        errors = {}
        if self.percent_complete is not None and not 0 <= self.percent_complete <= 100:
            errors["percent_complete"] = _("The percentage must be between 0 and 100.")
        if self.percent_complete is None and self.value is None and not self.delivered:
            errors["__all__"] = _("Report a percentage, a value, or mark the milestone delivered.")
        if self.milestone_id:
            kind = self.milestone.kind
            if kind == Milestone.Kind.QUANTITATIVE and self.percent_complete is not None:
                errors["percent_complete"] = _(
                    "This milestone is quantitative: report a value, not a percentage."
                )
            if kind == Milestone.Kind.QUALITATIVE and self.value is not None:
                errors["value"] = _(
                    "This milestone is qualitative: report a percentage, not a value."
                )
        if errors:
            raise ValidationError(errors)


class MilestoneSnapshotQuerySet(models.QuerySet):
    def newest_updated(self, n: int):
        """The ids of the `n` of these milestones whose own newest published update is
        newest (`last_published_*`), a subquery read in order from
        `msnap_jurisdiction_news_idx` when filtered by jurisdiction code. The `n` newest
        updates of these milestones are all on them: an update on any other milestone
        comes after that milestone's own newest, which comes after the newest of each of
        these `n`."""
        return (
            self.filter(last_published_ref__isnull=False)
            .order_by("-last_published_on", "-last_published_ref")
            .values("milestone_id")[:n]
        )


class MilestoneSnapshot(FastLoading, models.Model):
    """A milestone's figures as of the snapshot's date, from published updates only: what
    `Milestone.objects.with_status` would derive from its updates (or, for a milestone
    broken into sub-milestones, from theirs). Derived data, kept true by every write
    (plans/snapshot.py) and moved to a new day by `manage.py refresh_status_snapshot`;
    a table of its own, so that editors' forms, versions and history never see it.
    """

    milestone = models.OneToOneField(
        Milestone,
        verbose_name="milestone",
        primary_key=True,
        related_name="snapshot",
        # No database constraint: the snapshot is maintained by plans/snapshot.py, and
        # set-based deletions of milestones (synthetic --reset) must not trip over it; a
        # leftover row joins no milestone and the next full refresh removes it.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
    )
    progress = models.FloatField("progress", null=True)
    latest_update_on = models.DateField("latest update on", null=True)
    achieved_on = models.DateField("achieved on", null=True)
    # The status as of the snapshot's date with the default tolerance: the CASE of
    # `with_status` over the columns above, evaluated when they are written and for every
    # milestone when the date moves (expected progress moves every day), so that a page of
    # today's statuses reads a column instead of compiling and evaluating that CASE. NULL,
    # not "": a row is first inserted with its figures only, and its status is written
    # next in the same transaction (plans/snapshot.py).
    status = models.CharField(  # noqa: DJ001
        "status", max_length=20, choices=Status.choices, null=True
    )
    computed_for = models.DateField(
        "computed for",
        help_text="The as-of date these figures were last computed (and changed) for.",
    )
    # The deadline-year page's order, copied from the milestone, its plan and the plan's
    # jurisdiction (with the figures; by signals when a plan moves to another
    # jurisdiction or a jurisdiction's code changes): with the index below, a year's
    # first page is read in order, where the live order joined each milestone of the
    # first deadline day to its plan and jurisdiction to sort them (217 rows for 50 at
    # national scale, 2,388 buffers). Null only for rows written before migration 0021,
    # which fills them.
    deadline = models.DateField("deadline", null=True)
    jurisdiction_code = models.CharField("jurisdiction code", max_length=12, null=True)  # noqa: DJ001
    plan_ref = models.BigIntegerField("plan id", null=True)
    position = models.PositiveIntegerField("position", null=True)
    # The milestone's own newest published update as of the snapshot's date (by published
    # on, then id: the order of the pages' latest updates), for a jurisdiction's latest
    # updates: the newest N updates of a jurisdiction are all on the N of its milestones
    # whose own newest update is newest (README, "Status snapshot"), which the index below
    # reads in order, where the live query walked every milestone's updates (428 index
    # ranges for the busiest province at national scale). Null for a milestone with no
    # published update.
    last_published_on = models.DateField("last published on", null=True)
    last_published_ref = models.BigIntegerField("last published update id", null=True)

    objects = MilestoneSnapshotQuerySet.as_manager()

    # Derived from the other tables: not part of a backup (govtracker/backup.py). Never
    # shown to visitors or editors, so its names are not translated.
    derived_data = True

    class Meta:
        verbose_name = "milestone snapshot"
        verbose_name_plural = "milestone snapshots"
        indexes = [
            models.Index(
                fields=["deadline", "jurisdiction_code", "plan_ref", "position", "milestone"],
                name="msnap_deadline_order_idx",
            ),
            models.Index(
                fields=["jurisdiction_code", "-last_published_on", "-last_published_ref"],
                name="msnap_jurisdiction_news_idx",
                condition=Q(last_published_ref__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id} @ {self.computed_for}"


class PlanSnapshot(FastLoading, models.Model):
    """A plan's roll-up as of the snapshot's date, from published updates only: what
    `Plan.objects.with_progress` computes from its milestones' snapshot rows, plus, per
    status, whether any of its milestones (sub-milestones included) is in it (the plans
    list's status filter). Derived data kept beside `MilestoneSnapshot`, in the same
    transactions (plans/snapshot.py), so that a list of plans reads columns instead of
    eleven correlated subqueries per plan.

    Unlike a milestone's figures, the counts per status depend on the date (expected
    progress moves every day), so the daily refresh recomputes every plan's row.
    """

    plan = models.OneToOneField(
        Plan,
        verbose_name="plan",
        primary_key=True,
        related_name="snapshot",
        # As MilestoneSnapshot: maintained by plans/snapshot.py, no database constraint.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
    )
    progress = models.FloatField("progress", null=True)
    n_milestones = models.IntegerField("top-level milestones", default=0)
    n_unreported = models.IntegerField("top-level milestones never reported", default=0)
    # The scorecards' "due" figures (plans/scorecards.py): top-level milestones past their
    # deadline, and those of them delivered; summed over plans, they answer the national,
    # jurisdiction and map roll-ups without reading a million milestones.
    n_due = models.IntegerField("top-level milestones past their deadline", default=0)
    n_due_delivered = models.IntegerField(
        "top-level milestones past their deadline and delivered", default=0
    )
    computed_for = models.DateField("computed for")
    # The plan's own issue date, copied (with the figures, and by a signal when the plan
    # is saved): the plans list filtered by status sorts by it, newest first, and reads
    # the page's rows in order from the status's partial index below, instead of walking
    # every plan newest first and probing its row for the flag (?status=missed at
    # national scale: 347 plans for 25, the newest plans' milestones being mostly not
    # due). Null only for rows written before migration 0020, which fills them.
    issued_on = models.DateField("plan issued on", null=True)

    derived_data = True

    class Meta:
        verbose_name = "plan snapshot"
        verbose_name_plural = "plan snapshots"
        indexes = [
            models.Index(
                fields=["-issued_on", "plan"],
                condition=models.Q(**{f"has_{status}": True}),
                name=f"psnap_{status}_idx",
            )
            for status in Status.values
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} @ {self.computed_for}"


# One count of top-level milestones and one "any milestone" flag per status, the
# columns `with_progress` and the status filter read (n_achieved, has_achieved, ...).
for _status in Status.values:
    PlanSnapshot.add_to_class(
        f"n_{_status}", models.IntegerField(f"top-level milestones {_status}", default=0)
    )
    PlanSnapshot.add_to_class(
        f"has_{_status}", models.BooleanField(f"any milestone {_status}", default=False)
    )
del _status


class PlanYearSnapshot(FastLoading, models.Model):
    """A plan's milestones due in one year, sub-milestones included, counted by status
    as of the snapshot's date, and how many of them are past their deadline (and
    delivered): the deadline-year scorecard ("due by end-2023: ...") is the sum of a
    year's rows, and the list of deadline years the sum per year, where they grouped the
    year's 100,000 milestones and every milestone at national scale (0.7 and 0.3 s for the
    first visitor after every write). Written with the plan's row (plans/snapshot.py)."""

    plan = models.ForeignKey(
        Plan,
        verbose_name="plan",
        related_name="year_snapshots",
        # As PlanSnapshot: maintained by plans/snapshot.py, no database constraint.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
    )
    year = models.PositiveSmallIntegerField("deadline year")
    # Every count is of every milestone due in the year, sub-milestones included, as
    # the year's page lists them (unlike PlanSnapshot's counts, of top-level milestones).
    n_milestones = models.IntegerField("milestones due in the year", default=0)
    n_due = models.IntegerField("past their deadline", default=0)
    n_due_delivered = models.IntegerField("past their deadline and delivered", default=0)
    computed_for = models.DateField("computed for")

    derived_data = True

    class Meta:
        verbose_name = "plan snapshot by deadline year"
        verbose_name_plural = "plan snapshots by deadline year"
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="plan_year_snapshot_unique")
        ]
        indexes = [models.Index(fields=["year"], name="plan_year_snapshot_year_idx")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.year} @ {self.computed_for}"


for _status in Status.values:
    PlanYearSnapshot.add_to_class(
        f"n_{_status}", models.IntegerField(f"due in the year, {_status}", default=0)
    )
del _status


class SnapshotState(models.Model):
    """One row: the date the whole milestone snapshot is valid for (None: never built).

    `with_status` reads the snapshot only when this is today; otherwise it computes live.
    """

    valid_for = models.DateField("valid for", null=True)

    derived_data = True

    class Meta:
        verbose_name = "snapshot state"
        verbose_name_plural = "snapshot state"

    def __str__(self) -> str:
        return f"valid for {self.valid_for}"


class Editor(models.Model):
    """A member of staff who keeps the data of some jurisdictions true.

    The scope is a set of jurisdictions: an editor edits them and everything under them.
    A scope that includes the national jurisdiction (CN) means everything; superusers are
    national editors without an Editor row. The rules live in plans/permissions.py.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="editor",
    )
    jurisdictions = models.ManyToManyField(
        Jurisdiction,
        verbose_name=_("jurisdictions"),
        related_name="editor_scopes",
        help_text=_(
            "The editor edits these jurisdictions and those under them; "
            "the national jurisdiction means everything."
        ),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        verbose_name = _("editor")
        verbose_name_plural = _("editors")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_username()
