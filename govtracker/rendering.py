"""What a page or an API read is being rendered in, read once instead of once per row.

A page asks for the active language several hundred times while it renders: every title,
statement and jurisdiction name shown in the visitor's script (`govtracker.text`), every
badge and progress bar's words, and every address reversed for a row (language, URLconf
and script prefix: `govtracker.reverse`). Django keeps each of these behind asgiref's
context-local, about 1.6 µs a read; a page read them 500-700 times, 5-7 % of an uncached
page. The Jinja2 backend reads them once when a page starts rendering, and the API once
when a read starts (govtracker/api.py), and keeps them in a context variable (20 ns a read)
until it ends; outside, the helpers below ask Django as before.

The rule this relies on: code that runs while a page renders does not switch the language,
the URLconf or the script prefix to draw the page's own content in another. The one such
switch today, `translate_url()` (the language links), reverses with Django's own reverse()
and reads none of these helpers.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language, gettext

# (language, URLconf, script prefix) of the page being rendered, or None.
_page: ContextVar[tuple | None] = ContextVar("govtracker_page", default=None)


@contextmanager
def rendering_page():
    """For the length of a page's render: its language, URLconf and script prefix as they
    are when it starts. Renders may nest (each restores what it found)."""
    token = _page.set(_from_django())
    try:
        yield
    finally:
        _page.reset(token)


def active_language() -> str | None:
    """get_language(): the page's while a page renders."""
    page = _page.get()
    return get_language() if page is None else page[0]


def reverse_context() -> tuple:
    """What reverse() depends on besides its arguments: (language, URLconf, script prefix)."""
    page = _page.get()
    return _from_django() if page is None else page


def _from_django() -> tuple:
    return (get_language(), get_urlconf(), get_script_prefix())


# Each language's messages, as translated so far. Messages given to these are literals
# (a template's `_("...")`, a status explanation's phrases), a bounded set; a page asks
# for 100-250 of them on every request, each a Django gettext that finds the active
# translation behind asgiref's context-local and looks the message up in the catalogues:
# a millisecond or two of every page. Forgotten when the catalogues may change
# (govtracker/jinja2.py's setting_changed receiver, for the settings tests override).
_translated: dict[str, dict] = {}  # messages, and choices' labels (RememberedChoiceLabels)


def _remembered(memo: dict[str, str], message: str) -> str:
    try:
        return memo[message]
    except KeyError:
        memo[message] = translated = gettext(message)
        return translated


def page_gettext(language: str | None):
    """gettext for a page rendered in `language` (the active language while it renders),
    remembering each message's translation. The page's own templates read it from the
    context; macros imported from other templates see only the globals (remembered_gettext)."""
    return partial(_remembered, _translated.setdefault(language or "", {}))


def remembered_gettext(message: str) -> str:
    """gettext remembering each message's translation in the active language."""
    return _remembered(_translated.setdefault(active_language() or "", {}), message)


def forget_translations() -> None:
    _translated.clear()


class RememberedChoiceLabels:
    """Model mixin: `get_FOO_display()` answered from a label remembered per language.

    Django's works the label out on every call: it rebuilds the field's choices as a dict
    (flattening them and hashing every lazy label, a gettext each) to look one value up.
    The plans list shows each plan's kind, 50 a page: about a twentieth of its Python.
    The label depends only on the field, the value and the language; the first call for
    them is Django's own, its answer remembered with the language's translations (and
    forgotten with them, `forget_translations`). A value that cannot be hashed is worked
    out each time.
    """

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        memo = _translated.setdefault(active_language() or "", {})
        key = (field.model._meta.label, field.name, type(value), value)
        try:
            return memo[key]
        except KeyError:
            memo[key] = label = super()._get_FIELD_display(field)
            return label
        except TypeError:
            return super()._get_FIELD_display(field)
