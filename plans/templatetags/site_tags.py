"""Template helpers of the public site: language links, percentages, content in the
visitor's script."""

import datetime
import functools

from django import template
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import translate_url
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _
from markupsafe._speedups import _escape_inner

from govtracker.memo import Remembered
from govtracker.numbers import whole_percent
from govtracker.rendering import active_language, reverse_context
from govtracker.text import localized
from plans.progress import Status
from plans.progress import status_labels as _status_labels

register = template.Library()

# BCP 47 tags for hreflang and lang attributes.
HREFLANG = {"zh-hant": "zh-Hant", "zh-hans": "zh-Hans", "en": "en"}


# Pages' paths in each language, as translate_url() gives them: it resolves the path and
# reverses it in the other language, 30-40 µs an address and four a page. Bounded (paths
# come from requests); the rare overflow starts afresh.
_translated_paths = Remembered(limit=5_000)


def _translated(request, code: str) -> str:
    """The request's page in language `code`, its query string kept. The switcher and the
    hreflang links both ask for every language: each address is worked out once per
    request, and each path once per language, URLconf and script prefix (resolving it
    depends on them, the language included: the language prefix)."""
    paths = request.__dict__.setdefault("_govtracker_translated_paths", {})
    if code not in paths:
        path, mark, query = request.get_full_path().partition("?")
        key = (path, code, *reverse_context())
        translated = _translated_paths.get(key, lambda: translate_url(path, code))
        paths[code] = f"{translated}{mark}{query}"
    return paths[code]


@register.simple_tag(takes_context=True)
def language_links(context):
    """The current page in each language, for the switcher (plain links: no JavaScript)."""
    request = context.get("request")
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        links.append(
            {
                "code": code,
                "hreflang": HREFLANG.get(code, code),
                "name": get_language_info(code)["name_local"],
                "url": _translated(request, code) if request else "",
                "current": code == current,
            }
        )
    return links


@register.simple_tag(takes_context=True)
def hreflang_alternates(context):
    """Absolute addresses of the page in each language, plus x-default (the default
    language), for <link rel="alternate" hreflang>."""
    request = context.get("request")
    if request is None:
        return []
    try:
        request.get_host()
    except DisallowedHost:
        # The 400 page for a forged Host header must not fail on the same header.
        return []
    alternates = [
        (HREFLANG.get(code, code), request.build_absolute_uri(_translated(request, code)))
        for code, _name in settings.LANGUAGES
    ]
    default = request.build_absolute_uri(_translated(request, settings.LANGUAGE_CODE))
    return [*alternates, ("x-default", default)]


@register.filter
def html_lang(code: str) -> str:
    return HREFLANG.get((code or "").lower(), code)


@register.filter
def pct(value) -> int | None:
    """A share in 0..1 as a whole percentage, rounded half-up (None stays None: "no data"
    is not 0%)."""
    if value is None or value == "":
        return None
    return whole_percent(value)


@register.filter
def iso(value) -> str:
    """A date as YYYY-MM-DD (a datetime as its date in the site's time zone): what
    `|date:"Y-m-d"` prints, without its general format parser, drawn a few hundred times
    on a long page."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return value.isoformat()


@register.filter
def time_tag(value) -> str:
    """`<time datetime="D">D</time>` for the date D that `iso` prints: the one date a page
    draws most often (a milestone's start and deadline, an update's dates), formatted and
    escaped once instead of twice."""
    day = _escape_inner(iso(value))
    return _Markup(f'<time datetime="{day}">{day}</time>')


def _linked_title(source) -> str:
    """A source's title in the visitor's language, linked to its address if it has one."""
    title = _escape_inner(source.display_title)
    if source.url:
        return f'<a href="{_escape_inner(source.url)}">{title}</a>'
    return title


@register.simple_tag
def source_list(sources) -> str:
    """Each source as `<cite class="source">`: its linked title, publisher (in the
    visitor's script) and date, separated by "; ". Drawn for a plan, an indicator and each
    update of a timeline (twenty a plan page): one function instead of a macro's loop."""
    cited = []
    for source in sources:
        text = _linked_title(source)
        if source.publisher:
            text += ", " + _escape_inner(localized(source.publisher))
        if source.published_on:
            text += ", " + source.published_on.isoformat()
        cited.append(f'<cite class="source">{text}</cite>')
    return _Markup("; ".join(cited))


@register.filter
def linked_sources(sources) -> str:
    """The sources' linked titles, separated by "; " (an update log's entry)."""
    return _Markup("; ".join(map(_linked_title, sources)))


class _Markup(str):
    """Text that is HTML already (`__html__`, as Django's SafeString and markupsafe's
    Markup say it), made by str's own constructor: both of those build it through Python."""

    __slots__ = ()

    def __html__(self):
        return self


@register.filter
def in_script(text: str) -> str:
    """Traditional Chinese content in the visitor's script (OpenCC on Simplified pages)."""
    return localized(text or "")


@register.filter
def status_label(value: str) -> str:
    """The translated label of a progress status value."""
    try:
        return Status(value).label
    except ValueError:
        return value


@register.filter
def status_rows(scorecard: dict) -> list[tuple[str, str, int]]:
    """(status value, translated label, count) for every status, in the tracker's order,
    from `plans.scorecards.Scorecard.as_dict()` (templates get the dict: a Scorecard's
    __getitem__ would answer 0 to {{ scorecard.total }}, looked up as a key first)."""
    counts = scorecard["counts"]
    labels = _status_labels(active_language())
    return [(value, label, counts.get(value, 0)) for value, label in labels.items()]


@register.filter
def plan_status_rows(plan) -> list[tuple[str, str, int]]:
    """The same from a plan annotated by `Plan.objects.with_progress()` (`n_<status>`),
    leaving out the statuses no milestone has."""
    rows = [
        (value, label, getattr(plan, f"n_{value}", 0))
        for value, label in _status_labels(active_language()).items()
    ]
    return [row for row in rows if row[2]]


# Badges and progress bars are drawn once per row of every list (a plan's milestones, a
# deadline year's 50): tags that build their few elements in Python, with their words
# translated and escaped once per language rather than once per row.


@functools.cache
def _words(language: str) -> dict[str, str]:
    """The progress bars' fixed words in `language` (the active one: the key is only
    for the cache), escaped for HTML; percentages are filled in per row."""
    words = {
        "reported": _("reported"),
        "p_reported": _("%(p)s%% reported"),
        "e_expected": _("%(e)s%% expected by now"),
        "none_reported": _("No progress reported"),
    }
    return {key: escape(value) for key, value in words.items()}


@register.simple_tag
def status_badge(status: str, label: str | None = None) -> str:
    """A status as a coloured badge with its label (translated unless given)."""
    if label is None:
        label = _status_labels(active_language()).get(status) or status_label(status)
    return _badge(str(status), str(label))


@functools.lru_cache(maxsize=512)
def _badge(status: str, label: str) -> str:
    """The badge's HTML, escaped once for each status and label (8 statuses, each in 3
    languages, are all a site draws)."""
    return mark_safe(
        f'<span class="badge status-{escape(status)}"><span class="badge-icon" '
        f'aria-hidden="true"></span>{escape(label)}</span>'
    )


def _stylesheet_percent(value: int) -> int:
    """A percentage the stylesheet has a class for."""
    return max(0, min(100, value))


@register.simple_tag
def progress_bar(progress, expected=None) -> str:
    """Reported progress as a bar, with the progress expected by now marked on it (when
    given), and the same in words."""
    return _progress_bar(pct(progress), pct(expected), active_language())


@functools.lru_cache(maxsize=4096)
def _progress_bar(p: int | None, e: int | None, language: str | None) -> str:
    """The bar's HTML for whole percentages `p` and `e` in `language`, built once: a plan's
    page draws one for each milestone, the deadline-year page fifty (about 8 µs a bar to
    build, 0.3 ms of a page of fifty). There are at most 102 × 102 pairs a language, and
    far fewer in use (every overdue milestone expects 100 %); the most recent 4,096 are
    kept, about 1.5 MB."""
    words = _words(language)
    # Filled from integers only: the escaped words stay escaped.
    expected_text = words["e_expected"] % {"e": e} if e is not None else ""
    label = words["p_reported"] % {"p": p} if p is not None else words["none_reported"]
    if e is not None:
        label += f", {expected_text}"
    # Widths and positions are classes of the stylesheet (.pw-0 to .pw-100, .pe-0 to
    # .pe-100), not style attributes: the Content-Security-Policy (style-src 'self') makes
    # browsers ignore inline styles, which drew every bar full and every marker at 0.
    fill = f'<div class="progress-fill pw-{_stylesheet_percent(p)}"></div>' if p is not None else ""
    marker = (
        f'<div class="progress-expected pe-{_stylesheet_percent(e)}" title="{expected_text}"></div>'
        if e is not None
        else ""
    )
    legend = (
        f"<strong>{p}%</strong> {words['reported']}" if p is not None else words["none_reported"]
    )
    if e is not None:
        legend = f"{legend} · {expected_text}"
    return mark_safe(
        f'<div class="progress{" progress-none" if p is None else ""}">\n'
        f'  <div class="progress-track" role="img" aria-label="{label}">{fill}{marker}</div>\n'
        f'  <p class="progress-legend">{legend}</p>\n</div>'
    )
