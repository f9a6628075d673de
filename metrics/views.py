from django.views.generic import DetailView, ListView

from metrics.models import Indicator


class IndicatorListView(ListView):
    template_name = "metrics/indicator_list.html"
    context_object_name = "indicators"

    def get_queryset(self):
        return Indicator.objects.prefetch_related("observations__jurisdiction")


class IndicatorDetailView(DetailView):
    template_name = "metrics/indicator_detail.html"
    context_object_name = "indicator"

    def get_queryset(self):
        return Indicator.objects.prefetch_related(
            "observations__jurisdiction", "observations__source", "targets"
        )
