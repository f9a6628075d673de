"""How the API shows and accepts indicators and observations."""

from functools import cached_property

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.reverse import reverse

from govtracker.api import CleanedModelSerializer, FastRepresentationMixin, PageURLField
from metrics.models import Indicator, IndicatorTarget, Observation
from plans.models import Jurisdiction, Source


class IndicatorTargetSerializer(FastRepresentationMixin, serializers.ModelSerializer):
    """A value an indicator should reach in a jurisdiction by a date, with its source."""

    api_url = serializers.HyperlinkedIdentityField(view_name="api:indicatortarget-detail")
    indicator = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    indicator_api_url = serializers.HyperlinkedRelatedField(
        source="indicator", view_name="api:indicator-detail", lookup_field="slug", read_only=True
    )
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jurisdiction_api_url = serializers.HyperlinkedRelatedField(
        source="jurisdiction",
        view_name="api:jurisdiction-detail",
        lookup_field="code",
        read_only=True,
    )
    source_api_url = serializers.HyperlinkedRelatedField(
        source="source", view_name="api:source-detail", read_only=True
    )

    class Meta:
        model = IndicatorTarget
        fields = [
            "id",
            "api_url",
            "indicator",
            "indicator_api_url",
            "jurisdiction",
            "jurisdiction_api_url",
            "value",
            "due_on",
            "source",
            "source_api_url",
            "note",
        ]
        read_only_fields = fields


class IndicatorSerializer(FastRepresentationMixin, serializers.ModelSerializer):
    """Something measured over time. Its observations and its targets are lists of their
    own (`observations_api_url`, `targets_api_url`): at every level of government an
    indicator has thousands of each."""

    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:indicator-detail", lookup_field="slug"
    )
    html_url = PageURLField()
    observations_api_url = serializers.SerializerMethodField()
    targets_api_url = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "slug",
            "api_url",
            "html_url",
            "observations_api_url",
            "name",
            "name_en",
            "description",
            "description_en",
            "unit",
            "unit_label",
            "scope",
            "scope_en",
            "denominator",
            "direction",
            "sources",
            "targets_api_url",
            "created",
            "modified",
        ]

    def get_observations_api_url(self, indicator) -> str:
        """The indicator's observations: the observations list filtered by its slug."""
        return f"{self._observations_url}?indicator={indicator.slug}"

    def get_targets_api_url(self, indicator) -> str:
        """The indicator's targets: the targets list filtered by its slug."""
        return f"{self._targets_url}?indicator={indicator.slug}"

    @cached_property
    def _observations_url(self) -> str:
        # The same for every row: reversed once.
        return reverse("api:observation-list", request=self.context.get("request"))

    @cached_property
    def _targets_url(self) -> str:
        return reverse("api:indicatortarget-list", request=self.context.get("request"))


class ObservationSerializer(CleanedModelSerializer):
    """An indicator's value for a jurisdiction at a date, with its source."""

    api_url = serializers.HyperlinkedIdentityField(view_name="api:observation-detail")
    indicator = serializers.SlugRelatedField(slug_field="slug", queryset=Indicator.objects.all())
    indicator_api_url = serializers.HyperlinkedRelatedField(
        source="indicator", view_name="api:indicator-detail", lookup_field="slug", read_only=True
    )
    jurisdiction = serializers.SlugRelatedField(
        slug_field="code", queryset=Jurisdiction.objects.all()
    )
    jurisdiction_api_url = serializers.HyperlinkedRelatedField(
        source="jurisdiction",
        view_name="api:jurisdiction-detail",
        lookup_field="code",
        read_only=True,
    )
    source = serializers.PrimaryKeyRelatedField(queryset=Source.objects.all())
    source_api_url = serializers.HyperlinkedRelatedField(
        source="source", view_name="api:source-detail", read_only=True
    )
    value = serializers.DecimalField(
        max_digits=20,
        decimal_places=4,
        required=False,
        help_text=_(
            "Computed from numerator and denominator when both are given "
            "(a percentage rounded half-up to one decimal)."
        ),
    )

    class Meta:
        model = Observation
        fields = [
            "id",
            "api_url",
            "indicator",
            "indicator_api_url",
            "jurisdiction",
            "jurisdiction_api_url",
            "as_of",
            "value",
            "numerator",
            "denominator",
            "source",
            "source_api_url",
            "note",
            "created",
            "modified",
        ]
        derived_fields = ["value"]
