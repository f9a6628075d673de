"""The Jinja2 environment of the public pages (templates under `jinja2/`).

Why Jinja2 there: a page lists 25 to 50 rows, each with links, dates, a status badge and a
progress bar; Django's template engine walks its node tree for every row and cell, which
cost 70-80 % of an uncached page's time (a few thousand variable lookups and translations
a page, about 15 ms). Jinja2 compiles a template to Python once, and renders the same rows
about eight times faster. The admin, its forms and the sitemap stay on Django templates
(`templates/`); Django's `Jinja2` backend is the documented way to run both.

Conventions of the templates, kept so that `makemessages` (which reads templates with
Django's lexer) still finds every message:
- `{{ _("text") }}` for a message; `{{ _("text with %(name)s")|fill(name=value) }}` where
  Django had `{% blocktranslate %}` (the message keeps its markup and its `%%`; the values are
  escaped), always with `_(` first in the `{{ }}` or anywhere in a `{% set %}`.
- Phrases with a count are spelled in Python (`COUNTED`), where makemessages reads ngettext.
- A `_("literal")` is translated when the template is compiled, once per language
  (`LiteralMessages`, `Backend`); `_()` of anything else is translated as it renders.
"""

import sys
import unicodedata
import weakref
from types import BuiltinFunctionType, FunctionType, MethodType

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import TemplateDoesNotExist, TemplateSyntaxError, defaulttags
from django.template.backends.jinja2 import Jinja2, Template, get_exception_info
from django.template.defaultfilters import floatformat as django_floatformat
from django.template.defaultfilters import truncatechars as django_truncatechars
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language, gettext, ngettext
from jinja2.compiler import CodeGenerator
from jinja2.ext import Extension
from jinja2.lexer import TOKEN_DOT, TOKEN_LPAREN, TOKEN_NAME, TOKEN_RPAREN, TOKEN_STRING, Token
from jinja2.runtime import Context, Macro
from markupsafe import Markup
from markupsafe._speedups import _escape_inner

import jinja2
from govtracker.memo import Remembered
from govtracker.rendering import (
    active_language,
    forget_translations,
    page_gettext,
    remembered_gettext,
    rendering_page,
)
from govtracker.reverse import reverse_none, reverse_number
from plans.templatetags import site_tags


def escape_output(value) -> str:
    """What `{{ value }}` writes into an autoescaped page: markupsafe's `escape` without
    wrapping each piece in a `Markup`.

    Jinja2 compiles every `{{ }}` of an autoescaped template to `escape(value)`, which
    returns a `Markup` built through its Python `__new__`; the page only joins the pieces
    into one string, and a block whose pieces are kept (a macro, a `{% set %}` block) is
    made `Markup` whole by Jinja2 when it ends. A page writes 800-900 values, 3-5 % of its
    Python. The text is the same: `_escape_inner` is markupsafe's own C routine, and a
    value that says it is HTML (`__html__`, as `Markup`) is written as it says.
    """
    if type(value) is str:
        return _escape_inner(value)
    if type(value) is int:
        return str(value)  # digits (and a sign): nothing to escape
    html = getattr(value, "__html__", None)
    if html is not None:
        return html()
    return _escape_inner(str(value))


class OutputCodeGenerator(CodeGenerator):
    """Jinja2's code generator, its autoescaped `{{ }}` written through `escape_output`.
    `{% autoescape %}` blocks that switch escaping at run time keep Jinja2's own code."""

    def _output_child_pre(self, node, frame, finalize):
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("environment.escape_output(")
            if finalize.src is not None:
                self.write(finalize.src)
        else:
            super()._output_child_pre(node, frame, finalize)

    def visit_Getattr(self, node, frame):
        """`obj.name` read by Python's `getattr(obj, "name", missing)` in the compiled code,
        falling back to Jinja2's `environment.getattr` (an item, or undefined) only when
        the object has no such attribute. Jinja2 calls `environment.getattr` for every
        `obj.name` of a template (1,100-1,200 a page), a Python function around that same
        builtin. The object is evaluated once, kept in a name of its own per place in the
        template (`_ga_N`), so the fallback reads the same object."""
        if self.environment.is_async:
            return super().visit_Getattr(node, frame)
        if self.optimizer is not None and not frame.eval_ctx.volatile:
            folded = self.optimizer.visit(node, frame.eval_ctx)  # as Jinja2's optimizeconst
            if folded != node:
                return self.visit(folded, frame)
        self._getattr_names = getattr(self, "_getattr_names", 0) + 1
        target, value = f"_ga_{self._getattr_names}", f"_gv_{self._getattr_names}"
        self.write(f"({value} if ({value} := getattr(({target} := ")
        self.visit(node.node, frame)
        self.write(f"), {node.attr!r}, missing)) is not missing ")
        self.write(f"else environment.getattr({target}, {node.attr!r}))")


# Callables a template calls that never take the context: what Jinja2's Context.call
# would call unchanged unless they carry `jinja_pass_arg` (pass_context and its kin).
_PLAIN_CALLABLES = (FunctionType, MethodType, BuiltinFunctionType)


class PageContext(Context):
    """Jinja2's template context, its `call` quicker for what a page calls most.

    Every call in a template goes through `Context.call`, which asks each callable, and
    its `__call__` (a new method-wrapper object a time), whether it wants the context,
    the evaluation context or the environment passed in: 170-250 calls a page (macros,
    `url()`, `get_absolute_url()`). A macro never does, nor a function or method without
    `jinja_pass_arg` (set by `pass_context` and its kin): those are called at once, with
    the loop and block variables Jinja2 adds for context-taking callables dropped, as
    `Context.call` drops them. Anything else (a callable object, a function that takes
    the context) goes through Jinja2's own `call`.
    """

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 - Jinja2's own signature
        kind = type(__obj)
        if kind is Macro or (kind in _PLAIN_CALLABLES and not hasattr(__obj, "jinja_pass_arg")):
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            try:
                if (
                    kind is Macro
                    and not kwargs
                    and len(args) == __obj._argument_count
                    and not (__obj.caller or __obj.catch_kwargs or __obj.catch_varargs)
                    and not __obj._environment.is_async
                ):
                    # Each argument given by position, no caller, no catch-alls: what
                    # Macro.__call__ would pass on unchanged to Macro._invoke, which
                    # calls the macro's function and marks its text safe when the macro
                    # autoescapes. Its generic argument handling was a third of a
                    # small macro's call (a status badge, a table row).
                    text = __obj._func(*args)
                    return Markup(text) if __obj._default_autoescape else text
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
        return super().call(__obj, *args, **kwargs)


class PageEnvironment(jinja2.Environment):
    """The pages' Jinja2 environment: Jinja2's, compiled by `OutputCodeGenerator`, its
    calls through `PageContext`."""

    code_generator_class = OutputCodeGenerator
    context_class = PageContext
    escape_output = staticmethod(escape_output)


class LiteralMessages(Extension):
    """Translates each `_("literal")` of a template when it is compiled, into the language
    of the environment (`message_language`, set on the per-language environments of
    `Backend`): the message becomes a constant, which Jinja2 escapes once at compile time
    and writes into the compiled code. A page asked for 100-250 messages at every render,
    each a call through the template context and an escape (about a millisecond of the
    plan page). Only a call with one string literal is translated; any other `_(...)` is
    left to the runtime `gettext`, as before."""

    def filter_stream(self, stream):
        language = getattr(self.environment, "message_language", None)
        if language is None:
            yield from stream
            return
        tokens = list(stream)
        index, previous = 0, None
        while index < len(tokens):
            token = tokens[index]
            if (
                token.type == TOKEN_NAME
                and token.value == "_"
                and (previous is None or previous.type != TOKEN_DOT)
                and [t.type for t in tokens[index + 1 : index + 4]]
                == [TOKEN_LPAREN, TOKEN_STRING, TOKEN_RPAREN]
            ):
                message = tokens[index + 2].value
                with translation.override(language):
                    translated = gettext(message)
                previous = Token(token.lineno, TOKEN_STRING, translated)
                yield previous
                index += 4
                continue
            previous = token
            yield token
            index += 1


class Backend(Jinja2):
    """Django's Jinja2 backend
    - whose templates report their rendering to Django's test client (`response.context`,
      `assertTemplateUsed`), as Django templates do in tests;
    - with one environment per language (an overlay of the configured one, sharing its
      globals, filters and loader), whose templates are compiled with their literal
      messages translated (`LiteralMessages`). A template is taken from the environment of
      the language active when it is looked up, which is when it is rendered: Django's
      TemplateResponse and render() look it up then."""

    def __init__(self, params):
        super().__init__(params)
        self._by_language: dict[str, jinja2.Environment] = {}
        _backends.add(self)

    def environment_for(self, language: str | None) -> jinja2.Environment:
        if not language:
            return self.env
        env = self._by_language.get(language)
        if env is None:
            env = self.env.overlay(extensions=[LiteralMessages], cache_size=400)
            env.message_language = language
            self._by_language[language] = env
        return env

    def forget_languages(self) -> None:
        self._by_language = {}

    def from_string(self, template_code):
        return RenderedTemplate(self.env.from_string(template_code), self)

    def get_template(self, template_name):
        # Django's lookup and its errors (django.template.backends.jinja2), in the active
        # language's environment, the template then wrapped.
        try:
            template = self.environment_for(get_language()).get_template(template_name)
        except jinja2.TemplateNotFound as exc:
            raise TemplateDoesNotExist(exc.name, backend=self) from exc
        except jinja2.TemplateSyntaxError as exc:
            new = TemplateSyntaxError(exc.args)
            new.template_debug = get_exception_info(exc)
            raise new from exc
        return RenderedTemplate(template, self)


_backends: "weakref.WeakSet[Backend]" = weakref.WeakSet()


class RenderedTemplate(Template):
    def render(self, context=None, request=None):
        context = {} if context is None else context
        # The templates' `_()` reads `gettext` from the context before the environment's
        # globals: the page's language's memoized one (see page_gettext).
        context.setdefault("gettext", page_gettext(get_language()))
        # The page's language, URLconf and script prefix, read once (govtracker/rendering.py).
        with rendering_page():
            html = super().render(context, request)
        # Only the test machinery imports django.test.signals; in production nobody listens
        # and this costs one dictionary lookup.
        signals = sys.modules.get("django.test.signals")
        if signals is not None and signals.template_rendered.has_listeners():
            signals.template_rendered.send(sender=self, template=self, context=context)
        return html


# Filter-form fields as drawn (form_field); numbers as formatted (floatformat).
_field_html = Remembered(limit=2_000)
_formatted = Remembered(limit=20_000)


@receiver(setting_changed)
def _forget_remembered(*, setting, **kwargs):
    _formatted.clear()  # numbers' formats follow the language and several settings
    # The settings Django reloads its catalogues for (tests override them), and those the
    # form renderer's templates come from.
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}:
        forget_translations()
        _field_html.clear()
        _counted.clear()
        for backend in list(_backends):
            backend.forget_languages()  # templates compiled with the old catalogues
    if setting in {"FORM_RENDERER", "TEMPLATES"}:
        _field_html.clear()


def form_field(field, owner) -> Markup:
    """A bound form field's label and widget, as `{{ field.label_tag() }}{{ field }}` draws
    them, remembered. Django draws each through its form renderer's templates, about
    0.25 ms a field: 15 % of the plans list, for HTML that depends only on the form's
    definition, the field, its value and the language. `owner` is what defines the form,
    the same class on every request: a FilterSet (django-filter builds a new form class for
    each FilterSet instance, so the form's own class names nothing). The form's renderer is
    part of the key (Django's templates and Jinja2's space their widgets differently). A
    field with errors is drawn afresh (its widget then says so)."""

    def draw() -> Markup:
        return Markup(field.label_tag() + str(field))

    if field.errors:
        return draw()
    value = field.value()
    key = (
        owner if isinstance(owner, type) else type(owner),
        field.form.renderer,
        field.html_name,
        field.auto_id,
        field.form.is_bound,
        active_language(),
        tuple(value) if isinstance(value, list) else value,
    )
    return _field_html.get(key, draw)


def floatformat(value, arg=-1):
    """Django's floatformat, remembered. Each call rounds through Decimal contexts and
    looks the locale's separators up (about 8 µs; 60 on a plan's page, for a few dozen
    distinct figures). Keyed by the value's type and its exact digits (str(), so that
    Decimal("50.00") and Decimal("50") stay apart), the argument and the language whose
    separators it uses; forgotten when a setting changes."""
    key = (type(value), str(value), arg, active_language())
    return _formatted.get(key, lambda: django_floatformat(value, arg))


def truncatechars(value, length):
    """Django's truncatechars, without its work for text that needs no cut. Django builds a
    lazy Truncator, normalizes the text and walks it character by character whatever its
    length (about 10 µs, on every statement of a list); text no longer than `length`, and
    already in NFC, comes back unchanged from all that."""
    if (
        type(value) is str
        and type(length) is int
        and len(value) <= length
        and unicodedata.is_normalized("NFC", value)
    ):
        return value
    return django_truncatechars(value, length)


def url(name: str, *args, **kwargs) -> str:
    """reverse(); an address without arguments, or with one whole number, resolved once
    per URLconf, script prefix and language (govtracker/reverse.py)."""
    if kwargs or len(args) > 1:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    if args:
        if type(args[0]) is int:
            return reverse_number(name, args[0])
        return reverse(name, args=args)
    return reverse_none(name)


@jinja2.pass_context
def querystring(context, **changes) -> str:
    """The request's query string with `changes` applied (None removes a key): Django's
    own `{% querystring %}`, given the request's parameters."""
    return defaulttags.querystring(None, context["request"].GET, **changes)


@jinja2.pass_context
def language_links(context) -> list[dict]:
    return site_tags.language_links(context)


@jinja2.pass_context
def hreflang_alternates(context) -> list[tuple[str, str]]:
    return site_tags.hreflang_alternates(context)


def fill(message: str, **values) -> Markup:
    """A translated message with its `%(name)s` placeholders filled, as
    `{% blocktranslate %}` does: the message's own markup kept, the values escaped."""
    return Markup(message) % values


# Phrases with a count, in Python so that makemessages extracts them (see the docstring).
COUNTED = {
    "plans": lambda n: ngettext("%(counter)s plan", "%(counter)s plans", n),
    "indicators": lambda n: ngettext("%(counter)s indicator", "%(counter)s indicators", n),
    "milestones": lambda n: ngettext("%(counter)s milestone", "%(counter)s milestones", n),
    "updates": lambda n: ngettext("%(counter)s update", "%(counter)s updates", n),
    "milestones tracked": lambda n: ngettext(
        "%(counter)s milestone tracked.", "%(counter)s milestones tracked.", n
    ),
}


# Each phrase as worked out, by language, kind and count: Django's ngettext looks the
# message up through its translation machinery, 30-50 µs, ten times a jurisdiction page.
_counted = Remembered(limit=10_000)


def counted(n: int, what: str) -> str:
    return _counted.get((active_language(), what, n), lambda: COUNTED[what](n) % {"counter": n})


def environment(**options) -> jinja2.Environment:
    env = PageEnvironment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(remembered_gettext, ngettext, newstyle=False)
    env.globals.update(
        url=url,
        get_language=get_language,
        static=static,
        querystring=querystring,
        language_links=language_links,
        hreflang_alternates=hreflang_alternates,
        status_badge=site_tags.status_badge,
        progress_bar=site_tags.progress_bar,
        source_list=site_tags.source_list,
        counted=counted,
        form_field=form_field,
    )
    env.filters.update(
        fill=fill,
        iso=site_tags.iso,
        time_tag=site_tags.time_tag,
        linked_sources=site_tags.linked_sources,
        pct=site_tags.pct,
        html_lang=site_tags.html_lang,
        in_script=site_tags.in_script,
        status_label=site_tags.status_label,
        status_rows=site_tags.status_rows,
        plan_status_rows=site_tags.plan_status_rows,
        floatformat=floatformat,
        truncatechars=truncatechars,
    )
    return env
