"""Content in the visitor's language.

Content is entered once, in Traditional Chinese (the language of the source documents),
with an optional English version. Simplified Chinese is derived with OpenCC rather than
stored, so that an editor's correction never has to be made twice.
"""

from functools import lru_cache

from govtracker.rendering import active_language


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: loading its dictionaries costs a few milliseconds

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=20_000)
def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese (OpenCC's t2s profile)."""
    if not text:
        return text
    return _t2s().convert(text)


def script(language: str | None = None) -> str:
    """ "en", "hans" or "hant": which of the three versions `language` (default: the
    active language) reads. Asked for every title, name and statement a page shows."""
    return _script_of(language or active_language() or "zh-hant")


@lru_cache(maxsize=128)  # language codes may come from requests: a bounded cache
def _script_of(language: str) -> str:
    language = language.lower()
    if language.startswith("en"):
        return "en"
    if language in {"zh-hans", "zh-cn", "zh-sg"}:
        return "hans"
    return "hant"


def localized(original: str, english: str = "", language: str | None = None) -> str:
    """The text to show in `language` (default: the active one).

    English pages show the English version where an editor entered one and the original
    otherwise; Simplified Chinese pages show the original converted by OpenCC.
    """
    version = script(language)
    if version == "en":
        return english or original
    if version == "hans":
        return to_simplified(original)
    return original


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


@lru_cache(maxsize=2_000)
def to_traditional(text: str) -> str:
    """Simplified → Traditional Chinese, so that a search typed in Simplified characters
    finds content stored in Traditional ones."""
    if not text:
        return text
    return _s2t().convert(text)
