"""Where a request's time goes in the worker, by function: cProfile around N requests.

    python -m bench.profile [--requests N] [--sort tottime|cumtime] [--limit K] URL...
    make profile URLS="/zh-hant/plans/?status=missed"

Each URL is requested in-process with Django's test client, in the environment of the
benchmark's uncached pass (as `bench.instructions`: production settings, the page cache
off, DATABASE_URL's database, default `gt_bench`), three times to warm up, then N times
(default 50) under cProfile. It prints the milliseconds a request spends in the K busiest
functions: a map of where to look, not a figure to quote (cProfile slows Python calls
down about twice, and more for small ones); `make instructions` counts the difference a
change makes.
"""

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
from pathlib import Path

from bench.instructions import request_repeatedly, uncached_env, warmed_up_client
from bench.run import ROOT, run_in_project


def profile_in_this_process(path: str, requests: int, sort: str, limit: int) -> None:
    client = warmed_up_client(path)
    profiler = cProfile.Profile()
    profiler.enable()
    request_repeatedly(client, path, requests)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(sort)
    total_ms = stats.total_tt * 1000 / requests
    print(f"{path}: {total_ms:.2f} ms a request under cProfile, {requests} requests")
    print(f"{'tottime':>8} {'cumtime':>8} {'calls':>8}  function (ms and calls a request)")
    for func in stats.fcn_list[:limit]:
        _cc, calls, tottime, cumtime, _callers = stats.stats[func]
        filename, line, name = func
        where = f"{_short(filename)}:{line}({name})"
        print(
            f"{tottime * 1000 / requests:8.3f} {cumtime * 1000 / requests:8.3f} "
            f"{calls / requests:8.1f}  {where}"
        )


def _short(filename: str) -> str:
    for marker in ("site-packages/", f"{ROOT}/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("paths", nargs="+", metavar="URL")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--sort", choices=["tottime", "cumtime"], default="tottime")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.requests < 1:
        parser.error("--requests must be 1 or more")
    if args.child:
        profile_in_this_process(args.paths[0], args.requests, args.sort, args.limit)
        return
    with tempfile.TemporaryDirectory() as folder:
        env = uncached_env(Path(folder) / "static")
        for path in args.paths:
            command = [sys.executable, "-m", "bench.profile", "--child"]
            command += ["--requests", str(args.requests), "--sort", args.sort]
            command += ["--limit", str(args.limit), path]
            result = run_in_project(command, env, timeout=1800)
            if result.returncode != 0:
                raise SystemExit(f"{path}: failed\n{result.stderr[-2000:]}")
            print(result.stdout, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
