"""`make profile`: cProfile's map of a request, run end to end on a tiny SQLite database
(correctness only: the view's own functions are listed, per request)."""

import os
import subprocess
import sys

import pytest

from bench.run import ROOT, manage, server_env

pytestmark = pytest.mark.slow


def run(database_url, *args):
    return subprocess.run(
        [sys.executable, "-m", "bench.profile", "--requests", "3", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "BENCH_REDIS_URL": ""},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_requests_functions_are_listed(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = server_env(database_url, tmp_path / "static")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_source_data")
    result = run(database_url, "--sort", "cumtime", "--limit", "200", "/zh-hant/plans/")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "/zh-hant/plans/: " in result.stdout and "3 requests" in result.stdout
    # The list view itself, its path shortened to the project's.
    assert "plans/views.py:" in result.stdout
    assert str(ROOT) not in result.stdout

    missing = run(database_url, "/zh-hant/plans/no-such-plan/")
    assert missing.returncode != 0
    assert "answered 404" in missing.stderr
