from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from metrics.progress import ACCELERATION_AT, ON_TRACK_AT
from plans.models import Jurisdiction, Milestone, Plan, ProgressUpdate, today
from plans.progress import Status, default_tolerance


class HomeView(ListView):
    """The front page: every plan with its jurisdiction and number of milestones."""

    template_name = "plans/home.html"
    context_object_name = "plans"
    paginate_by = 50

    def get_queryset(self):
        return Plan.objects.for_list()


class PlanDetailView(DetailView):
    template_name = "plans/plan_detail.html"
    context_object_name = "plan"

    def get_queryset(self):
        return Plan.objects.select_related("jurisdiction").prefetch_related("sources", "milestones")

    # The log shows the latest published updates; older ones stay in the milestones' pages
    # and the API, so the page stays one bounded set of queries however long a plan runs.
    UPDATE_LOG_LENGTH = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = ProgressUpdate.objects.published().filter(milestone__plan=self.object)
        context["update_log"] = list(
            published.select_related("milestone__plan")
            .prefetch_related("sources")
            .order_by("-published_on", "-as_of", "-id")[: self.UPDATE_LOG_LENGTH]
        )
        context["last_updated"] = self._last_updated(published)
        return context

    def _last_updated(self, published):
        """The day the plan's public record last changed: the plan or a milestone edited,
        or an update published. Drafts do not count: the public cannot see them."""
        days = [timezone.localdate(self.object.modified)]
        days += [timezone.localdate(m.modified) for m in self.object.milestones.all()]
        latest_publication = published.aggregate(latest=Max("published_on"))["latest"]
        if latest_publication:
            days.append(latest_publication)
        return max(days)


class JurisdictionDetailView(DetailView):
    template_name = "plans/jurisdiction_detail.html"
    context_object_name = "jurisdiction"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Jurisdiction.objects.select_related("parent"), code=self.kwargs["code"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plans"] = Plan.objects.for_list().in_jurisdiction(self.object)
        context["children"] = self.object.children.all()
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
