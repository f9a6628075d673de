"""/health/ answers 200 when the database and the cache answer, 503 when either does not,
and the app recovers by itself when its database comes back."""

import json
import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import OperationalError, connections
from django.test import override_settings

from tests.servers import (
    PrivatePostgres,
    ProductionServer,
    can_run_private_postgres,
    get,
    manage,
    production_env,
)

pytestmark = pytest.mark.django_db


def test_healthy_when_database_and_cache_answer(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_unavailable_when_the_database_does_not_answer(client):
    refused = OperationalError("connection to 10.0.0.1 port 5432 failed: secret detail")
    with mock.patch.object(connections["default"], "cursor", side_effect=refused):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"database": "error", "cache": "ok"}
    # The body is public: no host, port or driver message.
    assert b"secret detail" not in response.content
    assert b"5432" not in response.content


def test_unavailable_when_the_cache_does_not_answer(client):
    with mock.patch.object(cache, "set", side_effect=ConnectionError("redis down")):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "error"}


def test_only_get_is_allowed(client):
    assert client.post("/health/").status_code == 405


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[r"^health/$"])
def test_health_is_not_redirected_to_https_but_pages_are(client):
    assert client.get("/health/").status_code == 200
    response = client.get("/en/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.slow
@pytest.mark.private_postgres
@pytest.mark.skipif(not can_run_private_postgres(), reason="PostgreSQL binaries not found")
def test_gunicorn_reports_a_stopped_database_and_recovers_when_it_returns():
    postgres = PrivatePostgres()
    server = None
    try:
        postgres.init()
        env = production_env(postgres.url(), CONN_MAX_AGE="60")
        manage(env, "migrate", "--noinput", "-v0")
        server = ProductionServer(env, workers=1, threads=2)
        server.wait_until_up()

        status, body = get(server.base_url + "/health/")
        assert (status, json.loads(body)) == (200, {"database": "ok", "cache": "ok"})

        postgres.stop("fast")
        status, body = get(server.base_url + "/health/")
        assert (status, json.loads(body)) == (503, {"database": "error", "cache": "ok"})

        postgres.start()
        # No restart of the app: its next request opens a new connection.
        deadline = time.monotonic() + 10
        while (status := get(server.base_url + "/health/")[0]) != 200:
            assert time.monotonic() < deadline, "the app did not recover within 10 s"
            time.sleep(0.2)
        assert status == 200
    finally:
        if server is not None:
            server.stop()
        postgres.destroy()
