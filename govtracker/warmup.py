"""Readying a server process before its first request, then freezing its heap.

CPython's cyclic garbage collector walks every tracked object of the oldest generation
when it runs a full collection. A Django process holds several hundred thousand such
objects that live as long as it does (modules, models, URL patterns, compiled templates,
translation catalogues), and a page that builds a few thousand model instances triggers
full collections now and then: each walks the whole heap again, tens of milliseconds, which
showed as the gap between a page's best and median time (the busiest plan page, in-process:
best 48 ms, median 70 ms; frozen, 42 and 46 ms).

`gc.freeze()` moves every object alive at that moment to a permanent generation that the
collector no longer walks (https://docs.python.org/3/library/gc.html#gc.freeze). It is
called once the long-lived objects exist: the lazily built ones are built first (URL
resolvers in every language, the Jinja2 templates compiled, the translation catalogues
and OpenCC's dictionaries loaded), so that they are frozen too instead of being walked for
the rest of the process's life. No database or cache is touched: this runs when the WSGI
module is imported.
"""

import gc
import logging

from django.conf import settings
from django.template import engines
from django.urls import get_resolver, reverse
from django.utils import translation

from govtracker import text

logger = logging.getLogger(__name__)

# CPython collects its youngest generation every 700 new container objects: once or twice a
# page here, each finding a few hundred objects in cycles (a queryset's, a response's) that
# would have waited anyway, and every tenth one walking the next generation too. At 20,000
# the collections run every ten to twenty requests instead, for 2-3.5 % fewer instructions
# a request (`make instructions`: the plan page 26.1 → 25.6 M, the API list 25.3 → 24.6 M,
# the deadline-year page 19.7 → 19.0 M); what waits for them is bounded by that count.
YOUNG_GENERATION_THRESHOLD = 20_000


def warm_up() -> None:
    """Build what the first requests would otherwise build lazily."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            # Loads the language's catalogues and its URL patterns' regexes.
            reverse("plans:home")
    get_resolver().url_patterns  # noqa: B018 — the URLconf imported, views and all
    text.to_simplified("數字政府")  # OpenCC's dictionaries, read on first use
    text.to_traditional("数字政府")
    for engine in engines.all():
        env = getattr(engine, "env", None)  # the Jinja2 engine: compile every template
        if env is None or env.loader is None:
            continue
        for name in env.loader.list_templates():
            if name.endswith(".html"):
                env.get_template(name)


def warm_up_and_freeze() -> None:
    """Warm the process up, then move everything alive to the collector's permanent
    generation. Failing to warm up is logged and never stops the server from starting."""
    try:
        warm_up()
    except Exception:  # pragma: no cover - defensive: a warm-up is an optimisation
        logger.exception("warm-up failed; the first requests will build what it would have")
    freeze_heap()


def freeze_heap() -> None:
    """Everything alive now moved to the collector's permanent generation, and the young
    generation collected less often (YOUNG_GENERATION_THRESHOLD)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:])
