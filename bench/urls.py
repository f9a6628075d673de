"""The project's URLs plus two bench-only views: /bench/ceiling/, the least a request can
cost on this stack, and /bench/naive-list/, the issue's yardstick for an uncached page."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.views.generic import ListView

from govtracker.urls import urlpatterns as project_urlpatterns
from plans.models import Plan


def ceiling(request):
    """No database, no template: every middleware still runs, so this is the ceiling."""
    return HttpResponse(b"ok\n", content_type="text/plain; charset=utf-8")


NAIVE_TEMPLATE = engines["django"].from_string(
    """<!DOCTYPE html><html><head><title>Plans</title></head><body><table>
{% for plan in plans %}<tr><td><a href="{{ plan.get_absolute_url }}">{{ plan.title }}</a></td><td>{{ plan.jurisdiction.name_en }}</td><td>{{ plan.issued_on }}</td><td>{{ plan.start_year }}–{{ plan.end_year }}</td></tr>
{% endfor %}</table></body></html>"""
)


class NaiveListView(ListView):
    """What the issue calls "a naive 50-row list page from PostgreSQL": a generic ListView of
    50 plans with their jurisdiction, in a Django template, no status, no annotation, no
    count cache. Measured beside the pages so that they can be compared with it."""

    queryset = Plan.objects.select_related("jurisdiction").order_by("-issued_on", "id")
    paginate_by = 50
    context_object_name = "plans"

    def render_to_response(self, context, **kwargs):
        return HttpResponse(NAIVE_TEMPLATE.render(context, self.request))


urlpatterns = [
    path("bench/ceiling/", ceiling, name="bench-ceiling"),
    path("bench/naive-list/", NaiveListView.as_view(), name="bench-naive-list"),
    *project_urlpatterns,
]
