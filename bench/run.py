"""`make bench`: the app under gunicorn with production settings, driven on loopback.

    python -m bench.run                 # national: DATABASE_URL (default gt_bench on PG)
    python -m bench.run --smoke         # tiny: its own SQLite database, 1 s per URL

For each pass ("cached": Redis and the page cache on; "uncached": PAGE_CACHE=0, pages
rendered on every request with the scorecards from their data cache; "cold": the
scorecard cache off too, SCORECARD_CACHE=0) it starts
gunicorn (2 sync workers, the issue's setting; --threads N for `make serve`'s threaded
workers), counts each URL's queries in-process against the
same database (bench/probe.py), checks each URL answers 200, then loads each URL in turn
at N connections for S seconds (wrk, or bench/load.py's Python generator without it) and
records throughput and p50/p95/p99 latency. /bench/ceiling/ (bench/urls.py), served by the
same workers, is the framework's ceiling; each page's throughput is given as a ratio to it.
Last, it streams the largest API CSV export once and samples the workers' memory
(/proc/<pid>/status) before, during and after.

Writes <out>/<timestamp>.json and .md and prints the table. Exit status: 0 when every URL
answered 200 without errors, 1 otherwise, 3 when gunicorn did not start.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench import load

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gt_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
# The goals (issue 7), at national scale on PostgreSQL, 2 workers, 16 connections.
CACHED_MIN_RATIO = 0.5
UNCACHED_MIN_RATIO = 0.1
UNCACHED_MAX_P99_MS = 100.0
# `make serve`'s worker timeout: a sync worker busy longer than this is killed.
SERVE_TIMEOUT_S = 30
SERVER_DID_NOT_START = 3
NOT_MEASURED = {
    "tool": "",
    "requests": 0,
    "seconds": 0.0,
    "rps": 0.0,
    "errors": 0,
    "non_2xx": 0,
    "p50_ms": None,
    "p95_ms": None,
    "p99_ms": None,
    "max_ms": None,
}


class ServerDidNotStart(RuntimeError):
    pass


# --- Environment and server ------------------------------------------------------------


def server_env(database_url: str, static_root: Path, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off, manifest static files, security headers) on plain
    HTTP loopback. Built from scratch, so nothing leaks in from the caller's environment."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + "n0t-a-secret-" * 4,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(static_root),
        # No TLS in front of loopback: without these every request is a redirect to https.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        # One client address sending thousands of requests would only measure 429s.
        "API_ANON_RATE": "",
        "LOG_LEVEL": "ERROR",
        # Production's default (prepared statements on); 0 measures the difference.
        "DB_PREPARED_STATEMENTS": os.environ.get("DB_PREPARED_STATEMENTS", "1"),
    }
    env.update(extra)
    return env


def run_in_project(command: list[str], env: dict[str, str], timeout: float):
    """`command` run in the project's folder with exactly `env`, its output captured."""
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def pass_environments(base: dict[str, str], redis_url: str) -> dict[str, dict[str, str]]:
    """Each pass's server environment: `base` (server_env) with its caches on or off."""
    redis = {"REDIS_URL": redis_url} if redis_url else {}
    return {
        "cached": {**base, "PAGE_CACHE": "1", **redis},
        # Every page rendered; the scorecards from the data cache (SCORECARD_CACHE).
        "uncached": {**base, "PAGE_CACHE": "0", **redis},
        # Nothing cached: every roll-up computed on every request.
        "cold": {**base, "PAGE_CACHE": "0", "SCORECARD_CACHE": "0"},
    }


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    result = run_in_project([sys.executable, "manage.py", *args], env, timeout)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def probe(env: dict[str, str], *args: str) -> dict:
    result = run_in_project([sys.executable, "-m", "bench.probe", *args], env, 1800)
    if result.returncode != 0:
        raise RuntimeError(f"bench.probe {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn govtracker.wsgi on a free port: sync workers (the issue's setting), or with
    `threads`, threaded workers as `make serve` runs them."""

    def __init__(
        self, env: dict[str, str], workers: int, log: Path, timeout: int, threads: int = 0
    ):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "govtracker.wsgi",
                    "--workers",
                    str(workers),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--timeout",
                    str(timeout),
                    "--graceful-timeout",
                    "20",
                    *(["--worker-class", "gthread", "--threads", str(threads)] if threads else []),
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.workers = workers

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerDidNotStart(f"gunicorn exited:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.base_url + "/bench/ceiling/", timeout=2):
                    pass
            except urllib.error.HTTPError:
                pass
            except OSError:
                time.sleep(0.2)
                continue
            if len(self.worker_pids()) >= self.workers:
                return
            time.sleep(0.2)
        raise ServerDidNotStart(f"gunicorn did not answer within {timeout} s:\n{self.output()}")

    def worker_pids(self) -> list[int]:
        """The master's children (gunicorn forks one process per worker)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # Fields after the command name, which is in parentheses and may hold spaces.
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-5000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            # Quick shutdown: what is still in flight or queued is of no interest here.
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def timed_get(url: str, timeout: float) -> tuple[int, float, str]:
    """Status, seconds and error of one GET (status 0 when there was no answer)."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status, error = response.status, ""
    except urllib.error.HTTPError as exc:
        status, error = exc.code, ""
    except (OSError, http.client.HTTPException) as exc:
        status, error = 0, f"{type(exc).__name__}: {exc}"
    return status, time.monotonic() - started, error


# --- Memory -----------------------------------------------------------------------------


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (the most ever resident) of a process, in KiB."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    except OSError:
        pass
    return values


def measure_export(server: Gunicorn, path: str, rows: int) -> dict:
    """Stream one export to the end, reading and dropping its body, while a thread samples
    every worker's resident memory. The worker serving it is the one whose memory moves;
    the bound is on that growth, which must not scale with the number of rows."""
    pids = server.worker_pids()
    before = {pid: memory_kib(pid) for pid in pids}
    peak = {pid: before[pid].get("VmRSS", 0) for pid in pids}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            for pid in pids:
                peak[pid] = max(peak[pid], memory_kib(pid).get("VmRSS", 0))

    sampler = threading.Thread(target=sample)
    sampler.start()
    size = lines = 0
    status = 0
    error = ""
    started = time.monotonic()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        connection.request("GET", path)
        response = connection.getresponse()
        status = response.status
        while chunk := response.read(1 << 16):
            size += len(chunk)
            lines += chunk.count(b"\n")
        connection.close()
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"
    finally:
        seconds = time.monotonic() - started
        done.set()
        sampler.join()
    after = {pid: memory_kib(pid) for pid in pids}
    growth = {pid: peak[pid] - before[pid].get("VmRSS", 0) for pid in pids}
    serving = max(pids, key=lambda pid: growth[pid]) if pids else None
    return {
        "path": path,
        "rows": rows,
        "status": status,
        "error": error,
        "complete": status == 200 and not error and (rows is None or lines >= rows + 1),
        "bytes": size,
        "lines": lines,
        "seconds": round(seconds, 1),
        "serving_worker": {
            "rss_before_mib": round(before[serving].get("VmRSS", 0) / 1024, 1),
            "rss_peak_mib": round(peak[serving] / 1024, 1),
            "rss_after_mib": round(after[serving].get("VmRSS", 0) / 1024, 1),
            "hwm_after_mib": round(after[serving].get("VmHWM", 0) / 1024, 1),
            "growth_mib": round(growth[serving] / 1024, 1),
        }
        if serving
        else {},
        "longer_than_serve_timeout": seconds > SERVE_TIMEOUT_S,
    }


# --- Passes -----------------------------------------------------------------------------


def goal_met(pass_name: str, row: dict, ceiling_rps: float) -> bool | None:
    if not row["goal"]:
        return None
    if row["skipped"]:
        return False
    if pass_name == "cached":
        return row["ratio"] >= CACHED_MIN_RATIO
    return row["ratio"] >= UNCACHED_MIN_RATIO and row["p99_ms"] < UNCACHED_MAX_P99_MS


def run_pass(name: str, env: dict, pages: list[dict], args, workdir: Path, say) -> list[dict]:
    paths = [page["path"] for page in pages]
    say(f"[{name}] counting queries in-process")
    counts = probe(env, "count", *paths, *(["--clear-cache"] if name == "cached" else []))
    rows = []
    for page in pages:
        # A server of its own for each URL: requests wrk left queued behind a slow page
        # would otherwise still be served while the next URL is measured.
        server = Gunicorn(
            env, args.workers, workdir / f"gunicorn-{name}.log", SERVE_TIMEOUT_S, args.threads
        )
        try:
            server.wait_until_up()
            rows.append(measure_url(name, page, counts[page["path"]], server, args, say))
        finally:
            server.stop()
    ceiling = rows[0]["rps"] or 1.0
    naive = next((row["rps"] for row in rows if row["name"] == "naive list"), 0.0) or 1.0
    for row in rows:
        row["ratio"] = round(row["rps"] / ceiling, 3)
        row["naive_ratio"] = round(row["rps"] / naive, 3)
        row["goal_met"] = goal_met(name, row, ceiling)
    return rows


def measure_url(name: str, page: dict, counted: dict, server: Gunicorn, args, say) -> dict:
    url = server.base_url + page["path"]
    row = {"pass": name, "name": page["name"], "path": page["path"], "goal": page["goal"]}
    row.update(counted)
    # One request alone first: a page slower than --max-single-seconds cannot be served to
    # 16 connections by a few workers (they would be killed at the worker timeout, one
    # after another); it is reported, not loaded.
    status, seconds, error = timed_get(url, SERVE_TIMEOUT_S + 5)
    row["single_request_ms"] = round(seconds * 1000)
    if status != 200 or seconds > args.max_single_seconds:
        reason = (error or f"status {status}") if status != 200 else "too slow"
        say(f"[{name}] {page['name']}: not loaded ({reason}, {seconds:.1f} s alone)")
        return {**row, "status": [status], "skipped": reason, **NOT_MEASURED}
    # Warm every worker (templates, translations, OpenCC) and check the answer.
    statuses = {status} | {
        timed_get(url, SERVE_TIMEOUT_S + 5)[0] for _ in range(2 * args.workers - 1)
    }
    say(f"[{name}] {page['name']}: {url}")
    measured = load.run(args.tool, url, connections=args.connections, seconds=args.seconds)
    return {**row, "status": sorted(statuses), "skipped": "", **measured}


# --- Report -----------------------------------------------------------------------------

COLUMNS = [
    "page",
    "pass",
    "req/s",
    "× ceiling",
    "× naive list",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "queries",
    "goal",
    "first s",
]


def milliseconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def table_rows(rows: list[dict]) -> list[list[str]]:
    mark = {True: "met", False: "NOT met", None: "–"}
    return [
        [
            row["name"],
            row["pass"],
            f"{row['rps']:.0f}" if not row["skipped"] else "not loaded",
            f"{row['ratio']:.2f}",
            f"{row['naive_ratio']:.2f}",
            milliseconds(row["p50_ms"]),
            milliseconds(row["p95_ms"]),
            milliseconds(row["p99_ms"]),
            f"{row['queries']}{'*' if row['queries_on_first_request'] else ''}",
            mark[row["goal_met"]],
            f"{row['single_request_ms'] / 1000:.2f}",
        ]
        for row in rows
    ]


def text_table(rows: list[dict]) -> str:
    body = [COLUMNS, *table_rows(rows)]
    widths = [max(len(line[i]) for line in body) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in body
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown(result: dict) -> str:
    meta = result["meta"]
    out = [
        f"# Benchmark, {meta['started']}",
        "",
        f"- Mode: {meta['mode']}; data: "
        + ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in meta["data"].items()),
        f"- Machine: {meta['machine']}",
        f"- Database: {meta['database']}; cache (cached pass): {meta['cache']}",
        f"- gunicorn: {workers_text(meta)}; load: {meta['tool']}, "
        f"{meta['connections']} connections, {meta['seconds']} s per URL",
        f"- Goals: cached ≥ {CACHED_MIN_RATIO:.0%} of the ceiling; uncached ≥ "
        f"{UNCACHED_MIN_RATIO:.0%} and p99 < {UNCACHED_MAX_P99_MS:.0f} ms "
        "(public pages and the API list)",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
    ]
    out += ["| " + " | ".join(cells) + " |" for cells in table_rows(result["rows"])]
    out += [
        "",
        "Queries: counted in-process on the same database and cache, on a URL's second "
        "request (* its first, the URL being slower than 5 s). First s: the first request, alone "
        "(a cold worker: it includes per-process warm-up). Not loaded: a URL whose first "
        "request took longer than "
        f"{meta['max_single_seconds']} s, or not answering 200.",
    ]
    export = result.get("export")
    if export:
        worker = export["serving_worker"]
        out += [
            "",
            "## Streamed CSV export",
            "",
            f"`{export['path']}`: {export['lines'] - 1:,} rows, {export['bytes'] / 2**20:,.1f} MiB "
            f"in {export['seconds']} s (status {export['status']}, "
            f"{'complete' if export['complete'] else 'INCOMPLETE ' + export['error']}).",
            f"Serving worker's resident memory: {worker.get('rss_before_mib')} MiB before, "
            f"{worker.get('rss_peak_mib')} MiB at most while streaming "
            f"(+{worker.get('growth_mib')} MiB), {worker.get('rss_after_mib')} MiB after.",
        ]
        if export["longer_than_serve_timeout"]:
            out.append(
                f"This export took longer than `make serve`'s --timeout {SERVE_TIMEOUT_S}: "
                "measured here with the timeout off. A sync worker would be killed "
                "mid-export at that timeout; `make serve`'s threaded workers keep "
                "reporting alive while a thread streams."
            )
    problems = result["problems"]
    out += ["", "## Problems", ""] + ([f"- {p}" for p in problems] if problems else ["None."])
    return "\n".join(out) + "\n"


def workers_text(meta: dict) -> str:
    threads = meta.get("threads") or 0
    if threads:
        return f"{meta['workers']} threaded workers (gthread, {threads} threads each)"
    return f"{meta['workers']} sync workers"


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} CPUs {model}, {memory:.0f} GiB, {platform.platform()}"


# --- Main -------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny SQLite database, 1 s a URL")
    parser.add_argument("--database-url", default=env.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=env.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--seconds", type=float, default=float(env.get("BENCH_SECONDS", 10)))
    parser.add_argument("--connections", type=int, default=int(env.get("BENCH_CONNECTIONS", 16)))
    parser.add_argument("--workers", type=int, default=int(env.get("BENCH_WORKERS", 2)))
    parser.add_argument(
        "--threads",
        type=int,
        default=int(env.get("BENCH_THREADS", 0)),
        help="0: sync workers (the issue's setting); N: gthread workers of N threads, as "
        "`make serve` runs them",
    )
    parser.add_argument(
        "--passes",
        default=env.get("BENCH_PASSES", "cached,uncached,cold"),
        help="comma-separated: cached, uncached (page cache off), cold (scorecard cache off too)",
    )
    parser.add_argument(
        "--no-export", action="store_true", help="skip the streamed export's memory check"
    )
    parser.add_argument(
        "--max-single-seconds",
        type=float,
        default=float(env.get("BENCH_MAX_SINGLE_SECONDS", 10)),
        help="a URL slower than this alone is reported, not loaded",
    )
    parser.add_argument("--loadgen", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--out", type=Path, default=None, help="where to write JSON and .md")
    args = parser.parse_args(argv)
    if args.smoke:
        args.seconds = min(args.seconds, 1.0)
    args.passes = [p.strip() for p in args.passes.split(",") if p.strip()]
    unknown = set(args.passes) - {"cached", "uncached", "cold"}
    if unknown:
        parser.error(f"unknown pass: {', '.join(sorted(unknown))}")
    args.tool = load.available_tool(args.loadgen)
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = datetime.datetime.now(datetime.UTC)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    workdir = Path(tempfile.mkdtemp(prefix="govtracker-bench-"))
    out = args.out or (
        Path(tempfile.mkdtemp(prefix="govtracker-bench-smoke-"))
        if args.smoke
        else ROOT / "bench" / "results"
    )
    out.mkdir(parents=True, exist_ok=True)
    try:
        if args.smoke:
            database_url = f"sqlite:///{workdir / 'db.sqlite3'}"
            redis_url = ""  # local memory: the smoke test needs no Redis
        else:
            database_url = args.database_url
            redis_url = args.redis_url
        base = server_env(database_url, workdir / "static")
        say(f"collectstatic and migrate ({database_url})")
        manage(base, "collectstatic", "--noinput", "-v0")
        manage(base, "migrate", "--noinput", "-v0")
        if args.smoke:
            manage(base, "load_source_data")
        else:
            # As production's nightly job would have: a snapshot built on an earlier day
            # is stale, and every page would be measured computing statuses live.
            say("refresh_status_snapshot")
            manage(base, "refresh_status_snapshot", timeout=1800)
        picked = probe({**base, "BENCH_EXPORT": os.environ.get("BENCH_EXPORT", "")}, "pick")
        pass_envs = pass_environments(base, redis_url)
        rows: list[dict] = []
        for name in args.passes:
            rows += run_pass(name, pass_envs[name], picked["pages"], args, workdir, say)
        export = None
        if not args.no_export:
            # The timeout off: the point is the memory over the whole export, however long.
            say(f"streaming {picked['export']['path']} ({picked['export']['rows']} rows)")
            server = Gunicorn(
                pass_envs["uncached"],
                args.workers,
                workdir / "gunicorn-export.log",
                0,
                args.threads,
            )
            try:
                server.wait_until_up()
                export = measure_export(server, picked["export"]["path"], picked["export"]["rows"])
            finally:
                server.stop()
    except ServerDidNotStart as error:
        say(f"gunicorn did not start: {error}")
        return SERVER_DID_NOT_START
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    problems = [
        f"{row['pass']} {row['name']}: "
        + (
            f"not loaded ({row['skipped']}; {row['single_request_ms'] / 1000:.1f} s alone)"
            if row["skipped"]
            else f"statuses {row['status']}, {row['errors']} errors "
            f"(timeouts included), {row['non_2xx']} non-2xx"
        )
        for row in rows
        if row["skipped"] or row["status"] != [200] or row["errors"] or row["non_2xx"]
    ]
    if export and not export["complete"]:
        problems.append(f"export {export['path']} incomplete: {export}")
    result = {
        "meta": {
            "started": started.isoformat(timespec="seconds"),
            "mode": "smoke" if args.smoke else "full",
            "machine": machine(),
            "database": database_url.split("@")[-1] if "@" in database_url else database_url,
            "cache": redis_url or "local memory",
            "workers": args.workers,
            "threads": args.threads,
            "connections": args.connections,
            "seconds": args.seconds,
            "tool": args.tool,
            "max_single_seconds": args.max_single_seconds,
            "data": picked["data"],
        },
        "rows": rows,
        "export": export,
        "problems": problems,
    }
    json_path = out / f"{stamp}.json"
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    (out / f"{stamp}.md").write_text(markdown(result))
    print(text_table(rows))
    if export:
        worker = export["serving_worker"]
        print(
            f"\nexport {export['path']}: {export['lines'] - 1:,} rows, "
            f"{export['bytes'] / 2**20:,.1f} MiB in {export['seconds']} s; serving worker RSS "
            f"{worker.get('rss_before_mib')} → peak {worker.get('rss_peak_mib')} MiB "
            f"(+{worker.get('growth_mib')}), after {worker.get('rss_after_mib')} MiB"
        )
    print(f"\nwrote {json_path} and {json_path.with_suffix('.md')}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
