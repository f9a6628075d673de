"""FilterSets of indicators and observations, shared by the API and the pages."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govtracker.filtersets import FilterSet
from metrics.models import Indicator, IndicatorTarget, Observation
from plans.filters import code_filter, search_condition, search_filter, slug_filter
from plans.models import Jurisdiction


class IndicatorFilter(FilterSet):
    unit = django_filters.ChoiceFilter(label=_("Unit"), choices=Indicator.Unit.choices)
    direction = django_filters.ChoiceFilter(
        label=_("Direction"), choices=Indicator.Direction.choices
    )
    q = search_filter(_("Name, description or scope."))

    class Meta:
        model = Indicator
        fields = ["unit", "direction", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(
            search_condition(
                value, ["name", "name_en", "description", "description_en", "scope", "scope_en"]
            )
        )


class _OfAnIndicatorInAJurisdiction(FilterSet):
    """What observations and targets are filtered by alike: their indicator, their
    jurisdiction (with the jurisdictions directly under it) and its level."""

    indicator = slug_filter(_("Indicator"), "indicator__slug")
    jurisdiction = code_filter(_("Jurisdiction"))
    level = django_filters.ChoiceFilter(
        label=_("Level"), field_name="jurisdiction__level", choices=Jurisdiction.Level.choices
    )

    def filter_jurisdiction(self, queryset, name, value):
        return queryset.filter(Q(jurisdiction__code=value) | Q(jurisdiction__parent__code=value))


class ObservationFilter(_OfAnIndicatorInAJurisdiction):
    as_of_after = django_filters.DateFilter(
        label=_("As of, on or after"), field_name="as_of", lookup_expr="gte"
    )
    as_of_before = django_filters.DateFilter(
        label=_("As of, on or before"), field_name="as_of", lookup_expr="lte"
    )

    class Meta:
        model = Observation
        fields = ["indicator", "jurisdiction", "level", "as_of_after", "as_of_before"]


class IndicatorTargetFilter(_OfAnIndicatorInAJurisdiction):
    due_after = django_filters.DateFilter(
        label=_("Due on or after"), field_name="due_on", lookup_expr="gte"
    )
    due_before = django_filters.DateFilter(
        label=_("Due on or before"), field_name="due_on", lookup_expr="lte"
    )

    class Meta:
        model = IndicatorTarget
        fields = ["indicator", "jurisdiction", "level", "due_after", "due_before"]
