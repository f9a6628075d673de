"""/health/: does this app server reach its database and its cache?

For load balancers and uptime monitors: 200 {"database": "ok", "cache": "ok"} when both
answer, 503 with the failing part marked "error" otherwise. The body names no host, driver
or exception: it is public.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def database_ok(alias: str = "default") -> bool:
    connection = connections[alias]
    try:
        # ensure_connection() alone would trust a connection that the server has since
        # dropped; a round trip proves it answers.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # No need to close the broken connection here: at the end of every request
        # Django drops a connection that raised (close_old_connections), and the next
        # request opens a new one as soon as the server is back.
        logger.warning("health: database %r does not answer", alias, exc_info=True)
        return False
    return True


def cache_ok() -> bool:
    key = f"health:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        answered = cache.get(key) == "1"
        cache.delete(key)
    except Exception:
        logger.warning("health: cache does not answer", exc_info=True)
        return False
    return answered


@never_cache
@require_GET
def health(request):
    checks = {
        "database": "ok" if database_ok() else "error",
        "cache": "ok" if cache_ok() else "error",
    }
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)
