"""The REST API of jurisdictions, plans, milestones, progress updates and sources.

Everyone reads; editors write plans, milestones and updates of their own jurisdictions.
Lists get their rows from one QuerySet method each, so their query count does not grow
with the data (tests/test_api_queries.py pins it).
"""

import datetime
from functools import cached_property

from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.utils.urls import replace_query_param

from govtracker.api import (
    APIBaseMixin,
    APIViewMixin,
    CSVRenderer,
    IdLookupMixin,
    reject_empty,
)
from govtracker.api_schema import AutoSchema
from govtracker.prepared import PreparedQuery
from govtracker.reverse import reverse_one
from plans.filters import (
    YEARS,
    JurisdictionFilter,
    MilestoneFilter,
    PlanFilter,
    ProgressUpdateFilter,
    SourceFilter,
)
from plans.models import Jurisdiction, Milestone, Plan, ProgressUpdate, Source, today
from plans.permissions import IsEditorForObjectJurisdiction, user_can_edit_jurisdiction
from plans.scorecards import STATUSES, api_status_counts
from plans.serializers import (
    JurisdictionSerializer,
    MilestoneSerializer,
    PlanSerializer,
    ProgressUpdateSerializer,
    ScorecardSerializer,
    SourceSerializer,
)


class CanEditJurisdiction(IsEditorForObjectJurisdiction):
    """plans.permissions' rule (everyone reads; editors write within their
    jurisdictions), answering a write to a row outside them with a message naming the
    jurisdiction."""

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        view.check_jurisdiction(view.jurisdiction_of(obj))
        return True


class EditorWritesMixin:
    """Writes by authenticated editors within their jurisdictions.

    `scope` is the path from an object to its jurisdiction ("plan.jurisdiction"); both the
    object as it is and the object as the write would leave it must be in the editor's
    jurisdictions, so nobody moves a plan out of (or into) someone else's.
    """

    permission_classes = [CanEditJurisdiction]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    scope: str = "jurisdiction"

    def jurisdiction_of(self, obj) -> Jurisdiction:
        for name in self.scope.split("."):
            obj = getattr(obj, name)
        return obj

    def jurisdiction_after_write(self, serializer) -> Jurisdiction:
        first, _dot, rest = self.scope.partition(".")
        related = serializer.validated_data.get(first) or getattr(serializer.instance, first)
        for name in rest.split(".") if rest else []:
            related = getattr(related, name)
        return related

    def check_jurisdiction(self, jurisdiction: Jurisdiction) -> None:
        if not user_can_edit_jurisdiction(self.request.user, jurisdiction):
            raise PermissionDenied(
                _(
                    "You cannot edit data of %(jurisdiction)s (%(code)s): it is not one of "
                    "the jurisdictions you edit."
                )
                % {"jurisdiction": jurisdiction.name, "code": jurisdiction.code}
            )

    def perform_create(self, serializer):
        self.check_jurisdiction(self.jurisdiction_after_write(serializer))
        super().perform_create(serializer)

    def perform_update(self, serializer):
        self.check_jurisdiction(self.jurisdiction_after_write(serializer))
        super().perform_update(serializer)


class _AsOfForm(forms.Form):
    as_of = forms.DateField(required=False, input_formats=["%Y-%m-%d"])


AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description=_(
        "Compute progress and status as of this date (YYYY-MM-DD), counting only updates "
        "dated on or before it. Default: today (Asia/Shanghai)."
    ),
)


class AsOfMixin:
    """Progress and status as of `?as_of=YYYY-MM-DD` (default today); 400 otherwise."""

    @cached_property
    def as_of(self) -> datetime.date:
        reject_empty(self.request, ["as_of"])
        form = _AsOfForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError(
                {
                    name: [error["message"] for error in errors]
                    for name, errors in form.errors.get_json_data().items()
                }
            )
        return form.cleaned_data["as_of"] or today()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["as_of"] = self.as_of
        context["tolerance"] = float(settings.PROGRESS_TOLERANCE)
        return context


@extend_schema_view(
    list=extend_schema(summary=_("Jurisdictions")),
    retrieve=extend_schema(summary=_("A jurisdiction")),
)
class JurisdictionViewSet(APIViewMixin, viewsets.ReadOnlyModelViewSet):
    """Governments: the nation, provinces, key cities (by administrative-division code)."""

    serializer_class = JurisdictionSerializer
    filterset_class = JurisdictionFilter
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9]+"
    ordering_fields = ["code", "level", "name_en"]
    csv_filename = "jurisdictions"

    def get_queryset(self):
        return Jurisdiction.objects.select_related("parent")


@extend_schema_view(
    list=extend_schema(summary=_("Sources")),
    retrieve=extend_schema(summary=_("A source")),
    create=extend_schema(summary=_("Add a source (editors)")),
)
class SourceViewSet(APIViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Citations behind plans, updates and observations. Editors add them (a source may be
    cited by several jurisdictions, so it is not changed through the API). The public sees
    the sources something public cites; editors see them all."""

    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    permission_classes = [IsEditorForObjectJurisdiction]  # any editor may add a source
    lookup_value_regex = "[0-9]+"
    ordering_fields = ["title", "published_on", "created"]
    csv_filename = "sources"

    def get_queryset(self):
        return Source.objects.visible_to(self.request.user)


@extend_schema_view(
    list=extend_schema(summary=_("Plans"), parameters=[AS_OF]),
    retrieve=extend_schema(summary=_("A plan"), parameters=[AS_OF]),
    create=extend_schema(summary=_("Add a plan (editors)")),
    update=extend_schema(summary=_("Replace a plan (editors)")),
    partial_update=extend_schema(summary=_("Change a plan (editors)")),
)
class PlanViewSet(EditorWritesMixin, AsOfMixin, APIViewMixin, viewsets.ModelViewSet):
    """Policy documents and their milestones' progress, as of a date."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    ordering_fields = ["issued_on", "title", "end_year", "created", "modified"]
    ordering = ["-issued_on", "id"]
    csv_filename = "plans"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # Schema generation only needs the model; with_progress asks the database
            # whether the status snapshot is valid, and `check --deploy` runs without one.
            return Plan.objects.none()
        return self.plans(self.as_of)

    @staticmethod
    def plans(as_of: datetime.date):
        # Sources' ids (PlanSerializer.Meta.prefetched_lists).
        return Plan.objects.for_list().with_progress(as_of).with_source_ids()

    prepared_list = PreparedQuery(
        "api-plans", lambda *, as_of: PlanViewSet.plans(as_of).order_by(*PlanViewSet.ordering)
    )
    prepared_detail = PreparedQuery(
        "api-plan", lambda slug, *, as_of: PlanViewSet.plans(as_of).filter(slug=slug)
    )

    def get_filterset_extra_kwargs(self):
        return {"as_of": self.as_of}


@extend_schema_view(
    list=extend_schema(summary=_("Milestones"), parameters=[AS_OF]),
    retrieve=extend_schema(summary=_("A milestone"), parameters=[AS_OF]),
    create=extend_schema(summary=_("Add a milestone (editors)")),
    update=extend_schema(summary=_("Replace a milestone (editors)")),
    partial_update=extend_schema(summary=_("Change a milestone (editors)")),
)
class MilestoneViewSet(
    IdLookupMixin, EditorWritesMixin, AsOfMixin, APIViewMixin, viewsets.ModelViewSet
):
    """Targets of plans with their progress, expected progress and status as of a date,
    and the inputs each status was computed from."""

    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilter
    scope = "plan.jurisdiction"
    lookup_value_regex = "[0-9]+"
    ordering_fields = ["deadline", "start_date", "position", "created", "modified"]
    ordering = ["plan_id", "position", "id"]
    csv_filename = "milestones"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Milestone.objects.none()  # as PlanViewSet: no database for the schema
        return self.milestones(self.as_of)

    @staticmethod
    def milestones(as_of: datetime.date):
        return Milestone.objects.with_status(as_of).select_related("plan__jurisdiction")

    prepared_list = PreparedQuery(
        "api-milestones",
        lambda *, as_of: MilestoneViewSet.milestones(as_of).order_by(*MilestoneViewSet.ordering),
    )
    prepared_detail = PreparedQuery(
        "api-milestone",
        lambda pk, *, as_of: MilestoneViewSet.milestones(as_of).filter(pk=pk),
    )


@extend_schema_view(
    list=extend_schema(summary=_("Progress updates")),
    retrieve=extend_schema(summary=_("A progress update")),
    create=extend_schema(summary=_("Report progress (editors)")),
    update=extend_schema(summary=_("Replace a progress update (editors)")),
    partial_update=extend_schema(summary=_("Change a progress update (editors)")),
)
class ProgressUpdateViewSet(IdLookupMixin, EditorWritesMixin, APIViewMixin, viewsets.ModelViewSet):
    """Dated, sourced reports of how far a milestone has come. Everyone sees published
    updates; editors also see the drafts and scheduled updates of their jurisdictions."""

    serializer_class = ProgressUpdateSerializer
    filterset_class = ProgressUpdateFilter
    scope = "milestone.plan.jurisdiction"
    lookup_value_regex = "[0-9]+"
    ordering_fields = ["as_of", "published_on", "created", "modified"]
    ordering = ["-as_of", "-id"]
    csv_filename = "progress-updates"

    def get_queryset(self):
        return self.updates().visible_to(self.request.user)

    @staticmethod
    def updates():
        return ProgressUpdate.objects.select_related(
            "milestone__plan__jurisdiction", "author"
        ).with_source_ids()

    # What the public reads: published updates, the same for every anonymous reader of
    # the day. An editor's list holds their drafts: built for them every time.
    prepared_list = PreparedQuery(
        "api-updates",
        lambda: (
            ProgressUpdateViewSet.updates()
            .visible_to(AnonymousUser())
            .order_by(*ProgressUpdateViewSet.ordering)
        ),
    )
    prepared_detail = PreparedQuery(
        "api-update",
        lambda pk: ProgressUpdateViewSet.updates().visible_to(AnonymousUser()).filter(pk=pk),
    )

    def may_prepare(self) -> bool:
        # An editor's list holds their drafts: the prepared rows are the public's.
        return super().may_prepare() and not self.request.user.is_authenticated

    def prepared_shape(self) -> dict:
        return {}

    def author_fields(self) -> dict:
        return {"author": self.request.user}


# The scorecards' index: where each kind of scorecard is (the API's root lists it).
SCORECARD_KINDS = ("national", "jurisdictions", "deadlines")


class ScorecardSchema(AutoSchema):
    """The scorecards' `list` is their index, one object of addresses: drf-spectacular takes
    every `list` action for a paginated array otherwise."""

    def _is_list_view(self, serializer=None) -> bool:
        if getattr(self.view, "action", None) == "list":
            return False
        return super()._is_list_view(serializer)


@extend_schema_view(
    list=extend_schema(
        summary=_("The scorecards"),
        description=_(
            "Where each kind of scorecard is: national, per jurisdiction, per deadline "
            "year. A date given as as_of is kept in the addresses."
        ),
        operation_id="scorecard_index",
        parameters=[AS_OF],
        responses={
            200: {
                "type": "object",
                "properties": {
                    kind: {"type": "string", "format": "uri"} for kind in SCORECARD_KINDS
                },
                "required": list(SCORECARD_KINDS),
            }
        },
    ),
    national=extend_schema(
        summary=_("National scorecard"), operation_id="scorecard_national", parameters=[AS_OF]
    ),
    jurisdictions=extend_schema(
        summary=_("Scorecards per jurisdiction"),
        operation_id="scorecard_jurisdictions_list",
        parameters=[AS_OF],
        responses=ScorecardSerializer(many=True),
    ),
    jurisdiction=extend_schema(
        summary=_("A jurisdiction's scorecard (with those directly under it)"),
        operation_id="scorecard_jurisdiction",
        parameters=[AS_OF],
    ),
    deadlines=extend_schema(
        summary=_("Scorecards per deadline year"),
        operation_id="scorecard_deadlines_list",
        parameters=[AS_OF],
        responses=ScorecardSerializer(many=True),
    ),
    deadline=extend_schema(
        summary=_("A deadline year's scorecard"),
        operation_id="scorecard_deadline",
        parameters=[AS_OF],
    ),
)
class ScorecardViewSet(AsOfMixin, APIBaseMixin, viewsets.GenericViewSet):
    """Milestones counted by status as of a date: the national scorecard, the league table
    of jurisdictions, and "due by end-2022: 3 achieved, 1 late, 2 missed, 4 unreported"."""

    # The docstring is the browsable API's description. The counts come from
    # plans.scorecards.api_status_counts: one query, or none from the data cache.

    serializer_class = ScorecardSerializer
    filter_backends = []
    lookup_value_regex = "[A-Za-z0-9]+"
    schema = ScorecardSchema()

    def get_queryset(self):
        # Asked for by the browsable API to draw its filter form (a scorecard has no
        # filters): the model counted, no rows. The counts come from counts().
        return Milestone.objects.none()

    def counts(self, **scope) -> list[tuple]:
        return api_status_counts(self.as_of, **scope)

    def one(self, **scope) -> tuple:
        """The counts of a scope without groups (zeros when it has no milestone)."""
        rows = self.counts(**scope)
        return rows[0][1] if rows else (0,) * len(STATUSES)

    def card(self, scope, counts: tuple, address: str) -> dict:
        return {
            "scope": str(scope),
            "api_url": self.request.build_absolute_uri(address),
            "as_of": self.as_of,
            "total": sum(counts),
            "counts": dict(zip(STATUSES, counts, strict=True)),
        }

    def answer(self, scope, counts: tuple, url_name: str, *args):
        card = self.card(scope, counts, reverse(url_name, args=args))
        return Response(self.get_serializer(card).data)

    def answer_page(self, rows: list[tuple], url_name: str):
        """A page of cards, one per group (50 a page, as every list: a card per
        jurisdiction is 3,000 cards, 790 KB, at the scale of every government)."""
        page = self.paginate_queryset(rows)
        cards = [self.card(key, counts, reverse_one(url_name, key)) for key, counts in page]
        return self.get_paginated_response(self.get_serializer(cards, many=True).data)

    def get_renderers(self):
        # No CSV of scorecards, the index included (its addresses would carry ?format=csv).
        return [r for r in super().get_renderers() if not isinstance(r, CSVRenderer)]

    def list(self, request):
        """The addresses of the scorecards, with the request's as_of, checked first (DRF's
        reverse() already carries a ?format= over)."""
        addresses = {
            kind: reverse(f"api:scorecard-{kind}", request=request) for kind in SCORECARD_KINDS
        }
        if "as_of" in request.query_params:
            as_of = self.as_of.isoformat()
            addresses = {
                kind: replace_query_param(address, "as_of", as_of)
                for kind, address in addresses.items()
            }
        return Response(addresses)

    @action(detail=False)
    def national(self, request):
        return self.answer("national", self.one(), "api:scorecard-national")

    @action(detail=False)
    def jurisdictions(self, request):
        return self.answer_page(self.counts(by="jurisdiction"), "api:scorecard-jurisdiction")

    @action(detail=False, url_path=r"jurisdictions/(?P<code>[A-Za-z0-9]+)")
    def jurisdiction(self, request, code):
        jurisdiction = get_object_or_404(Jurisdiction, code=code)
        counts = self.one(jurisdiction=jurisdiction)
        return self.answer(code, counts, "api:scorecard-jurisdiction", code)

    @action(detail=False)
    def deadlines(self, request):
        return self.answer_page(self.counts(by="year"), "api:scorecard-deadline")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "year",
                {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]},
                OpenApiParameter.PATH,
                description=_("Deadline year, e.g. 2022."),
            )
        ]
    )
    @action(detail=False, url_path=r"deadlines/(?P<year>[0-9]{4})")
    def deadline(self, request, year):
        year = int(year)
        if not YEARS[0] <= year <= YEARS[1]:
            raise NotFound()
        return self.answer(year, self.one(year=year), "api:scorecard-deadline", year)
