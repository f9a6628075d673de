"""The project's URLs plus /bench/ceiling/: the least a request can cost on this stack."""

from django.http import HttpResponse
from django.urls import path

from govtracker.urls import urlpatterns as project_urlpatterns


def ceiling(request):
    """No database, no template: every middleware still runs, so this is the ceiling."""
    return HttpResponse(b"ok\n", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/ceiling/", ceiling, name="bench-ceiling"), *project_urlpatterns]
