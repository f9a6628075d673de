"""govtracker.redis_cache: Django's Redis cache with one client object per server.

Runs against the Redis at TEST_REDIS_URL (default redis://127.0.0.1:6379/15, a database
nothing else here uses), and removes only its own keys; skipped when none answers."""

import os
import subprocess
import sys
import threading

import pytest

from govtracker.redis_cache import RedisCache
from tests.test_settings import ROOT

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


PREFIX = "govtracker-test-redis-cache"


@pytest.fixture
def redis_cache():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": PREFIX})

    def forget_ours():
        # Only this test's keys: clear() would empty the whole Redis database.
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{PREFIX}:*"))
        if keys:
            client.delete(*keys)

    try:
        forget_ours()
    except Exception as error:  # noqa: BLE001 - any failure to reach Redis: skip
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    yield cache
    forget_ours()


def test_the_cache_works_as_djangos(redis_cache):
    redis_cache.set("a", {"plans": [1, 2]}, 60)
    redis_cache.set_many({"b": 2, "c": "三"}, 60)
    assert redis_cache.get("a") == {"plans": [1, 2]}
    assert redis_cache.get_many(["a", "b", "c", "missing"]) == {
        "a": {"plans": [1, 2]},
        "b": 2,
        "c": "三",
    }
    assert redis_cache.incr("b") == 3
    assert redis_cache.add("b", 10) is False
    redis_cache.delete("a")
    assert redis_cache.get("a", "gone") == "gone"


def test_one_client_serves_every_operation_and_thread(redis_cache):
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client
    errors = []

    def work(n):
        try:
            for i in range(50):
                redis_cache.set(f"t{n}-{i}", i, 60)
                assert redis_cache.get(f"t{n}-{i}") == i
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert redis_cache._cache.get_client() is client


def test_the_settings_use_it_with_redis_url():
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='govtracker.settings'; "
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "REDIS_URL": REDIS_URL},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "govtracker.redis_cache.RedisCache"
