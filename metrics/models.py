"""Indicators tracked as time series against targets."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from govtracker.loading import FastLoading
from govtracker.numbers import percent_of
from govtracker.related import RelatedRows
from govtracker.rendering import RememberedChoiceLabels
from govtracker.reverse import reverse_one
from govtracker.text import localized
from plans.models import Jurisdiction, Source


class Indicator(FastLoading, RememberedChoiceLabels, models.Model):
    """Something measured over time, e.g. provinces with a data-coordination agency."""

    class Unit(models.TextChoices):
        COUNT = "count", _("count")
        PERCENT = "percent", _("percent")
        OTHER = "other", _("other")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    name = models.CharField(_("name"), max_length=500, help_text=_("In Traditional Chinese."))
    name_en = models.CharField(_("name (English)"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    unit_label = models.CharField(
        _("unit label"), max_length=50, blank=True, help_text=_("For unit 'other'.")
    )
    scope = models.CharField(
        _("scope"),
        max_length=300,
        blank=True,
        help_text=_("What is counted, e.g. the 32 provincial-level units."),
    )
    scope_en = models.CharField(_("scope (English)"), max_length=300, blank=True)
    denominator = models.PositiveIntegerField(
        _("denominator"),
        null=True,
        blank=True,
        help_text=_("Size of the population counted (32 provincial-level units), if fixed."),
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), related_name="indicators", blank=True
    )
    # The indicator page's list of sources in one plain query (govtracker/related.py).
    source_list = RelatedRows("sources", defer=("created", "modified"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="indicator_denominator_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse_one("metrics:indicator-detail", self.slug)

    @property
    def display_name(self) -> str:
        return localized(self.name, self.name_en)

    @property
    def display_scope(self) -> str:
        return localized(self.scope, self.scope_en)

    @property
    def is_share(self) -> bool:
        """A share bounded by 100% ("23 of 32 provinces")."""
        return self.unit == self.Unit.PERCENT

    def clean(self) -> None:
        if self.denominator is not None and self.denominator <= 0:
            raise ValidationError({"denominator": _("The denominator must be greater than zero.")})


class IndicatorTargetQuerySet(models.QuerySet):
    def editable_by(self, user) -> "IndicatorTargetQuerySet":
        return self.filter(jurisdiction__in=Jurisdiction.objects.editable_by(user))


class IndicatorTarget(FastLoading, models.Model):
    """A value an indicator should reach by a date."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="indicator_targets",
    )
    value = models.DecimalField(_("target value"), max_digits=20, decimal_places=4)
    due_on = models.DateField(_("due on"))
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="indicator_targets",
    )
    note = models.TextField(_("note"), blank=True)

    objects = IndicatorTargetQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["indicator", "due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "jurisdiction", "due_on"], name="unique_indicator_target"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="indicator_target_not_negative"),
        ]
        # The API's sorts (?ordering=due_on, value; govtracker.api).
        indexes = [
            models.Index(fields=["due_on", "id"], name="target_due_idx"),
            models.Index(fields=["value", "id"], name="target_value_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} ({self.due_on})"

    def clean(self) -> None:
        if self.value is not None and self.value < 0:
            raise ValidationError({"value": _("A target cannot be negative.")})
        if (
            self.indicator_id
            and self.indicator.is_share
            and self.value is not None
            and self.value > 100
        ):
            raise ValidationError({"value": _("A share cannot exceed 100%.")})


class ObservationQuerySet(models.QuerySet):
    def in_jurisdiction(self, jurisdiction: Jurisdiction) -> "ObservationQuerySet":
        return self.filter(jurisdiction=jurisdiction)

    def as_of(self, date) -> "ObservationQuerySet":
        return self.filter(as_of__lte=date)

    def editable_by(self, user) -> "ObservationQuerySet":
        return self.filter(jurisdiction__in=Jurisdiction.objects.editable_by(user))

    def for_table(self) -> "ObservationQuerySet":
        return self.select_related("indicator", "jurisdiction", "source")


class Observation(FastLoading, models.Model):
    """An indicator's value for a jurisdiction at a date, with its source."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="observations",
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="observations",
    )
    as_of = models.DateField(_("as of"))
    value = models.DecimalField(
        _("value"),
        max_digits=20,
        decimal_places=4,
        blank=True,
        help_text=_(
            "Computed from numerator and denominator when both are given "
            "(a percentage rounded half-up to one decimal)."
        ),
    )
    numerator = models.PositiveIntegerField(_("numerator"), null=True, blank=True)
    denominator = models.PositiveIntegerField(_("denominator"), null=True, blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="observations"
    )
    note = models.TextField(_("note"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("modified"), auto_now=True)

    objects = ObservationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["indicator", "jurisdiction", "as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "jurisdiction", "as_of"], name="unique_observation"
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="observation_denominator_positive",
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True)
                | Q(denominator__isnull=True)
                | Q(numerator__lte=F("denominator")),
                name="observation_numerator_within_denominator",
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True, denominator__isnull=True)
                | Q(numerator__isnull=False, denominator__isnull=False),
                name="observation_fraction_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "as_of"]),
            # The API's sorts (?ordering=as_of, value, created, modified; govtracker.api).
            models.Index(fields=["as_of", "id"], name="observation_as_of_idx"),
            models.Index(fields=["value", "id"], name="observation_value_idx"),
            models.Index(fields=["created", "id"], name="observation_created_idx"),
            models.Index(fields=["modified", "id"], name="observation_modified_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} — {self.jurisdiction_id} @ {self.as_of}: {self.value}"

    def clean(self) -> None:
        errors = {}
        if self.denominator is not None and self.denominator <= 0:
            errors["denominator"] = _("The denominator must be greater than zero.")
        elif (self.numerator is None) != (self.denominator is None):
            errors["denominator"] = _("Give both numerator and denominator, or neither.")
        elif self.numerator is not None and self.numerator > self.denominator:
            errors["numerator"] = _("The numerator cannot exceed the denominator.")
        elif self.numerator is not None:
            # The percentage is derived, never typed: it cannot disagree with its parts.
            self.value = percent_of(self.numerator, self.denominator)
        if self.value is None and "denominator" not in errors and "numerator" not in errors:
            errors["value"] = _("Give a value, or a numerator and a denominator.")
        elif self.value is not None and self.indicator_id and self.indicator.is_share:
            # As for a target: no constraint can see the indicator's unit (another table).
            if self.value < 0:
                errors["value"] = _("A share cannot be negative.")
            elif self.value > 100:
                errors["value"] = _("A share cannot exceed 100%.")
        if errors:
            raise ValidationError(errors)

    @property
    def fraction(self) -> str:
        if self.numerator is None:
            return ""
        return f"{self.numerator}/{self.denominator}"
