"""Every way of asking for a list, timed at the loaded database's scale: each API list
plain, in each of its sorts (both directions), with each of its filters and its search,
and the plans page with each of its filters and sorts.

    python -m bench.survey [--requests N] [--slow-ms MS] [URL...]
    make survey

The benchmark (bench/run.py) loads the busiest page of each kind; a client may ask for
any sort or filter the API offers, and one of them without an index reads every row
(`?ordering=modified` over a million milestones took 1.4 s, a search with no match over
five million updates 13 s). This lists them all, one request at a time, in-process with
Django's test client in the benchmark's uncached environment (as bench.instructions:
production settings, the page cache off, DATABASE_URL's database, default `gt_bench`).
Each address is asked for N times (default 3) and the fastest kept, in wall time, so
PostgreSQL's time is in it; the first request also counts the list and keeps the count in
the data cache, as a first visitor's would. Addresses slower than MS (default 20) are
marked. Exit status 1 if any address did not answer 200.
"""

import argparse
import sys
import time
from pathlib import Path

# Values of the filters that do not come from the data: dates before and after most
# rows, a year most milestones fall due in, a search no row matches (the worst case for
# a search without an index: every row read) and one that many do.
DATE_AFTER, DATE_BEFORE, YEAR = "2026-01-01", "2019-01-01", "2023"
SEARCHES = ("zzzz", "數字政府")


def data_values() -> dict[str, list[str]]:
    """A filter's values by its name, picked from the data: a province and a county,
    a plan, one of its milestones, an indicator."""
    from metrics.models import Indicator
    from plans.models import Jurisdiction, Milestone, Plan

    codes = [
        Jurisdiction.objects.filter(level=level).order_by("code").values_list("code", flat=True)[0]
        for level in ("provincial", "county")
        if Jurisdiction.objects.filter(level=level).exists()
    ]
    plan = Plan.objects.order_by("id").first()
    milestone = Milestone.objects.filter(plan=plan).order_by("id").first() if plan else None
    indicator = Indicator.objects.order_by("slug").first()
    return {
        "jurisdiction": codes,
        "parent": codes[:1],
        "plan": [plan.slug] if plan else [],
        "milestone": [str(milestone.pk)] if milestone else [],
        "indicator": [indicator.slug] if indicator else [],
        "deadline_year": [YEAR],
        "q": list(SEARCHES),
    }


def filter_values(name: str, filter_, values: dict[str, list[str]]) -> list[str]:
    import django_filters

    if name in values:
        return values[name]
    if isinstance(filter_, django_filters.OrderingFilter):
        return []  # the pages' sort (`o`), surveyed on the page
    if isinstance(filter_, django_filters.ChoiceFilter):
        return [str(value) for value, _label in filter_.extra["choices"]]
    if isinstance(filter_, django_filters.BooleanFilter):
        return ["true", "false"]
    if isinstance(filter_, django_filters.DateFilter):
        return [DATE_AFTER if name.endswith("_after") else DATE_BEFORE]
    return []


def addresses() -> list[str]:
    from urllib.parse import urlencode

    from govtracker.api_urls import router
    from plans.filters import SORTS, PlanFilter

    values = data_values()
    urls = []
    for prefix, viewset, _basename in router.registry:
        if getattr(viewset.serializer_class, "Meta", None) is None:
            continue  # the scorecards: not a list of rows
        base = f"/api/v1/{prefix}/"
        urls.append(base)
        for field in getattr(viewset, "ordering_fields", None) or []:
            urls += [f"{base}?ordering={field}", f"{base}?ordering=-{field}"]
        filterset = getattr(viewset, "filterset_class", None)
        for name, filter_ in (filterset.base_filters if filterset else {}).items():
            for value in filter_values(name, filter_, values):
                urls.append(f"{base}?{urlencode({name: value})}")
    page = "/zh-hant/plans/"
    for name, filter_ in PlanFilter.base_filters.items():
        for value in filter_values(name, filter_, values):
            urls.append(f"{page}?{urlencode({name: value})}")
    urls += [f"{page}?o={value}" for value, _label in SORTS]
    return urls


def survey(urls: list[str], requests: int, slow_ms: float) -> int:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")  # bench.run.server_env allows this host
    failed = slow = 0
    for url in urls:
        best = None
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                for _chunk in response.streaming_content:
                    pass
            seconds = time.perf_counter() - started
            best = seconds if best is None else min(best, seconds)
        milliseconds = best * 1000
        mark = ""
        if response.status_code != 200:
            failed += 1
            mark = "  NOT 200"
        elif milliseconds > slow_ms:
            slow += 1
            mark = "  SLOW"
        print(f"{milliseconds:9.1f} ms  {response.status_code}  {url}{mark}", flush=True)
    print(f"{len(urls)} addresses, {slow} slower than {slow_ms:g} ms, {failed} not 200")
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.survey")
    parser.add_argument("urls", nargs="*", metavar="URL", help="these instead of all")
    parser.add_argument("--requests", type=int, default=3)
    parser.add_argument("--slow-ms", type=float, default=20)
    parser.add_argument("--child", action="store_true", help=(argparse.SUPPRESS))
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be 1 or more")
    if args.child:
        from bench.probe import setup

        setup()
        return survey(args.urls or addresses(), args.requests, args.slow_ms)
    # In the benchmark's uncached environment, its static files collected (the pages
    # name them in the manifest), in a process of its own.
    import subprocess
    import tempfile

    from bench.instructions import uncached_env
    from bench.run import ROOT

    with tempfile.TemporaryDirectory() as folder:
        env = uncached_env(Path(folder) / "static")
        command = [sys.executable, "-m", "bench.survey", "--child", *argv]
        return subprocess.run(command, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
