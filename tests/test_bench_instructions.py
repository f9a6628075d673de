"""`make instructions`: valgrind's count of the instructions a request costs, run end to
end on a tiny SQLite database (correctness only: a count came back for each URL, and a URL
that does not answer 200 is reported, not counted)."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from bench.run import ROOT, manage, server_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("valgrind") is None or shutil.which("callgrind_control") is None,
        reason="valgrind is not installed",
    ),
]


def run(database_url, *paths):
    return subprocess.run(
        [sys.executable, "-m", "bench.instructions", "--requests", "2", "--json", *paths],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "BENCH_REDIS_URL": ""},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_instructions_are_counted_for_each_url(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = server_env(database_url, tmp_path / "static")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_source_data")
    result = run(database_url, "/zh-hant/", "/api/v1/plans/")
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout)
    assert list(figures) == ["/zh-hant/", "/api/v1/plans/"]
    # A page of the app costs millions of instructions; a count of the wrong thing (the
    # process's start, or nothing at all) would be far off either way.
    assert all(1e6 < figure < 1e9 for figure in figures.values()), figures

    missing = run(database_url, "/zh-hant/plans/no-such-plan/")
    assert missing.returncode != 0
    assert "/zh-hant/plans/no-such-plan/ answered 404" in missing.stderr
