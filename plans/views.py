from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from metrics.progress import ACCELERATION_AT, ON_TRACK_AT
from plans.models import Jurisdiction, Milestone, Plan, today
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
