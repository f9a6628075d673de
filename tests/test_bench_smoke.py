"""`make bench-smoke`: the benchmark script itself, run end to end on a tiny database.

Correctness only, no timing: every URL (the ceiling, the pages, the API, a CSV export)
answered 200 under load with no error, query counts were measured, the streamed export's
memory was sampled, and the JSON and Markdown reports were written.
"""

import json
import subprocess
import sys

import pytest

from bench.run import ROOT, SERVER_DID_NOT_START

pytestmark = pytest.mark.slow

PAGES = [
    "ceiling",
    "naive list",
    "home",
    "plans list (filter)",
    "plan page",
    "jurisdiction page",
    "deadline-year page",
    "indicator page",
    "API list",
    "API detail",
    "API scorecards",
    "CSV export",
]


def run_smoke(out, *options: str):
    """bench.run in smoke mode, 1 s a URL, writing to `out`: its output and its report."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--seconds", "1", "--out", str(out)]
        + list(options),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode == SERVER_DID_NOT_START:
        pytest.skip(f"gunicorn could not start on this machine:\n{result.stderr[-2000:]}")
    assert result.returncode == 0, result.stdout + result.stderr
    [report] = out.glob("*.json")
    return result, report


def test_bench_smoke_mode_measures_every_url(tmp_path):
    result, report = run_smoke(tmp_path)
    data = json.loads(report.read_text())
    assert data["problems"] == []
    rows = data["rows"]
    assert [row["name"] for row in rows] == PAGES * 3
    assert [row["pass"] for row in rows] == ["cached"] * len(PAGES) + ["uncached"] * len(PAGES) + [
        "cold"
    ] * len(PAGES)
    for row in rows:
        assert row["status"] == [200], row
        assert row["requests"] > 0 and row["errors"] == 0 and row["non_2xx"] == 0, row
        assert row["rps"] > 0 and 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"], row
        assert row["queries"] >= 0
    ceiling = {row["pass"]: row for row in rows if row["name"] == "ceiling"}
    assert all(row["queries"] == 0 and row["ratio"] == 1.0 for row in ceiling.values())
    naive = {row["pass"]: row for row in rows if row["name"] == "naive list"}
    # The yardstick, a page of plans from the database, that every page is compared with.
    assert all(row["naive_ratio"] == 1.0 for row in naive.values())
    assert naive["uncached"]["queries"] > 0 and naive["cold"]["queries"] > 0
    home = {row["pass"]: row for row in rows if row["name"] == "home"}
    # Served from the page cache without a query; rendered with its queries otherwise.
    assert home["cached"]["queries"] == 0
    assert home["uncached"]["queries"] > 0 and home["cold"]["queries"] > 0

    export = data["export"]
    assert export["complete"] and export["status"] == 200 and export["lines"] > 1
    assert export["serving_worker"]["rss_peak_mib"] > 0

    markdown = report.with_suffix(".md").read_text()
    assert "| ceiling | cached |" in markdown and "Streamed CSV export" in markdown
    assert "jurisdiction page" in result.stdout  # the table is printed


def test_bench_smoke_mode_with_threaded_workers_as_make_serve_runs_them(tmp_path):
    _result, report = run_smoke(tmp_path, "--passes", "uncached", "--no-export", "--threads", "2")
    data = json.loads(report.read_text())
    assert data["problems"] == [] and data["meta"]["threads"] == 2
    assert [row["name"] for row in data["rows"]] == PAGES
    assert all(row["status"] == [200] and row["errors"] == 0 for row in data["rows"])
    assert "2 threaded workers (gthread, 2 threads each)" in report.with_suffix(".md").read_text()
