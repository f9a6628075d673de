"""The REST API of indicators, their observations and their targets."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from govtracker.api import APIViewMixin
from metrics.filters import IndicatorFilter, IndicatorTargetFilter, ObservationFilter
from metrics.models import Indicator, IndicatorTarget, Observation
from metrics.serializers import (
    IndicatorSerializer,
    IndicatorTargetSerializer,
    ObservationSerializer,
)
from plans.viewsets import EditorWritesMixin


@extend_schema_view(
    list=extend_schema(summary=_("Indicators")),
    retrieve=extend_schema(summary=_("An indicator")),
)
class IndicatorViewSet(APIViewMixin, viewsets.ReadOnlyModelViewSet):
    """Things measured over time."""

    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    ordering_fields = ["slug", "name", "created"]
    csv_filename = "indicators"

    def get_queryset(self):
        return Indicator.objects.prefetch_related("sources")


@extend_schema_view(
    list=extend_schema(summary=_("Observations")),
    retrieve=extend_schema(summary=_("An observation")),
    create=extend_schema(summary=_("Add an observation (editors)")),
    update=extend_schema(summary=_("Replace an observation (editors)")),
    partial_update=extend_schema(summary=_("Change an observation (editors)")),
)
class ObservationViewSet(EditorWritesMixin, APIViewMixin, viewsets.ModelViewSet):
    """An indicator's value for a jurisdiction at a date, with its source. Editors record
    observations of their own jurisdictions."""

    serializer_class = ObservationSerializer
    filterset_class = ObservationFilter
    lookup_value_regex = "[0-9]+"
    ordering_fields = ["as_of", "value", "created", "modified"]
    ordering = ["indicator__slug", "jurisdiction__code", "as_of", "id"]
    csv_filename = "observations"

    def get_queryset(self):
        return Observation.objects.for_table()


@extend_schema_view(
    list=extend_schema(summary=_("Indicator targets")),
    retrieve=extend_schema(summary=_("An indicator target")),
)
class IndicatorTargetViewSet(APIViewMixin, viewsets.ReadOnlyModelViewSet):
    """A value an indicator should reach in a jurisdiction by a date, with its source.
    Editors enter targets in the admin."""

    serializer_class = IndicatorTargetSerializer
    filterset_class = IndicatorTargetFilter
    lookup_value_regex = "[0-9]+"
    ordering_fields = ["due_on", "value"]
    ordering = ["indicator__slug", "jurisdiction__code", "due_on", "id"]
    csv_filename = "targets"

    def get_queryset(self):
        return IndicatorTarget.objects.select_related("indicator", "jurisdiction", "source")
