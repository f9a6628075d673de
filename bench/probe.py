"""In-process look at the benchmark's database, run by bench/run.py as a subprocess with
the same environment as the server it measures (so the same database and cache).

    python -m bench.probe pick                 # the URLs to load, chosen from the data
    python -m bench.probe count URL... [--clear-cache]   # each URL's status and queries

Prints one JSON object on stdout.

Query counts are measured here, with Django's test client and CaptureQueriesContext on
the server's own database and cache, not inside the server: a streamed CSV runs its
queries after the response headers have left, so a header could not carry its count. Each
URL is requested twice and the second request is counted, as tests/test_page_queries.py
does: the first warms per-process caches and, with the page cache on, fills it.
"""

import argparse
import json
import os
import sys
import time

SLOW_SECONDS = 5
LANGUAGE = "zh-hant"  # the site's default language, the one most readers get


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def pick() -> dict:
    """Real addresses from the data: for each kind of page, its busiest instance (the most
    milestones, plans or observations), so the figure is not flattered by an empty page."""
    from django.db.models import Count

    from metrics.models import Indicator
    from plans.models import Jurisdiction, Milestone, Plan, ProgressUpdate

    plan = Plan.objects.annotate(n=Count("milestones")).order_by("-n", "slug").first()
    jurisdiction = Jurisdiction.objects.annotate(n=Count("plans")).order_by("-n", "code").first()
    year_row = (
        Milestone.objects.values_list("deadline__year")
        .annotate(n=Count("pk"))
        .order_by("-n", "deadline__year")
        .first()
    )
    indicator = Indicator.objects.annotate(n=Count("observations")).order_by("-n", "slug").first()
    missing = [
        name
        for name, value in [
            ("plan", plan),
            ("jurisdiction", jurisdiction),
            ("deadline year", year_row),
            ("indicator", indicator),
        ]
        if value is None
    ]
    if missing:
        raise SystemExit(f"the database has no {', '.join(missing)}: load data first")
    year = year_row[0]
    prefix = f"/{LANGUAGE}"
    pages = [
        # (name, path, whether the throughput goals apply to it)
        ("ceiling", "/bench/ceiling/", False),
        # The yardstick for uncached pages ("as fast as the naive 50-row list").
        ("naive list", "/bench/naive-list/", False),
        ("home", f"{prefix}/", True),
        ("plans list (filter)", f"{prefix}/plans/?status=missed", True),
        ("plan page", f"{prefix}/plans/{plan.slug}/", True),
        ("jurisdiction page", f"{prefix}/jurisdictions/{jurisdiction.code}/", True),
        ("deadline-year page", f"{prefix}/deadlines/{year}/", True),
        ("indicator page", f"{prefix}/indicators/{indicator.slug}/", True),
        ("API list", "/api/v1/plans/", True),
        ("API detail", f"/api/v1/plans/{plan.slug}/", False),
        # A card per jurisdiction with milestones (3,065 at national scale), 50 a page.
        ("API scorecards", "/api/v1/scorecards/jurisdictions/", True),
        ("CSV export", f"{prefix}/plans/?jurisdiction={jurisdiction.code}&format=csv", False),
    ]
    # The memory check streams the API's milestones export (1,000,011 rows at national
    # scale, the "1,000,000-row CSV export"); BENCH_EXPORT names another one.
    export_path = os.environ.get("BENCH_EXPORT") or "/api/v1/milestones/?format=csv"
    export_rows = (
        ProgressUpdate.objects.published().count()
        if export_path.startswith("/api/v1/updates/")
        else Milestone.objects.count()
        if export_path.startswith("/api/v1/milestones/")
        else None
    )
    return {
        "pages": [{"name": n, "path": p, "goal": g} for n, p, g in pages],
        "export": {"path": export_path, "rows": export_rows},
        "data": {
            "plans": Plan.objects.count(),
            "milestones": Milestone.objects.count(),
            "progress_updates": ProgressUpdate.objects.count(),
            "jurisdictions": Jurisdiction.objects.count(),
            "indicators": Indicator.objects.count(),
        },
    }


def count(paths: list[str], clear_cache: bool) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if clear_cache:
        cache.clear()
    client = Client(HTTP_HOST="127.0.0.1")
    results = {}
    for path in paths:
        # The first request warms per-process caches and, with the page cache on, fills it.
        # A page slower than SLOW_SECONDS is not asked twice: its first count is given.
        started = time.perf_counter()
        for attempt in range(2):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
                size = (
                    sum(len(chunk) for chunk in response.streaming_content)
                    if getattr(response, "streaming", False)
                    else len(response.content)
                )
            if attempt == 0 and time.perf_counter() - started > SLOW_SECONDS:
                break
        results[path] = {
            "status": response.status_code,
            "queries": len(queries),
            "queries_on_first_request": attempt == 0,
            "bytes": size,
            "first_request_ms": round((time.perf_counter() - started) * 1000 / (attempt + 1)),
        }
    return results


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("pick")
    counting = sub.add_parser("count")
    counting.add_argument("paths", nargs="+")
    counting.add_argument("--clear-cache", action="store_true")
    args = parser.parse_args(argv)
    setup()
    result = pick() if args.command == "pick" else count(args.paths, args.clear_cache)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
