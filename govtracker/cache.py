"""Caching of public pages, API reads and scorecards, invalidated by every write.

One value, the *data version*, is kept in the cache when it is shared (Redis, with
REDIS_URL), or in a small file when the cache is each process's own memory (so that a
write in one process, a management command, reaches every other). Every cached page and
value records the version it was computed at and is used only while the version is
unchanged. The version moves on (`bump_data_version()`):

- after every transaction that wrote to a table of the plans or metrics apps commits (or
  right away for a write outside a transaction). Writes are seen where Django sends SQL to
  the database (a connection's execute wrapper), not through model signals, so
  `QuerySet.update()`, `bulk_create()`, imports, restores and management commands count
  as much as `save()`; a write that bypasses Django's cursor (psycopg's COPY, in
  plans/bulk_load.py) calls `data_changed()`. A write that is rolled back changes nothing;
- when code calls `bump_data_version()` (writes made outside Django, by hand).

Keys also hold today's date in the site's time zone (an update scheduled for tomorrow
appears at midnight without any write), the address, the language, what the client
accepts (API) and the release (a hash of the code, templates and pinned libraries: a new
deployment never serves what the old code rendered).

`PageCacheMiddleware` serves anonymous GET and HEAD requests from the cache: one cache
round trip, no database query, no template; a matching If-None-Match gets 304 after
reading the version alone. Settings: PAGE_CACHE (environment PAGE_CACHE=0 turns the
pages' and API's cache off), SCORECARD_CACHE (SCORECARD_CACHE=0 the scorecards'), PAGE_CACHE_TIMEOUT, PAGE_CACHE_MAX_BYTES, PAGE_CACHE_VERSION_FILE.
"""

import functools
import hashlib
import logging
import os
import pickle
import re
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone, translation
from django.utils.cache import cc_delim_re
from django.utils.functional import SimpleLazyObject, empty
from django.utils.http import parse_etags

logger = logging.getLogger(__name__)

VERSION_KEY = "data-version"
# The apps whose tables hold what the public pages show.
DATA_APPS = ("plans", "metrics")
# Headers a stored response may vary on: the key covers each (language; Accept for the
# API) or the request must not carry it (Authorization, a session cookie). Origin is
# added by the CORS middleware, which runs outside this one on hits as well.
VARY_COVERED = {"accept-language", "cookie", "authorization", "origin"}


# --- The data version ---------------------------------------------------------------


def _fresh_version() -> int:
    # Milliseconds: a version lost from the cache (evicted, cleared) restarts above any
    # number it reached before, so an old entry never matches the new count.
    return int(time.time() * 1000)


def _version_file() -> Path | None:
    """Where the version lives when the cache is each process's own memory: a file that
    every process of this installation on this machine reads, so that a write in one
    (a management command, another worker) makes the others' entries stale too. With a
    shared cache (Redis) the version lives in the cache."""
    if "locmem" not in settings.CACHES["default"]["BACKEND"].lower():
        return None
    if settings.PAGE_CACHE_VERSION_FILE:
        return Path(settings.PAGE_CACHE_VERSION_FILE)
    return _default_version_file(
        str(settings.BASE_DIR), str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])
    )


@functools.cache
def _default_version_file(base_dir: str, database: str) -> Path:
    name = hashlib.sha256(f"{base_dir}|{database}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"govtracker-data-version-{name}"


def _write_version_file(path: Path) -> None:
    # A new file put in place at once: a reader sees the old version or the new one.
    version = f"{time.time_ns()}-{os.getpid()}-{threading.get_ident()}"
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
    partial.write_text(version)
    os.replace(partial, path)


def data_version():
    """The current data version (an int in the cache, or a string from the file)."""
    path = _version_file()
    if path is not None:
        try:
            return path.read_text()
        except FileNotFoundError:
            _write_version_file(path)
            return path.read_text()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_data_version() -> None:
    """Make every cached page and value stale. Called after each committed write; call it
    yourself after changing the data outside Django. Never raises: a cache that is down
    serves nothing either."""
    _forget_request_version()
    try:
        path = _version_file()
        if path is not None:
            _write_version_file(path)
            return
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet
            cache.add(VERSION_KEY, _fresh_version(), timeout=None)
    except Exception:
        logger.exception("Could not bump the page cache's data version.")


def version_and_entry(key: str):
    """(the data version, what the cache holds under `key`): one round trip to Redis."""
    if _version_file() is not None:
        return data_version(), cache.get(key)
    values = cache.get_many([VERSION_KEY, key])
    return values.get(VERSION_KEY) or data_version(), values.get(key)


def _bump_after_commit() -> None:
    bump_data_version()


def has_uncommitted_writes(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether this thread's connection wrote data it has not committed yet. What it
    reads then is not what other visitors see: it must neither be served from the cache
    nor stored in it (tests run inside such a transaction once they create data)."""
    connection = connections[using]
    return connection.in_atomic_block and any(
        entry[1] is _bump_after_commit for entry in connection.run_on_commit
    )


_WRITE = re.compile(
    r'\s*(?:(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)|TRUNCATE|REPLACE)',
    re.IGNORECASE,
)


@functools.cache
def _data_tables() -> frozenset[str]:
    from django.apps import apps

    return frozenset(
        model._meta.db_table
        for label in DATA_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    )


def _is_data_write(sql) -> bool:
    match = _WRITE.match(sql) if isinstance(sql, str) else None
    if match is None:
        return False
    # TRUNCATE and REPLACE name their tables in ways not worth parsing: count them.
    return match.group(2) is None or match.group(2) in _data_tables()


def data_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """The connection `using` wrote data: the version moves on once that commits (at once
    outside a transaction). Called for every write Django sends; call it yourself after
    a write that bypasses Django's cursor (psycopg's COPY)."""
    connection = connections[using]
    if not connection.in_atomic_block:
        bump_data_version()
    elif not has_uncommitted_writes(using):
        # Once per transaction; discarded if it (or the savepoint) rolls back.
        connection.on_commit(_bump_after_commit, robust=True)


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if _is_data_write(sql):
        data_changed(context["connection"].alias)
    return result


def watch_connection(connection, **kwargs) -> None:
    """connection_created receiver: every statement on the connection passes
    `_watch_writes`."""
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch_writes)


def install() -> None:
    from django.db.backends.signals import connection_created

    connection_created.connect(watch_connection, dispatch_uid="govtracker.cache.watch")
    for connection in connections.all(initialized_only=True):
        watch_connection(connection)


# --- Values: scorecards ---------------------------------------------------------------


# A page reads two to four values (the snapshot's date, a list's count, a scorecard):
# each was a round trip to Redis that read the data version again, 0.3 ms apiece. Within
# a request (`request_scope`, entered by PageCacheMiddleware for every request) the version
# is read once, with the first value; the values themselves are remembered in the process
# under the version they were computed at, so that the next request, having read the
# version (one round trip), finds them without another. A remembered value is kept
# pickled and unpickled for each caller, as the cache would give it: no caller can change
# another's. A write this process commits forgets the request's version at once; another
# process's write is seen by the next request, as a database read that began before it
# would not see it either.
_request: ContextVar[dict | None] = ContextVar("govtracker_cache_request", default=None)
_remembered: dict[str, tuple[object, bytes]] = {}
_remembered_lock = threading.Lock()
REMEMBERED_VALUES = 256


@contextmanager
def request_scope():
    """Read the data version at most once until the block ends (or this process writes)."""
    token = _request.set({})
    try:
        yield
    finally:
        _request.reset(token)


def request_data_version():
    """The data version, read at most once in a `request_scope()` (once per call outside
    one): for what is kept in the process by version (govtracker/prepared.py)."""
    scope = _request.get()
    if scope is not None and "version" in scope:
        return scope["version"]
    version = data_version()
    if scope is not None:
        scope["version"] = version
    return version


def _forget_request_version() -> None:
    scope = _request.get()
    if scope is not None:
        scope.pop("version", None)


def _remember(full_key: str, version, value) -> None:
    try:
        pickled = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    except Exception:  # the cache would have refused it too
        return
    with _remembered_lock:
        _remembered.pop(full_key, None)
        while len(_remembered) >= REMEMBERED_VALUES:
            _remembered.pop(next(iter(_remembered)))
        _remembered[full_key] = (version, pickled)


def _remembered_value(full_key: str, version):
    """(True, value) if this process remembers `full_key` at `version`, else (False, None)."""
    remembered = _remembered.get(full_key)
    if remembered is None or remembered[0] != version:
        return False, None
    return True, pickle.loads(remembered[1])


def cached_data(key: str, compute: Callable[[], object]):
    """`compute()`, kept in the cache until the data version moves on (or a day passes).
    The value must be picklable and must not depend on who asks."""
    if not settings.SCORECARD_CACHE or has_uncommitted_writes():
        return compute()
    full_key = f"data:{_context()}:{key}"
    scope = _request.get()
    try:
        if scope is not None and "version" in scope:
            version = scope["version"]
            found, value = _remembered_value(full_key, version)
            if found:
                return value
            entry = cache.get(full_key)
        else:
            version, entry = version_and_entry(full_key)
            if scope is not None:
                scope["version"] = version
    except Exception:
        logger.exception("The cache cannot be read; computing %s.", key)
        return compute()
    if entry is not None and entry[0] == version:
        if _remembered.get(full_key, (None,))[0] != version:
            _remember(full_key, version, entry[1])
        return entry[1]
    value = compute()
    try:
        cache.set(full_key, (version, value), settings.PAGE_CACHE_TIMEOUT)
    except Exception:
        logger.exception("The cache cannot be written; %s not kept.", key)
    else:
        _remember(full_key, version, value)
    return value


# --- Pages ----------------------------------------------------------------------------


# Everything a cached page or API answer is rendered from, besides the data: the code,
# the public pages' templates (jinja2/) and the admin's (templates/), the translations,
# the static files, and the pinned libraries (Django, DRF, Jinja2 and OpenCC, which
# converts the Simplified pages, render too).
RELEASE_PATHS = (
    "govtracker",
    "plans",
    "metrics",
    "jinja2",
    "templates",
    "locale",
    "locale_vendor",
    "static",
    "requirements.txt",
)
RELEASE_SUFFIXES = {".py", ".html", ".mo", ".css", ".js", ".svg"}


@functools.cache
def release() -> str:
    """A hash of RELEASE_PATHS: entries rendered by another deployment never match."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for name in RELEASE_PATHS:
        top = base / name
        if top.is_file():
            paths = [top]
        else:
            paths = [
                p for p in sorted(top.rglob("*")) if p.is_file() and p.suffix in RELEASE_SUFFIXES
            ]
        for path in paths:
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _context() -> str:
    """What every key shares: the release, the settings the figures depend on, today."""
    return f"{release()}:{settings.PROGRESS_TOLERANCE}:{timezone.localdate().isoformat()}"


def _etag(version, key: str) -> str:
    digest = hashlib.sha256(f"{version}:{key}".encode()).hexdigest()[:32]
    return f'"{digest}"'


def _etag_matches(header: str, etag: str) -> bool:
    # Weak comparison, as for GET (RFC 9110, 13.1.2).
    tags = {tag.removeprefix("W/") for tag in parse_etags(header)}
    return "*" in tags or etag in tags


def _authenticated(request) -> bool:
    """Whether the view ended up answering a signed-in user (a user object that was never
    looked up is anonymous: the request had no session cookie)."""
    user = request.__dict__.get("user")
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return False
    return bool(user.is_authenticated)


class _AnonymousRequest:
    """What a DRF throttle reads of a request: who asks, from which address."""

    def __init__(self, request):
        from django.contrib.auth.models import AnonymousUser

        self.user = AnonymousUser()
        self.META = request.META
        self.headers = request.headers


class PageCacheMiddleware:
    """Serves anonymous reads of public pages and of the API from the cache.

    Placed before the language, CSRF, authentication and message middleware: a hit skips
    them, the URL resolver, the view, the database and the templates. What those layers
    add to a response (Content-Language, Vary, Content-Security-Policy, …) is stored with
    it; what the outer layers add (security headers, CORS) is added to every hit.

    A request is served or stored only when it is a GET or HEAD without a session cookie
    or an Authorization header, outside the admin, /health/ and /i18n/. A response is
    stored only when it is a complete 200 that sets no cookie, carries no CSRF token or
    CSP nonce, varies on nothing the key leaves out, and was not rendered for a signed-in
    user or from uncommitted data.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        languages = "|".join(re.escape(code) for code, _ in settings.LANGUAGES)
        self.excluded = re.compile(rf"^/(?:(?:{languages})/)?admin/|^/health/|^/i18n/")

    def __call__(self, request):
        with request_scope():
            return self.respond(request)

    def respond(self, request):
        if not (settings.PAGE_CACHE and self.cacheable_request(request)):
            return self.get_response(request)
        try:
            key = self.key(request)
        except DisallowedHost:
            return self.get_response(request)
        try:
            version, response = self.lookup(request, key)
        except Exception:
            logger.exception("The page cache cannot be read; answering without it.")
            return self.get_response(request)
        if response is not None:
            return response
        response = self.get_response(request)
        if self.storable(request, response):
            response["ETag"] = _etag(version, key)
            self.store(request, response, version, key)
        return response

    def cacheable_request(self, request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "HTTP_AUTHORIZATION" not in request.META
            # DRF's test client signs a user in without a header or a cookie.
            and not hasattr(request, "_force_auth_user")
            and not self.excluded.match(request.path)
            and not has_uncommitted_writes()
        )

    @staticmethod
    def is_api(request) -> bool:
        return request.path.startswith("/api/")

    def key(self, request) -> str:
        parts = [
            _context(),
            request.scheme,
            request.get_host(),
            request.get_full_path(),
            translation.get_language_from_request(request, check_path=True),
        ]
        if self.is_api(request):
            # Content negotiation: JSON, CSV or the browsable API's HTML.
            parts.append(request.META.get("HTTP_ACCEPT", ""))
        return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def lookup(self, request, key: str) -> tuple[object, HttpResponse | None]:
        """(the data version, the cached response or None): one cache round trip."""
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match:
            # The ETag is the version and the key: a match needs no page from the cache.
            version = data_version()
            etag = _etag(version, key)
            if _etag_matches(if_none_match, etag):
                response = HttpResponseNotModified()
                response["ETag"] = etag
                return version, response
            entry = cache.get(key)
        else:
            version, entry = version_and_entry(key)
        if entry is None or entry[0] != version:
            return version, None
        _, status, headers, content, throttles = entry
        if throttles and not self.allowed(request, throttles):
            # Over the rate: the view answers 429 with its Retry-After.
            return version, None
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        response["ETag"] = _etag(version, key)
        return version, response

    @staticmethod
    def allowed(request, throttles) -> bool:
        """A cached API read counts against the anonymous rate as an uncached one does."""
        anonymous = _AnonymousRequest(request)
        return all(throttle().allow_request(anonymous, None) for throttle in throttles)

    def storable(self, request, response) -> bool:
        if (
            request.method != "GET"
            or response.status_code != 200
            or response.streaming
            or response.cookies
            or len(response.content) > settings.PAGE_CACHE_MAX_BYTES
        ):
            return False
        cache_control = response.get("Cache-Control", "").lower()
        if any(word in cache_control for word in ("private", "no-store", "no-cache")):
            return False
        covered = VARY_COVERED | ({"accept"} if self.is_api(request) else set())
        vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v}
        if not vary <= covered:
            return False
        session = getattr(request, "session", None)
        return not (
            (session is not None and session.modified)
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a CSRF token in the page
            or isinstance(getattr(request, "_csp_nonce", None), str)  # a nonce in the page
            or _authenticated(request)
            or has_uncommitted_writes()
        )

    def store(self, request, response, version, key: str) -> None:
        view = getattr(request, "_page_cache_view", None)
        throttles = tuple(getattr(getattr(view, "cls", None), "throttle_classes", ()))
        headers = [(name, value) for name, value in response.items() if name != "ETag"]
        entry = (version, response.status_code, headers, response.content, throttles)
        try:
            cache.set(key, entry, settings.PAGE_CACHE_TIMEOUT)
        except Exception:
            logger.exception("The page cache cannot be written; page not kept.")

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Remembered for store(): a DRF view's throttles apply to its cached answers too.
        request._page_cache_view = view_func
