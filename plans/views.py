"""The public pages: home, plans, plan, jurisdiction, deadline year, about.

Every page gets its rows from a bounded number of queries whatever the data size (each
list is paginated, each roll-up is one grouped query), and every status is computed as of
a date: today, or the `?as_of=YYYY-MM-DD` a visitor asks for.
"""

import csv
import datetime
from collections import defaultdict

from django.db.models import Case, Count, Sum, When
from django.forms.renderers import Jinja2 as Jinja2FormRenderer
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView

from govtracker.cache import cached_data
from govtracker.numbers import whole_percent
from govtracker.pagination import DataVersionedPaginator
from govtracker.prepared import PreparedQuery, parameters_shape
from govtracker.related import RelatedRows
from metrics.progress import ACCELERATION_AT, ON_TRACK_AT
from plans import snapshot, source_data, tilemap
from plans.filters import YEARS, PlanFilter
from plans.models import (
    Jurisdiction,
    Milestone,
    MilestoneSnapshot,
    Plan,
    PlanYearSnapshot,
    ProgressUpdate,
    today,
)
from plans.progress import DELIVERED, Status, default_tolerance
from plans.scorecards import (
    Scorecard,
    deadline_year_scorecard,
    due_by_jurisdiction,
    jurisdiction_scorecard,
    national_scorecard,
)

PAGE_SIZE = 25
HOME_ROWS = 8
# The plan page shows the latest updates only, so that a busy plan's page stays small;
# the plan's updates page (PlanUpdatesView) lists them all, page by page.
TIMELINE_ROWS = 20
UPDATES_PAGE_SIZE = 50


class BadQuery(Exception):
    """A query parameter the page cannot use: answered with a 400 page, never a 500."""


def parse_as_of(request) -> datetime.date:
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return today()
    try:
        as_of = datetime.date.fromisoformat(raw)
    except ValueError:
        raise BadQuery(_("“as_of” must be a date written YYYY-MM-DD, e.g. 2022-12-31.")) from None
    if not YEARS[0] <= as_of.year <= YEARS[1]:
        raise BadQuery(
            _("“as_of” must be a date between %(first)s and %(last)s.")
            % {"first": YEARS[0], "last": YEARS[1]}
        )
    return as_of


def parse_status(request) -> str:
    value = request.GET.get("status", "")
    if value and value not in Status.values:
        raise BadQuery(_("Unknown status “%(status)s”.") % {"status": value[:40]})
    return value


class BadQueryMixin:
    """Turns a BadQuery raised while answering into a 400 page in the visitor's language."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except BadQuery as error:
            return render(request, "400.html", {"message": str(error)}, status=400)


def scorecard_of(milestones, as_of: datetime.date) -> Scorecard:
    """The tracker's Scorecard of top-level milestones already loaded (no query), counted
    as `plans.scorecards` counts them: due once the deadline has passed."""
    counts: dict[str, int] = defaultdict(int)
    due = due_delivered = 0
    for milestone in milestones:
        counts[milestone.status] += 1
        if milestone.deadline < as_of:
            due += 1
            due_delivered += milestone.status in DELIVERED
    return Scorecard(as_of=as_of, counts=dict(counts), due=due, due_delivered=due_delivered)


def csv_response(filename: str, header: list[str], rows) -> StreamingHttpResponse:
    """Stream a CSV file row by row, so a list of any length costs constant memory."""

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff"  # a byte-order mark, so that spreadsheet programs read UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def percent(value: float | None) -> str:
    return "" if value is None else str(whole_percent(value))


def plans_csv(request, plans, filename: str) -> StreamingHttpResponse:
    """A list of plans (a `for_list().with_progress(counts=False)` QuerySet) as a streamed
    CSV file."""
    rows = (
        (
            plan.slug,
            plan.display_title,
            plan.jurisdiction.code,
            plan.jurisdiction.name,
            plan.get_kind_display(),
            plan.issued_on.isoformat(),
            plan.start_year,
            plan.end_year,
            plan.milestone_count,
            percent(plan.progress),
            request.build_absolute_uri(plan.get_absolute_url()),
        )
        for plan in plans.iterator(chunk_size=2000)
    )
    header = [
        "slug",
        _("title"),
        _("jurisdiction code"),
        _("jurisdiction"),
        _("kind"),
        _("issued on"),
        _("first year"),
        _("last year"),
        _("milestones"),
        _("progress (%)"),
        _("address"),
    ]
    return csv_response(filename, header, rows)


# The home page's lists, each the same for every visitor of the day: prepared queries
# without values (govtracker/prepared.py).
def home_deadlines(as_of: datetime.date):
    """The deadlines' rows as the home page draws them: each milestone's status alone."""
    return Milestone.objects.with_status(as_of, status_only=True).for_table()


HOME_UPCOMING = PreparedQuery(
    "home-upcoming",
    lambda *, as_of: (
        home_deadlines(as_of).filter(deadline__gte=as_of).order_by("deadline", "id")[:HOME_ROWS]
    ),
)
HOME_PASSED = PreparedQuery(
    "home-passed",
    lambda *, as_of: (
        home_deadlines(as_of).filter(deadline__lt=as_of).order_by("-deadline", "-id")[:HOME_ROWS]
    ),
)
HOME_UPDATES = PreparedQuery(
    "home-updates",
    lambda: (
        ProgressUpdate.objects.published()
        .for_timeline()
        .order_by("-published_on", "-id")[:HOME_ROWS]
    ),
)


class HomeView(TemplateView):
    """The national scorecard, deadlines coming and just passed, the latest updates, the map."""

    template_name = "plans/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        as_of = today()
        context.update(
            as_of=as_of,
            scorecard=national_scorecard(as_of).as_dict(),
            upcoming=HOME_UPCOMING.rows(as_of=as_of),
            passed=HOME_PASSED.rows(as_of=as_of),
            updates=HOME_UPDATES.rows(),
            tiles=self.tiles(),
            tile_size=tilemap.TILE - tilemap.GAP,
            map_width=tilemap.COLUMNS * tilemap.TILE,
            map_height=tilemap.ROWS * tilemap.TILE,
            bands=tilemap.BANDS,
            no_data=tilemap.NO_DATA,
        )
        return context

    def tiles(self):
        """Each provincial unit's due milestones, its own plans' and its key cities'
        (`plans.scorecards.due_by_jurisdiction`)."""
        as_of = today()

        def count():
            milestones = Milestone.objects.with_status(as_of)
            return due_by_jurisdiction(milestones, as_of, codes=tilemap.LAYOUT)

        def draw():
            # A roll-up over every milestone, the same for every visitor until the data
            # changes: kept with the scorecards (SCORECARD_CACHE), for every language.
            # (Its QuerySet is built only when it is counted: 0.5 ms a view otherwise.)
            counts = cached_data(f"scorecard:tiles:{as_of.isoformat()}", count)
            units = Jurisdiction.objects.provincial().order_by("code")
            return tilemap.tiles(units, counts)

        # And the tiles themselves (the units' names and addresses in the page's language),
        # kept with them: no query for the 34 units, no row to build, on every request.
        return cached_data(
            f"scorecard:tiles:{as_of.isoformat()}:{get_language()}:{get_script_prefix()}", draw
        )


def as_of_context(as_of: datetime.date) -> dict:
    """The date a page is drawn for, and what its links append to keep it: `as_of_query`
    is "?as_of=YYYY-MM-DD" on a page of another day, and empty on today's, so that today's
    addresses stay clean (and cacheable). Built once per page: rows append the string."""
    is_today = as_of == today()
    return {
        "as_of": as_of,
        "is_today": is_today,
        "as_of_query": "" if is_today else f"?as_of={as_of.isoformat()}",
    }


# The filter form's widgets drawn by Django's Jinja2 templates of them, as the page is:
# half the time of the Django-template widgets the admin keeps (FORM_RENDERER's default).
PAGE_FORM_RENDERER = Jinja2FormRenderer()


def filtered_plans(filters: tuple, as_of: datetime.date):
    """The plans list's rows for its filters ((name, values) pairs of the query string)."""
    data = QueryDict(mutable=True)
    for name, values in filters:
        data.setlist(name, list(values))
    plans = Plan.objects.for_table().with_progress(as_of)
    return PlanFilter(data or None, queryset=plans, as_of=as_of).qs


# The filters' values written into the SQL (`literal`): as parameters, the statements of
# every `?level=` (say) are one text, which psycopg prepares once and PostgreSQL, after
# five runs, plans once for any level. That plan walked every plan newest first looking
# for the level's, which for a level with few plans or none read all 60,004 at national
# scale (3 -> 112 ms once the other levels had been asked for). Written in, each
# address is planned for its own values, once per connection.
PLAN_LIST_ROWS = PreparedQuery(
    "plan-list", lambda *, filters, as_of: filtered_plans(filters, as_of), literal=True
)


class PlanListView(BadQueryMixin, ListView):
    """Every plan, filtered by PlanFilter (the API's FilterSet), sorted and paginated."""

    template_name = "plans/plan_list.html"
    context_object_name = "plans"
    paginate_by = PAGE_SIZE
    paginator_class = DataVersionedPaginator

    def get(self, request, *args, **kwargs):
        self.as_of = parse_as_of(request)
        as_csv = request.GET.get("format") == "csv"
        # The CSV file's rows come from this FilterSet; the table's from PLAN_LIST_ROWS,
        # which filters its own (get_queryset), so here the FilterSet only checks the
        # filters and draws the form: no annotated QuerySet built for nothing.
        plans = Plan.objects.for_list().with_progress(self.as_of) if as_csv else Plan.objects.none()
        self.filterset = PlanFilter(request.GET or None, queryset=plans, as_of=self.as_of)
        self.filterset.form.renderer = PAGE_FORM_RENDERER
        if self.filterset.is_bound and not self.filterset.is_valid():
            self.object_list = Plan.objects.none()
            context = self.get_context_data()
            return self.render_to_response(context, status=400)
        if as_csv:
            return plans_csv(self.request, self.filterset.qs, "plans.csv")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # The filters as the address gives them (valid, as checked above) are the list's
        # shape: one prepared query per filtered list, its pages each a statement.
        filters = parameters_shape(self.request.GET, leave_out={"page"})
        return PLAN_LIST_ROWS.list(filters=filters, as_of=self.as_of)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter=self.filterset,
            **as_of_context(self.as_of),
            jurisdiction_choices=jurisdiction_choices(),
            status_choices=Status.choices,
        )
        return context


def jurisdiction_choices() -> list[tuple[str, str]]:
    """(code, name in the page's language) of the jurisdictions the plans list offers as a
    filter: the nation first, then the provincial-level units, a bounded list of 34. Kept
    with the scorecards until the data changes, as the home page's tiles of the same units
    are: no query and no 34 rows to build on every view of the list."""

    def choices():
        units = Jurisdiction.objects.filter(
            level__in=[Jurisdiction.Level.NATIONAL, Jurisdiction.Level.PROVINCIAL]
        ).order_by(Case(When(level=Jurisdiction.Level.NATIONAL, then=0), default=1), "code")
        return [(unit.code, unit.name) for unit in units]

    return cached_data(f"jurisdiction-choices:{get_language()}", choices)


def plan_timeline(plan, as_of: datetime.date):
    """A plan's (or the plan with this id's) published updates dated on or before `as_of`,
    newest first, with their sources: the plan page shows the first TIMELINE_ROWS,
    PlanUpdatesView all of them."""
    return (
        ProgressUpdate.objects.published()
        .as_of(as_of)
        .filter(milestone__plan=plan)
        .with_source_list()
        .order_by("-as_of", "-id")
    )


# The plan page's queries, each built and compiled once per day, language and data
# version (govtracker/prepared.py).
PLAN_PAGE_PLAN = PreparedQuery(
    "plan-page-plan",
    # The scorecard is counted from the milestones the page loads (scorecard_of): only the
    # plan's progress is read with it.
    lambda slug, *, as_of: (
        Plan.objects.with_progress(as_of, counts=False)
        .select_related("jurisdiction__parent")
        .filter(slug=slug)
        # `modified` gives the page's "last updated" (_last_updated); `created`, nothing.
        .defer("created")
    ),
)
PLAN_MILESTONES = PreparedQuery(
    "plan-milestones",
    lambda plan_id, *, as_of: (
        Milestone.objects.with_status(as_of)
        .filter(plan=plan_id)
        .defer("created")
        .order_by("position", "id")
    ),
)

# Its latest updates, one row more than shown (whether there are more, in the same query).
# Each update's own columns: its milestone is one of those loaded.
PLAN_TIMELINE_SHOWN = PreparedQuery(
    "plan-timeline-shown",
    lambda plan_id, *, as_of: (
        ProgressUpdate.objects.published()
        .as_of(as_of)
        .filter(milestone__plan=plan_id)
        .order_by("-as_of", "-id")
        .shown_columns()[: TIMELINE_ROWS + 1]
    ),
)
# The publication log: the latest published updates, whatever date they report. Older
# ones are on the plan's updates page, in the API and the feeds, so the page stays one
# bounded set of queries (and a few dozen kilobytes) however long a plan runs.
UPDATE_LOG_ROWS = 20
PLAN_UPDATE_LOG = PreparedQuery(
    "plan-update-log",
    lambda plan_id: (
        ProgressUpdate.objects.published()
        .filter(milestone__plan=plan_id)
        .shown_columns()
        .order_by("-published_on", "-as_of", "-id")[:UPDATE_LOG_ROWS]
    ),
)


class PlanDetailView(BadQueryMixin, DetailView):
    """A plan as it stood on a date: milestones with progress, status and inputs; updates."""

    template_name = "plans/plan_detail.html"
    context_object_name = "plan"

    def get(self, request, *args, **kwargs):
        self.as_of = parse_as_of(request)
        return super().get(request, *args, **kwargs)

    def get_object(self, queryset=None):
        plans = PLAN_PAGE_PLAN.rows(self.kwargs["slug"], as_of=self.as_of)
        if not plans:
            raise Http404("No plan has this slug.")  # the 404 page says so in its language
        return plans[0]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.object
        milestones = PLAN_MILESTONES.rows(plan.pk, as_of=self.as_of)
        # One row more than shown tells whether there are more, in the same query. The
        # timeline's and the log's sources are read together, below.
        # Each update's own columns: its milestone is one of those loaded above.
        updates = PLAN_TIMELINE_SHOWN.rows(plan.pk, as_of=self.as_of)
        timeline_truncated = len(updates) > TIMELINE_ROWS
        updates = updates[:TIMELINE_ROWS]
        by_milestone = {milestone.pk: milestone for milestone in milestones}
        # Related rows already loaded put in each row's cache, as select_related puts them
        # (the descriptor's assignment checks and sets the id too: the same id here).
        cache_plan = Milestone.plan.field.set_cached_value
        cache_milestone = ProgressUpdate.milestone.field.set_cached_value
        for milestone in milestones:
            cache_plan(milestone, plan)  # no query per milestone
            milestone.sub_milestones = []
            milestone.updates_shown = []
        for update in updates:
            milestone = by_milestone[update.milestone_id]
            cache_milestone(update, milestone)
            milestone.updates_shown.append(update)
        top = []
        for milestone in milestones:
            parent = by_milestone.get(milestone.parent_id)
            (parent.sub_milestones if parent else top).append(milestone)
        context.update(
            **as_of_context(self.as_of),
            milestones=top,
            milestone_count=len(milestones),
            scorecard=scorecard_of(top, self.as_of).as_dict(),
            updates=updates,
            timeline_truncated=timeline_truncated,
        )
        context["update_log"] = PLAN_UPDATE_LOG.rows(plan.pk)
        for update in context["update_log"]:
            # The plan's milestones are all loaded above: no join, no instance per row.
            cache_milestone(update, by_milestone[update.milestone_id])
        # The plan's sources and its updates' (mostly the same updates twice, the latest
        # reported and the latest published), in one query (govtracker/related.py).
        RelatedRows.attach(
            (Plan.source_list, [plan]),
            (ProgressUpdate.source_list, [*updates, *context["update_log"]]),
        )
        context["last_updated"] = self._last_updated(milestones, context["update_log"])
        return context

    def _last_updated(self, milestones, update_log) -> datetime.date:
        """The day the plan's public record last changed: the plan or a milestone edited,
        or an update published (the log is newest first). Drafts do not count: the public
        cannot see them. Computed from rows already loaded: no query."""
        # The local date of the latest edit: the local date never goes back as time goes on.
        days = [timezone.localdate(max([self.object.modified, *(m.modified for m in milestones)]))]
        if update_log:
            days.append(update_log[0].published_on)
        return max(days)


# The plan's updates page (govtracker/prepared.py): the plan, then the plan page's
# timeline, whole, with the milestone joined (its statement and unit are drawn).
PLAN_BY_SLUG = PreparedQuery(
    "plan-by-slug",
    lambda slug: Plan.objects.select_related("jurisdiction__parent").filter(slug=slug),
)
PLAN_TIMELINE = PreparedQuery(
    "plan-timeline",
    lambda plan_id, *, as_of: plan_timeline(plan_id, as_of).select_related("milestone"),
)


class PlanUpdatesView(BadQueryMixin, ListView):
    """Every published update of a plan dated on or before a date, newest first, paginated:
    the plan page shows only the latest TIMELINE_ROWS."""

    template_name = "plans/plan_updates.html"
    context_object_name = "updates"
    paginate_by = UPDATES_PAGE_SIZE
    paginator_class = DataVersionedPaginator

    def get(self, request, *args, **kwargs):
        self.as_of = parse_as_of(request)
        found = PLAN_BY_SLUG.rows(self.kwargs["slug"])
        if not found:
            raise Http404("No plan has this slug.")  # the 404 page says so
        self.plan = found[0]
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return PLAN_TIMELINE.list(self.plan.pk, as_of=self.as_of)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        page.object_list = list(page.object_list)
        for update in page.object_list:
            update.milestone.plan = self.plan  # already loaded: no query per row
        context.update(
            plan=self.plan,
            object_list=page.object_list,
            updates=page.object_list,
            **as_of_context(self.as_of),
        )
        return context


def jurisdiction_plans(plans, jurisdiction_id: int, as_of: datetime.date):
    """`plans` of a jurisdiction and of those directly under it, with their progress (the
    table and the CSV show it, not the counts by status)."""
    return plans.with_progress(as_of, counts=False).filter(
        jurisdiction__in=Jurisdiction.objects.within(jurisdiction_id)
    )


# The jurisdiction page's queries (govtracker/prepared.py).
JURISDICTION_BY_CODE = PreparedQuery(
    "jurisdiction-by-code",
    lambda code: Jurisdiction.objects.select_related("parent").filter(code=code),
)
JURISDICTION_PLANS = PreparedQuery(
    "jurisdiction-plans",
    lambda jurisdiction_id, *, as_of: jurisdiction_plans(
        Plan.objects.for_table(), jurisdiction_id, as_of
    ),
    # A page's 25 plans picked from the jurisdictions' plans by date alone, then read with
    # their progress (the snapshot's row of each of 200 plans otherwise).
    page_rows=lambda *, as_of: Plan.objects.for_table().with_progress(as_of, counts=False),
)


def jurisdiction_updates(jurisdiction_id: int, code: str):
    """The latest updates published on the jurisdiction's own plans, newest first.

    When the snapshot is valid for today, from the HOME_ROWS milestones whose own newest
    update is newest (MilestoneSnapshot.objects.newest_updated, which says why that is
    enough). The busiest province at national scale: 2,117 updates of 428 milestones
    sorted, 1,485 buffers and 2.6 ms, became 8 milestones' updates. Otherwise every
    milestone's."""
    updates = ProgressUpdate.objects.published()
    if snapshot.is_fresh(today()):
        newest = MilestoneSnapshot.objects.filter(jurisdiction_code=code).newest_updated(HOME_ROWS)
        updates = updates.filter(milestone__in=newest)
    else:
        updates = updates.in_jurisdiction(jurisdiction_id)
    return updates.newest_published(HOME_ROWS).for_timeline()


# The latest updates of its own plans.
JURISDICTION_UPDATES = PreparedQuery("jurisdiction-updates", jurisdiction_updates)


class JurisdictionDetailView(BadQueryMixin, ListView):
    """A jurisdiction's plans, its scorecard and the jurisdictions under it (key cities)."""

    template_name = "plans/jurisdiction_detail.html"
    context_object_name = "plans"
    paginate_by = PAGE_SIZE
    paginator_class = DataVersionedPaginator

    def get(self, request, *args, **kwargs):
        self.as_of = parse_as_of(request)
        found = JURISDICTION_BY_CODE.rows(self.kwargs["code"])
        if not found:
            raise Http404("No jurisdiction has this code.")  # the 404 page says so
        self.jurisdiction = found[0]
        if request.GET.get("format") == "csv":
            plans = jurisdiction_plans(Plan.objects.for_list(), self.jurisdiction.pk, self.as_of)
            return plans_csv(request, plans, f"plans-{self.jurisdiction.code}.csv")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return JURISDICTION_PLANS.list(self.jurisdiction.pk, as_of=self.as_of)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            jurisdiction=self.jurisdiction,
            **as_of_context(self.as_of),
            scorecard=jurisdiction_scorecard(self.jurisdiction, self.as_of).as_dict(),
            children=jurisdiction_children(self.jurisdiction),
            updates=JURISDICTION_UPDATES.rows(self.jurisdiction.pk, self.jurisdiction.code),
        )
        return context


def jurisdiction_children(jurisdiction: Jurisdiction) -> list[Jurisdiction]:
    """The jurisdictions directly under `jurisdiction` (a province's key cities; at most
    100), in code order, each with its number of plans: a roll-up, kept with the
    scorecards until the data changes, as the jurisdiction's scorecard is (a GROUP BY of
    their plans and 100 rows to build on every view of the page otherwise)."""

    def children() -> list[Jurisdiction]:
        return list(
            jurisdiction.children.annotate(plan_count=Count("plans")).order_by("code")[:100]
        )

    return cached_data(f"jurisdiction-children:{jurisdiction.pk}", children)


def deadline_years() -> list[tuple[int, int]]:
    """(year, milestones due in it), in order, kept with the scorecards until the data
    changes: summed from the plans' rows per year when the snapshot is valid for today,
    otherwise a GROUP BY over every milestone (0.3 s at national scale)."""

    def count() -> list[tuple[int, int]]:
        if snapshot.is_fresh(today()):
            years = (
                PlanYearSnapshot.objects.order_by()
                .values_list("year")
                .annotate(n=Sum("n_milestones"))
                .order_by("year")
            )
        else:
            years = (
                Milestone.objects.order_by()
                .values_list("deadline__year")
                .annotate(n=Count("pk"))
                .order_by("deadline__year")
            )
        return list(years)

    return cached_data("deadline-years", count)


class DeadlineIndexView(TemplateView):
    """The years in which milestones fall due, with how many."""

    template_name = "plans/deadline_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["years"] = deadline_years()
        context["this_year"] = today().year
        return context


def _with_status_in(as_of: datetime.date, status: str | None):
    """Milestones with their status on `as_of`, only those in `status` if given."""
    milestones = Milestone.objects.with_status(as_of)
    return milestones.filter(status=status) if status else milestones


def deadline_year_due(year: int, as_of: datetime.date, status: str | None):
    """The deadline-year page's rows by the milestones' own deadline, in no order: what
    the page counts."""
    return _with_status_in(as_of, status).due_in_year(year).order_by()


def deadline_year_milestones(year: int, as_of: datetime.date, status: str | None):
    """The milestones due in `year` with their status on `as_of` (only those in `status`,
    if given), by deadline, then jurisdiction, plan and position (and id). From the
    snapshot, when it answers for `as_of`, by its copies of those columns, which its
    index holds in that order (MilestoneSnapshot)."""
    milestones = _with_status_in(as_of, status).for_table()
    if snapshot.is_fresh(as_of):
        return milestones.filter(
            snapshot__deadline__range=(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        ).order_by(
            "snapshot__deadline",
            "snapshot__jurisdiction_code",
            "snapshot__plan_ref",
            "snapshot__position",
            "id",  # the snapshot's milestone_id, the index's last column (the join says so)
        )
    return milestones.due_in_year(year).order_by(
        "deadline", "plan__jurisdiction__code", "plan_id", "position", "id"
    )


DEADLINE_YEAR_ROWS = PreparedQuery(
    "deadline-year",
    lambda **shape: deadline_year_milestones(**shape),
    literal=True,
    # Counted by the milestones' own deadline, from its index: the page's order reads the
    # snapshot's copy, and counting by that joined 117,000 snapshot rows to their
    # milestones (155 ms, on every request with the data cache off).
    count=lambda **shape: deadline_year_due(**shape),
)


class DeadlineYearView(BadQueryMixin, ListView):
    """What was due in a year and whether it was delivered: /deadlines/2022/."""

    template_name = "plans/deadline_year.html"
    context_object_name = "milestones"
    paginate_by = 50
    paginator_class = DataVersionedPaginator

    def get(self, request, *args, **kwargs):
        self.year = self.kwargs["year"]
        if not YEARS[0] <= self.year <= YEARS[1]:
            raise Http404(_("No such year."))
        self.as_of = parse_as_of(request)
        self.status = parse_status(request)
        if request.GET.get("format") == "csv":
            return self.csv()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # Every row of the page is a value of its address: one prepared query per page.
        return DEADLINE_YEAR_ROWS.list(year=self.year, as_of=self.as_of, status=self.status)

    def csv(self):
        rows = (
            (
                milestone.plan.slug,
                milestone.plan.display_title,
                milestone.plan.jurisdiction.name,
                milestone.display_statement,
                milestone.deadline.isoformat(),
                Status(milestone.status).label,
                percent(milestone.progress),
                percent(milestone.expected_progress),
                milestone.latest_update_on.isoformat() if milestone.latest_update_on else "",
            )
            for milestone in self.get_queryset().queryset().iterator(chunk_size=2000)
        )
        header = [
            _("plan"),
            _("title"),
            _("jurisdiction"),
            _("milestone"),
            _("deadline"),
            _("status"),
            _("progress (%)"),
            _("expected progress (%)"),
            _("latest update"),
        ]
        return csv_response(f"deadlines-{self.year}.csv", header, rows)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            year=self.year,
            **as_of_context(self.as_of),
            status=self.status,
            status_choices=Status.choices,
            scorecard=deadline_year_scorecard(self.year, self.as_of).as_dict(),
            years=[year for year, _count in deadline_years()],
        )
        return context


class AboutView(TemplateView):
    """What 數字政府 means and the national context, cited to the source report."""

    template_name = "plans/about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["definition"] = source_data.DEFINITION
        context["report"] = source_data.REPORT
        return context


class MethodologyView(TemplateView):
    """How the progress tracker works, with a worked example from the source data."""

    template_name = "plans/methodology.html"
    # The worked example: Anhui's plan (administrative-division code 340000).
    example_jurisdiction = "340000"

    def get_context_data(self, **kwargs):
        as_of = today()
        return super().get_context_data(
            as_of=as_of,
            tolerance=default_tolerance(),
            statuses=Status.choices,
            on_track_at=ON_TRACK_AT,
            acceleration_at=ACCELERATION_AT,
            example=Milestone.objects.with_status(as_of)
            .filter(plan__jurisdiction__code=self.example_jurisdiction)
            .select_related("plan"),
            **kwargs,
        )
