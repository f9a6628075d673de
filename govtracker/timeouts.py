"""A request's SQL statements are cut off after DB_STATEMENT_TIMEOUT seconds, with a page
that says so (503) instead of a worker and a PostgreSQL backend busy for minutes.

Some questions cost time in proportion to the whole country's data: statuses as of
another day than today are computed from the updates (the snapshot holds today's), so
"plans with a missed milestone on 2024-01-01" across 60,000 plans took 336 s at national
scale, a scorecard of the whole country on another day 14-21 s. The web server gives up
on a request after 30 s (`make serve`'s gunicorn), but PostgreSQL goes on with its query
until it ends, and a crawler following such addresses would keep both cores busy.
PostgreSQL's `statement_timeout` stops the query itself; this middleware turns the error
into a page, or JSON under /api/, in the visitor's language, that tells them to narrow
the question. govtracker/wsgi.py sets the limit for the web server only (default 20 s):
management commands (the snapshot's refresh, the synthetic data) run as long as they need.
"""

import logging

from django.db import OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

try:  # PostgreSQL's error; SQLite has no statement timeout
    from psycopg.errors import QueryCanceled
except ImportError:  # pragma: no cover - psycopg is a dependency
    QueryCanceled = None

logger = logging.getLogger(__name__)


def timed_out(exception: BaseException) -> bool:
    """Whether `exception` is PostgreSQL cancelling a statement that ran too long."""
    return (
        QueryCanceled is not None
        and isinstance(exception, OperationalError)
        and isinstance(exception.__cause__, QueryCanceled)
    )


class StatementTimeoutMiddleware:
    """Answers a statement cut off by the timeout with a 503 and what to do about it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not timed_out(exception):
            return None
        logger.warning("Statement timeout: %s", request.get_full_path())
        message = _(
            "Working this out takes longer than the site allows for one page: at this scale, "
            "statuses on another day than today are computed from every update. Narrow the "
            "question (a jurisdiction, a deadline year) or ask for today's statuses."
        )
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=503)
        return render(request, "503.html", {"message": message}, status=503)
