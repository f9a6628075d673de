"""reverse() for the addresses drawn on every row of a list or page.

A list page links each of its 25-50 rows to a plan, a jurisdiction or an indicator;
Django's reverse() resolves the pattern, the language prefix and the script prefix anew
each time (about 15 µs, a tenth of an uncached list page's time). The address differs
only by its argument, so it is resolved once per view name, URLconf, script prefix and
language, with a placeholder, and then filled in.
"""

import re

from django.urls import NoReverseMatch, reverse

from govtracker.rendering import reverse_context

# Accepted by the slug and code converters alike, and found in no prefix.
PLACEHOLDER = "Zz0ARG0zZ"
# Digits, for an integer argument (the int converter takes digits only).
NUMBER_PLACEHOLDER = 907150842631
# Values that reverse() would insert as they are (no percent-encoding).
PLAIN = re.compile(r"[-A-Za-z0-9_]+\Z")

_split: dict[tuple, tuple[str, str] | None] = {}
_split_number: dict[tuple, tuple[str, str] | None] = {}
_plain: dict[tuple, str] = {}


def _key(viewname: str) -> tuple:
    """What reverse() depends on besides its arguments."""
    return (viewname, *reverse_context())


def _parts(viewname: str, placeholder) -> tuple[str, str] | None:
    """The address of `viewname` before and after its argument, or None where the pattern
    refuses the placeholder (a four-digit year) or it does not come back exactly once."""
    try:
        address = reverse(viewname, args=[placeholder])
    except NoReverseMatch:
        return None
    pieces = address.split(str(placeholder))
    return (pieces[0], pieces[1]) if len(pieces) == 2 else None


def reverse_none(viewname: str) -> str:
    """reverse(viewname), for an address without arguments (the navigation's, a
    methodology link drawn for every milestone of a plan's page)."""
    key = _key(viewname)
    address = _plain.get(key)
    if address is None:
        address = _plain[key] = reverse(viewname)
    return address


def reverse_one(viewname: str, value: str) -> str:
    """reverse(viewname, args=[value]), for values of validated slug and code fields. Where
    the placeholder does not fit the pattern, reverse() answers."""
    value = str(value)
    if not PLAIN.match(value):
        return reverse(viewname, args=[value])
    key = _key(viewname)
    try:
        parts = _split[key]
    except KeyError:
        parts = _split[key] = _parts(viewname, PLACEHOLDER)
    if parts is None:
        return reverse(viewname, args=[value])
    return f"{parts[0]}{value}{parts[1]}"


def reverse_number(viewname: str, value: int) -> str:
    """reverse(viewname, args=[value]) for a whole number (a deadline year: the deadline
    pages link every year with a deadline). Where the placeholder does not fit the pattern
    or does not come back exactly once (a converter that writes numbers its own way),
    reverse() answers."""
    if type(value) is not int or value < 0:
        return reverse(viewname, args=[value])
    key = _key(viewname)
    try:
        parts = _split_number[key]
    except KeyError:
        parts = _split_number[key] = _parts(viewname, NUMBER_PLACEHOLDER)
    if parts is None:
        return reverse(viewname, args=[value])
    return f"{parts[0]}{value}{parts[1]}"
