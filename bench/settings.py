"""Production settings plus one bench-only URL: the framework's ceiling (bench/urls.py).

The benchmark serves the app with these settings so that the ceiling runs on the same
gunicorn workers and the same middleware stack as the pages it is compared with, without
adding a URL to production.
"""

from govtracker.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
