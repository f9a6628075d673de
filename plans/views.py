from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from plans.models import Jurisdiction, Plan


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
