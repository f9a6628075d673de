"""Indicator pages: the list with each indicator's latest value, and one indicator's
chart and table of observations against targets."""

from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.generic import ListView

from govtracker.pagination import DataVersionedPaginator
from govtracker.prepared import PreparedQuery
from govtracker.related import RelatedRows
from metrics import charts
from metrics.models import Indicator, IndicatorTarget, Observation
from metrics.tables import ObservationTable
from plans.models import Jurisdiction
from plans.views import PAGE_SIZE, BadQuery, BadQueryMixin, csv_response

# Indicators are national unless a page asks for another jurisdiction.
NATIONAL = "CN"
CHART_POINTS = 500


class IndicatorListView(ListView):
    template_name = "metrics/indicator_list.html"
    context_object_name = "indicators"
    paginate_by = 50
    paginator_class = DataVersionedPaginator

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # The national series, as the list's lede says and the indicator's page shows by
        # default: a province's newer observation is not the indicator's latest value.
        latest = Observation.objects.filter(
            indicator=OuterRef("pk"), jurisdiction__code=NATIONAL
        ).order_by("-as_of", "-id")
        return Indicator.objects.annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_as_of=Subquery(latest.values("as_of")[:1]),
            latest_numerator=Subquery(latest.values("numerator")[:1]),
            latest_denominator=Subquery(latest.values("denominator")[:1]),
        ).order_by("slug")

    def csv(self):
        rows = (
            (
                indicator.slug,
                indicator.display_name,
                indicator.get_unit_display(),
                indicator.display_scope,
                indicator.denominator or "",
                indicator.latest_as_of.isoformat() if indicator.latest_as_of else "",
                "" if indicator.latest_value is None else f"{indicator.latest_value.normalize():f}",
            )
            for indicator in self.get_queryset().iterator(chunk_size=2000)
        )
        header = [
            "slug",
            _("name"),
            _("unit"),
            _("scope"),
            _("denominator"),
            _("latest as of"),
            _("latest value"),
        ]
        return csv_response("indicators.csv", header, rows)


# The indicator page's queries (govtracker/prepared.py), besides its table's.
# The page shows no row's timestamps (`created`, `modified`): they are not read.
TIMESTAMPS = ("created", "modified")
INDICATOR_BY_SLUG = PreparedQuery(
    "indicator-by-slug",
    lambda slug: Indicator.objects.filter(slug=slug),
)
JURISDICTION_BY_CODE = PreparedQuery(
    "indicator-jurisdiction",
    lambda code: Jurisdiction.objects.filter(code=code).order_by("pk")[:1],
)
# The chart's latest points (drawn oldest first) and its targets.
CHART_SERIES = PreparedQuery(
    "indicator-chart-series",
    lambda indicator_id, jurisdiction_id: (
        Observation.objects.filter(indicator=indicator_id, jurisdiction=jurisdiction_id)
        .defer(*TIMESTAMPS)
        .order_by("-as_of")[:CHART_POINTS]
    ),
)
CHART_TARGETS = PreparedQuery(
    "indicator-chart-targets",
    lambda indicator_id, jurisdiction_id: (
        IndicatorTarget.objects.filter(indicator=indicator_id, jurisdiction=jurisdiction_id)
        .select_related("source")
        .defer(*(f"source__{name}" for name in TIMESTAMPS))
        .order_by("due_on")[:CHART_POINTS]
    ),
)


class IndicatorDetailView(BadQueryMixin, ListView):
    """One indicator: a chart of a jurisdiction's observations against its targets, and the
    table of every observation with its source (paginated)."""

    template_name = "metrics/indicator_detail.html"
    context_object_name = "observations"
    paginate_by = PAGE_SIZE * 2
    paginator_class = DataVersionedPaginator

    def get(self, request, *args, **kwargs):
        found = INDICATOR_BY_SLUG.rows(self.kwargs["slug"])
        if not found:
            raise Http404("No indicator has this slug.")  # the 404 page says so
        self.indicator = found[0]
        # Its sources in one plain query, not a prefetch's QuerySet compiled per request.
        RelatedRows.attach((Indicator.source_list, [self.indicator]))
        code = request.GET.get("jurisdiction", NATIONAL)
        if len(code) > 12 or not code.isalnum():
            raise BadQuery(_("Enter a jurisdiction code."))
        self.jurisdiction = next(iter(JURISDICTION_BY_CODE.rows(code)), None)
        if request.GET.get("format") == "csv":
            return self.csv()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return ObservationTable(self.indicator)

    def csv(self):
        rows = (
            (
                observation.as_of.isoformat(),
                observation.jurisdiction.code,
                observation.jurisdiction.name,
                f"{observation.value.normalize():f}",
                observation.numerator if observation.numerator is not None else "",
                observation.denominator if observation.denominator is not None else "",
                observation.source.display_title,
                observation.source.url,
            )
            for observation in self.get_queryset().rows().iterator(chunk_size=2000)
        )
        header = [
            _("as of"),
            _("jurisdiction code"),
            _("jurisdiction"),
            _("value"),
            _("numerator"),
            _("denominator"),
            _("source"),
            _("source address"),
        ]
        return csv_response(f"{self.indicator.slug}.csv", header, rows)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        series, targets = [], []
        if self.jurisdiction is not None:
            # The latest points, drawn oldest first.
            pair = (self.indicator.pk, self.jurisdiction.pk)
            series = CHART_SERIES.rows(*pair)[::-1]
            targets = CHART_TARGETS.rows(*pair)
        context.update(
            indicator=self.indicator,
            jurisdiction=self.jurisdiction,
            chart=charts.build(series, targets, share=self.indicator.is_share),
            targets=targets,
        )
        return context
