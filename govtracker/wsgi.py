"""
WSGI config for govtracker project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govtracker.settings")
# A request's statements stop after 20 s, under the server's 30 s worker timeout
# (govtracker/timeouts.py); management commands, which do not import this module, have
# no limit. DB_STATEMENT_TIMEOUT=0 lifts it.
os.environ.setdefault("DB_STATEMENT_TIMEOUT", "20")

application = get_wsgi_application()

# Each gunicorn worker imports this module: build the lazily built objects now and take
# them out of the garbage collector's walks (govtracker/warmup.py says why).
from govtracker.warmup import warm_up_and_freeze  # noqa: E402

warm_up_and_freeze()
