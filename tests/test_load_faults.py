"""Load with a fault: gunicorn under a bounded loopback load while its own PostgreSQL is
killed and restarted. Errors happen only inside the restart window, every acknowledged
write survives, and the service resumes by itself."""

import re
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import psycopg
import pytest
import requests

from tests.servers import (
    PrivatePostgres,
    ProductionServer,
    can_run_private_postgres,
    manage,
    production_env,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.private_postgres,
    pytest.mark.skipif(not can_run_private_postgres(), reason="PostgreSQL binaries not found"),
]

BEFORE_FAULT = 5.0  # seconds of load before the database is killed
DOWN_FOR = 1.5  # seconds the database stays down
AFTER_FAULT = 5.0  # seconds of load after it is back
GRACE = 2.0  # seconds around the restart in which errors are allowed
PASSWORD = "load-test-password-7f2a"


@dataclass
class Outcome:
    started: float
    ended: float
    kind: str
    status: int  # 0: no HTTP answer at all
    title: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400


def admin_session(base_url: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    page = session.get(f"{base_url}/en/admin/login/", timeout=5)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base_url}/en/admin/login/?next=/en/admin/",
        {"username": "loadtest", "password": PASSWORD, "csrfmiddlewaretoken": token},
        timeout=5,
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    form = session.get(f"{base_url}/en/admin/plans/source/add/", timeout=5)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return session, token


def test_database_restart_under_load():
    postgres = PrivatePostgres()
    server = None
    static_root = tempfile.TemporaryDirectory(prefix="govtracker-static-")
    try:
        postgres.init()
        env = production_env(postgres.url(), CONN_MAX_AGE="60", STATIC_ROOT=static_root.name)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "load_source_data", "-v0")
        manage(
            {**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
            "createsuperuser",
            "--noinput",
            "--username=loadtest",
            "--email=loadtest@example.org",
        )
        server = ProductionServer(env, workers=2, threads=4)
        server.wait_until_up()
        base = server.base_url

        start = time.monotonic()
        stop_at = start + BEFORE_FAULT + DOWN_FOR + AFTER_FAULT + 2
        outcomes: list[Outcome] = []
        lock = threading.Lock()
        window = {}

        def record(outcome: Outcome) -> None:
            with lock:
                outcomes.append(outcome)

        def reader(paths: list[str]) -> None:
            with requests.Session() as session:
                for i in range(100_000):
                    if time.monotonic() >= stop_at:
                        return
                    path = paths[i % len(paths)]
                    began = time.monotonic()
                    try:
                        status = session.get(base + path, timeout=5).status_code
                    except requests.RequestException:
                        status = 0
                    record(Outcome(began, time.monotonic(), f"GET {path}", status))
                    time.sleep(0.02)

        def writer(name: str) -> None:
            session, token = admin_session(base)
            for i in range(100_000):
                if time.monotonic() >= stop_at:
                    return
                title = f"負載測試來源 {name}-{i}"
                began = time.monotonic()
                try:
                    response = session.post(
                        f"{base}/en/admin/plans/source/add/",
                        {"csrfmiddlewaretoken": token, "title": title, "_save": "Save"},
                        timeout=5,
                        allow_redirects=False,
                    )
                    # The admin answers a saved form with a redirect; 200 is the form again.
                    status = response.status_code if response.status_code != 200 else 422
                except requests.RequestException:
                    status = 0
                record(Outcome(began, time.monotonic(), "POST source", status, title))
                time.sleep(0.05)

        def fault() -> None:
            time.sleep(BEFORE_FAULT)
            window["down"] = time.monotonic()
            postgres.stop("immediate")  # a crash: no clean shutdown
            time.sleep(DOWN_FOR)
            postgres.start()
            window["up"] = time.monotonic()

        with ThreadPoolExecutor(max_workers=5) as pool:
            futures = [
                pool.submit(reader, ["/zh-hant/", "/health/", "/en/indicators/"]),
                pool.submit(reader, ["/en/plans/anhui-digital-government-2020-2025/", "/zh-hans/"]),
                pool.submit(writer, "a"),
                pool.submit(writer, "b"),
                pool.submit(fault),
            ]
            for future in futures:
                future.result(timeout=60)

        down, up = window["down"], window["up"]
        before = [o for o in outcomes if o.ended < down]
        after = [o for o in outcomes if o.started > up + GRACE]
        failed = [o for o in outcomes if not o.ok]
        summary = (
            f"{len(outcomes)} requests, {len(failed)} failed; down at {down - start:.1f} s, "
            f"up at {up - start:.1f} s; failures at "
            f"{sorted({round(o.started - start, 1) for o in failed})}"
        )
        print(summary)
        assert len(before) > 50 and len(after) > 50, summary
        assert all(o.ok for o in before), summary
        assert all(o.ok for o in after), summary
        for o in failed:  # each failure overlaps the restart window (with grace)
            assert o.ended >= down - GRACE and o.started <= up + GRACE, (o, summary)
        assert any(o.kind == "POST source" for o in after), "writes did not resume"

        # Every write the server acknowledged is in the database, exactly once.
        acknowledged = [o.title for o in outcomes if o.kind == "POST source" and o.ok]
        with psycopg.connect(postgres.url()) as conn:
            stored = [
                row[0]
                for row in conn.execute(
                    "SELECT title FROM plans_source WHERE title LIKE %s", ["負載測試來源 %"]
                )
            ]
        assert sorted(acknowledged) == sorted(set(acknowledged))
        assert set(acknowledged) <= set(stored), set(acknowledged) - set(stored)
        assert len(stored) == len(set(stored))
        assert requests.get(base + "/health/", timeout=5).status_code == 200
    finally:
        if server is not None:
            server.stop()
        postgres.destroy()
        static_root.cleanup()
