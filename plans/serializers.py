"""How the API shows and accepts jurisdictions, plans, milestones, updates and sources.

Related objects appear twice: as their identifier (a jurisdiction's code, a plan's slug, a
milestone's id), which is also what a write sends, and as the URL of their API resource.
"""

from functools import cached_property
from operator import attrgetter

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from govtracker.api import CleanedModelSerializer, FastRepresentationMixin, PageURLField
from govtracker.locking import OptimisticLockSerializerMixin
from plans.models import Jurisdiction, Milestone, Plan, ProgressUpdate, Source
from plans.progress import Status

# The statuses, and the plan's annotations counting its top-level milestones in each, read
# at once (Status.values builds its list anew at each use).
_STATUSES = tuple(Status.values)
_read_status_counts = attrgetter(*[f"n_{status}" for status in _STATUSES])


class SourceSerializer(CleanedModelSerializer):
    """A citation: title, publisher, URL, date."""

    api_url = serializers.HyperlinkedIdentityField(view_name="api:source-detail")

    class Meta:
        model = Source
        fields = [
            "id",
            "api_url",
            "title",
            "title_en",
            "publisher",
            "url",
            "published_on",
            "citation",
            "created",
            "modified",
        ]


class JurisdictionSerializer(FastRepresentationMixin, serializers.ModelSerializer):
    """A government: the nation, a province, a key city."""

    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:jurisdiction-detail", lookup_field="code"
    )
    html_url = PageURLField()
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    parent_api_url = serializers.HyperlinkedRelatedField(
        source="parent",
        view_name="api:jurisdiction-detail",
        lookup_field="code",
        read_only=True,
        allow_null=True,
    )
    name = serializers.CharField(read_only=True, help_text=_("In the request's language."))

    class Meta:
        model = Jurisdiction
        fields = [
            "code",
            "api_url",
            "html_url",
            "level",
            "parent",
            "parent_api_url",
            "name",
            "name_zh_hant",
            "name_zh_hans",
            "name_en",
        ]


class PlanSerializer(OptimisticLockSerializerMixin, CleanedModelSerializer):
    """A policy document of a jurisdiction."""

    api_url = serializers.HyperlinkedIdentityField(view_name="api:plan-detail", lookup_field="slug")
    html_url = PageURLField()
    jurisdiction = serializers.SlugRelatedField(
        slug_field="code", queryset=Jurisdiction.objects.all()
    )
    jurisdiction_api_url = serializers.HyperlinkedRelatedField(
        source="jurisdiction",
        view_name="api:jurisdiction-detail",
        lookup_field="code",
        read_only=True,
    )
    sources = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Source.objects.all(), required=False
    )
    milestone_count = serializers.IntegerField(read_only=True)
    as_of = serializers.SerializerMethodField()
    progress = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "Weighted mean of the top-level milestones' progress as of as_of (0 to 1); "
            "null while none has reported."
        ),
    )
    status_counts = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id",
            "slug",
            "api_url",
            "html_url",
            "title",
            "title_en",
            "jurisdiction",
            "jurisdiction_api_url",
            "issuing_body",
            "issuing_body_en",
            "kind",
            "issued_on",
            "start_year",
            "end_year",
            "summary",
            "summary_en",
            "sources",
            "milestone_count",
            "as_of",
            "progress",
            "status_counts",
            "created",
            "modified",
            "version",
        ]
        # Where PlanViewSet prefetches their ids (with_source_ids()): read there by the fast
        # path.
        prefetched_lists = {"sources": "source_ids"}

    @extend_schema_field(serializers.DateField())
    def get_as_of(self, plan):
        return self.context["as_of"]

    @extend_schema_field(
        {
            "type": "object",
            "description": "Top-level milestones by status as of as_of.",
            "properties": {status: {"type": "integer"} for status in Status.values},
            "required": list(Status.values),
        }
    )
    def get_status_counts(self, plan) -> dict:
        return dict(zip(_STATUSES, _read_status_counts(plan), strict=True))


class StatusInputsSerializer(FastRepresentationMixin, serializers.Serializer):
    """What a milestone's status was computed from (DESIGN.md, "The progress tracker")."""

    as_of = serializers.DateField(help_text=_("The date the status is computed for."))
    start_date = serializers.DateField()
    deadline = serializers.DateField()
    latest_update_on = serializers.DateField(
        allow_null=True, help_text=_("Date of the latest update on or before as_of.")
    )
    progress = serializers.FloatField(allow_null=True)
    expected_progress = serializers.FloatField(
        help_text=_("Share of the time from start to deadline gone by as_of (0 to 1).")
    )
    tolerance = serializers.FloatField(
        help_text=_("How far behind expected progress still counts as on track.")
    )


class MilestoneSerializer(OptimisticLockSerializerMixin, CleanedModelSerializer):
    """A target of a plan, with its progress and status as of a date."""

    api_url = serializers.HyperlinkedIdentityField(view_name="api:milestone-detail")
    html_url = PageURLField()
    plan = serializers.SlugRelatedField(
        slug_field="slug", queryset=Plan.objects.select_related("jurisdiction")
    )
    plan_api_url = serializers.HyperlinkedRelatedField(
        source="plan", view_name="api:plan-detail", lookup_field="slug", read_only=True
    )
    parent_api_url = serializers.HyperlinkedRelatedField(
        source="parent", view_name="api:milestone-detail", read_only=True, allow_null=True
    )
    start_date = serializers.DateField(
        required=False, help_text=_("When work starts; left out, the plan's issue date.")
    )
    as_of = serializers.SerializerMethodField()
    progress = serializers.FloatField(
        read_only=True, allow_null=True, help_text=_("0 to 1; null when nothing is reported.")
    )
    expected_progress = serializers.FloatField(read_only=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    status_label = serializers.SerializerMethodField()
    latest_update_on = serializers.DateField(read_only=True, allow_null=True)
    inputs = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "api_url",
            "html_url",
            "plan",
            "plan_api_url",
            "parent",
            "parent_api_url",
            "position",
            "statement",
            "statement_en",
            "start_date",
            "deadline",
            "kind",
            "baseline_value",
            "target_value",
            "unit",
            "weight",
            "as_of",
            "progress",
            "expected_progress",
            "status",
            "status_label",
            "latest_update_on",
            "inputs",
            "created",
            "modified",
            "version",
        ]
        derived_fields = ["start_date"]

    @extend_schema_field(serializers.DateField())
    def get_as_of(self, milestone):
        return self.context["as_of"]

    @extend_schema_field(serializers.CharField())
    def get_status_label(self, milestone) -> str:
        return str(Status(milestone.status).label)

    @extend_schema_field(StatusInputsSerializer)
    def get_inputs(self, milestone):
        return self._inputs_serializer.to_representation(
            {
                "as_of": self.context["as_of"],
                "start_date": milestone.start_date,
                "deadline": milestone.deadline,
                "latest_update_on": milestone.latest_update_on,
                "progress": milestone.progress,
                "expected_progress": milestone.expected_progress,
                "tolerance": self.context["tolerance"],
            }
        )

    @cached_property
    def _inputs_serializer(self):
        # One for every row: a serializer made per row builds and copies its fields anew.
        return StatusInputsSerializer()


class ProgressUpdateSerializer(OptimisticLockSerializerMixin, CleanedModelSerializer):
    """A dated, sourced report of how far a milestone has come."""

    api_url = serializers.HyperlinkedIdentityField(view_name="api:progressupdate-detail")
    milestone = serializers.PrimaryKeyRelatedField(
        queryset=Milestone.objects.select_related("plan__jurisdiction")
    )
    milestone_api_url = serializers.HyperlinkedRelatedField(
        source="milestone", view_name="api:milestone-detail", read_only=True
    )
    plan = serializers.SlugRelatedField(source="milestone.plan", slug_field="slug", read_only=True)
    sources = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Source.objects.all(),
        allow_empty=False,
        help_text=_("At least one source: every reported figure must be traceable."),
    )
    author = serializers.SerializerMethodField()
    is_published = serializers.BooleanField(read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "api_url",
            "milestone",
            "milestone_api_url",
            "plan",
            "as_of",
            "percent_complete",
            "value",
            "delivered",
            "narrative",
            "narrative_en",
            "sources",
            "author",
            "published_on",
            "is_published",
            "created",
            "modified",
            "version",
        ]
        # Where ProgressUpdateViewSet prefetches their ids (with_source_ids()).
        prefetched_lists = {"sources": "source_ids"}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, update):
        """Who recorded the update (their name, or user name)."""
        if update.author is None:
            return None
        return update.author.get_full_name() or update.author.get_username()


class ScorecardSerializer(FastRepresentationMixin, serializers.Serializer):
    """How many milestones are in each status, as of a date: for the nation, a
    jurisdiction (with those directly under it) or a deadline year."""

    scope = serializers.CharField(
        help_text=_('"national", a jurisdiction code, or a deadline year.')
    )
    api_url = serializers.URLField(help_text=_("This scorecard's address in the API."))
    as_of = serializers.DateField()
    total = serializers.IntegerField(help_text=_("Milestones counted."))
    counts = serializers.SerializerMethodField()

    @extend_schema_field(
        {
            "type": "object",
            "properties": {status: {"type": "integer"} for status in Status.values},
            "required": list(Status.values),
        }
    )
    def get_counts(self, scorecard) -> dict:
        return scorecard["counts"]  # every status, in order (ScorecardViewSet.card)
