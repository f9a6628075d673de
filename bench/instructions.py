"""Instructions a request costs, counted by valgrind: a figure that does not move with the
machine's load, for comparing two versions of the code.

    python -m bench.instructions [--requests N] URL...
    make instructions URLS="/zh-hant/ /api/v1/plans/"

Each URL is requested in-process with Django's test client, with the settings of the
benchmark's uncached pass (`bench.run.server_env`: production settings, the page cache
off, the data cache in Redis at BENCH_REDIS_URL, DATABASE_URL's database, default
`gt_bench`), three times to warm up (connections, caches, compiled templates), then N
times (default 20) under callgrind with its instrumentation switched on only around those
N requests (`callgrind_control --instr on`): the figure is the instructions the Python
process executed, divided by N. The database's work and the cache's are not in
it (they run in other processes), nor is anything the machine's other tenants do: two runs
of the same code agree to 0.1 %, where a request's time on a shared 2-core machine moves by
10-20 % from one minute to the next (README, "Performance").

Needs valgrind (Debian's package `valgrind`). About 20 s a URL: valgrind runs the process
some fifty times slower than it runs alone.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WARM_UP_REQUESTS = 3


def warmed_up_client(path: str):
    """A test client that has asked for `path` WARM_UP_REQUESTS times (connections,
    caches, compiled templates), with what lives on frozen and the collector's thresholds set
    as in a served process (govtracker/warmup.py). In the process of a measurement, with its settings."""
    from bench.probe import setup

    setup()
    from django.test import Client

    from govtracker.warmup import freeze_heap

    client = Client(HTTP_HOST="127.0.0.1")  # bench.run.server_env allows this host
    for _ in range(WARM_UP_REQUESTS):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    freeze_heap()
    return client


def request_repeatedly(client, path: str, requests: int) -> None:
    """`path` asked for `requests` times, a streamed body read to its end."""
    for _ in range(requests):
        response = client.get(path)
        if response.streaming:
            for _chunk in response.streaming_content:
                pass


def count_in_this_process(path: str, requests: int) -> None:
    """Runs under valgrind: warm up, then switch the instrumentation on for the requests."""
    client = warmed_up_client(path)
    toggle = ["callgrind_control", "--instr", "on", str(os.getpid())]
    subprocess.run(toggle, check=True, stdout=subprocess.DEVNULL)
    request_repeatedly(client, path, requests)
    toggle[2] = "off"
    subprocess.run(toggle, check=True, stdout=subprocess.DEVNULL)


def instructions(path: str, requests: int, env: dict[str, str]) -> float:
    """Instructions per request for `path`, from a callgrind run of this module."""
    from bench.run import run_in_project

    with tempfile.TemporaryDirectory() as folder:
        result = run_in_project(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={os.path.join(folder, 'callgrind.out')}",
                sys.executable,
                "-m",
                "bench.instructions",
                "--child",
                "--requests",
                str(requests),
                path,
            ],
            env,
            timeout=1800,
        )
    if result.returncode != 0:
        raise SystemExit(f"{path}: valgrind failed\n{result.stderr[-2000:]}")
    match = re.search(r"Collected\s*:\s*([\d,]+)", result.stderr)
    if match is None:
        raise SystemExit(f"{path}: no count in valgrind's output\n{result.stderr[-2000:]}")
    return int(match.group(1).replace(",", "")) / requests


def uncached_env(static_root: Path) -> dict[str, str]:
    """The benchmark's uncached pass's environment, its static files collected."""
    from bench.run import (
        DEFAULT_DATABASE_URL,
        DEFAULT_REDIS_URL,
        manage,
        pass_environments,
        server_env,
    )

    base = server_env(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL, static_root)
    manage(base, "collectstatic", "--noinput", "-v0")
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    return pass_environments(base, redis_url)["uncached"]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions")
    parser.add_argument("paths", nargs="+", metavar="URL")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be 1 or more")
    if args.child:
        count_in_this_process(args.paths[0], args.requests)
        return
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (Debian: apt-get install valgrind)")
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        env = uncached_env(Path(folder) / "static")
        for path in args.paths:
            figures[path] = instructions(path, args.requests, env)
            if not args.json:
                print(f"{figures[path] / 1e6:8.2f} M instructions a request  {path}", flush=True)
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1:])
