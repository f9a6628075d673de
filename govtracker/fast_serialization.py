"""Fast reads for the API's serializers: the same representation as DRF's, per row a
fraction of its cost (README, "Performance").
"""

import copy
import datetime
import decimal
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import partial
from operator import attrgetter
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import NamedTuple
from urllib.parse import urlsplit

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.urls import Resolver404, get_script_prefix, get_urlconf, resolve
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField, is_simple_callable
from rest_framework.relations import Hyperlink, PKOnlyObject
from rest_framework.reverse import reverse as drf_reverse
from rest_framework.settings import api_settings

from govtracker.copying import containers_of, twin
from govtracker.loading import STORING_DESCRIPTORS
from govtracker.memo import Remembered
from govtracker.related import RelatedIds

# DRF's Serializer.to_representation spends about 0.2 ms on a row of a list: per field a
# generic get_attribute() and to_representation(), per hyperlink a reverse() and a
# build_absolute_uri(). FastRepresentationMixin answers the same dictionary from readers
# compiled once per serializer instance, that is once per request (a list's rows share
# one child serializer; the CSV export uses one serializer for every row): an attribute
# read plus the conversion the DRF field would make, and for a hyperlink its URL reversed
# once with a placeholder, then filled in with each row's value. A field it does not know,
# and any value off the common path (a callable, a missing attribute, a slug the URL
# pattern would refuse), goes through DRF's own code for that field, so the output is
# DRF's, key for key (tests/test_api_fast_serialization.py compares them). Only reads take
# this path: writes, validation and the schema use the declared fields as before.

# Digits, so that every lookup pattern of the API (ids, slugs, codes) accepts it.
_PLACEHOLDER = "907150842631"
# What reverse(), build_absolute_uri() and iri_to_uri() put into a URL unchanged.
_URL_SAFE = re.compile(r"[-\w]+", re.ASCII)
_LOCATION_SAFE = re.compile(r"/[-\w./~#%\[\]=:;$&()+,!?*@']*", re.ASCII)


class _OffPath(Exception):
    """A value the fast path leaves to DRF (a callable it may not call as DRF would)."""


class _Placeholder:
    """An object whose pk and lookup fields are all the placeholder."""

    def __getattr__(self, name):
        return _PLACEHOLDER


# Each serializer class's fields as ModelSerializer.get_fields() built them, never bound,
# per language: whether a field gets a label depends on its verbose name in the active
# language (DRF leaves it out where it reads as the field's name, as in English).
# Kept with each field: how to copy it (_copier).
_built_fields: dict[tuple[type, str | None], list] = {}


@receiver(setting_changed)
def _forget_built_fields(*, setting, **kwargs):
    # Fields read DRF's settings when built (a DecimalField's coerce_to_string).
    if setting == "REST_FRAMEWORK":
        _built_fields.clear()


class FastRepresentationMixin:
    """A serializer whose read representation comes from compiled readers (see above).

    First among the bases. The readers are compiled at the first row, when the context
    (request, format, language, as-of date) is complete. `Meta.prefetched_lists` names
    the attribute a viewset prefetches a many-to-many field into with
    Prefetch(to_attr=...), e.g. {"sources": "source_list"}, or the RelatedIds that holds
    its ids, e.g. {"sources": "source_ids"}: its ids are read from there (DRF's own path
    would query the relation again for each row)."""

    _fast_readers: dict | None = None

    def get_fields(self):
        """The serializer's fields, built from the model once per class and copied for each
        instance. ModelSerializer builds them from the model's metadata for every instance,
        about 0.9 ms for a plan's 23 fields, on every request of the API; a copy costs a
        fraction of that (_copier). No serializer here shapes its fields by its context or
        instance, and a copy is what DRF gives each instance of its declared fields too
        (fields are bound to their serializer, so none is shared)."""
        key = (type(self), get_language())
        built = _built_fields.get(key)
        if built is None:
            built = _built_fields[key] = [
                (name, field, _copier(field)) for name, field in super().get_fields().items()
            ]
        return {name: copy_field(field) for name, field, copy_field in built}

    def to_representation(self, instance):
        if isinstance(instance, Mapping):  # a serializer of dicts (StatusInputs)
            return self._read_fields(instance, True)
        compiled = self._compiled_row
        if compiled is None:
            compiled = self._shared_row()
            if compiled is None:
                if not self._read_one_row:
                    # Compiling costs more than it saves on one row (a write's answer):
                    # a list's rows after its first are read by the compiled function.
                    self._read_one_row = True
                    return self._read_fields(instance, False)
                readers = self._readers(False)
                compiled = _compile_row(
                    [(name, read, _inline_column(field), None) for field, (name, read) in readers]
                )()
            self._compiled_row = compiled
        try:
            return compiled(instance)
        except Exception:  # noqa: BLE001 - the row read field by field, as DRF would
            return self._read_fields(instance, False)

    _compiled_row = None
    _read_one_row = False

    def _shared_row(self):
        """The row function shared by this serializer's class for requests like this one
        (_shared_rows), its method fields bound to this serializer; None where there is
        none to share."""
        key = _shared_row_key(self)
        if key is None:
            return None
        shared = _shared_rows.get(key, lambda: _share_row(self))
        if shared is None:
            return None
        make, methods = shared
        return make(*[getattr(self, name) for name in methods])

    def _readers(self, mapping: bool) -> list:
        """[(field, (name, reader))] for the readable fields, compiled at the first row."""
        if self._fast_readers is None:
            self._fast_readers = {}
        readers = self._fast_readers.get(mapping)
        if readers is None:
            readers = self._fast_readers[mapping] = [
                (field, (field.field_name, _reader(field, mapping)))
                for field in self._readable_fields
            ]
        return readers

    def _read_fields(self, instance, mapping: bool) -> dict:
        row = {}
        for _field, (name, read) in self._readers(mapping):
            try:
                row[name] = read(instance)
            except SkipField:
                pass
        return row


# What a field's construction arguments may hold for a shallow copy of it to be as good as
# DRF's deep one: values nobody changes in place.
_IMMUTABLE = (str, int, float, Decimal, type(None), Promise)
# Arguments DRF itself shares between copies (validators, a regex), or that the field
# only reads from: a QuerySet it clones with .all() before each use, choices it builds
# its own dictionaries from; and the style dictionary, which the field keeps as its
# `style` attribute, copied below.
_SHARED_ARGUMENTS = {"validators", "regex", "queryset", "choices", "style"}


def _copier(field):
    """How to copy a built, unbound field for each serializer that binds it.

    DRF copies a field by constructing it anew from its arguments, deep-copied
    (Field.__deepcopy__): 0.35 ms for a plan's 24 fields, on every request of the API. For
    a field that holds nothing of its own beyond immutable values and what DRF shares
    anyway, a copy of its attributes gives an equal field, unbound, in a fraction of the
    time (tests/test_api_fast_serialization.py compares them attribute for attribute):
    binding then sets its name, parent and source on the copy alone. A field with
    children (a list of related ids, a nested serializer) or with anything else in its
    arguments (a default) is copied as DRF copies it."""
    if (
        type(field).__deepcopy__ is not serializers.Field.__deepcopy__
        or isinstance(field, _COMPOUND_FIELDS)
        or field._args
        or not all(
            name in _SHARED_ARGUMENTS or isinstance(value, _IMMUTABLE)
            for name, value in field._kwargs.items()
        )
    ):
        return copy.deepcopy
    # Its own lists and dictionaries (validators, error messages, choices, style), as a
    # new field has: whatever a serializer adds to one of them stays with that serializer.
    containers = containers_of(field)
    return lambda prototype: twin(prototype, containers)


_COMPOUND_FIELDS = (
    serializers.BaseSerializer,
    serializers.ManyRelatedField,
    serializers.ListField,
    serializers.DictField,
    serializers.HiddenField,
)


# A row read in one call: a function written for the serializer's fields (_compile_row),
# which reads each column and annotation straight from the row's __dict__ and converts the
# common types of value in line (a text, a number, a date, a choice), calls each other
# field's reader, and builds the dictionary at once: per row about a third of the cost of
# calling a reader per field in a loop. A value of another type goes through its field's
# reader. Anything off that path (a column not loaded, a field that skips itself, a value
# a reader leaves to DRF by raising) makes it give up on the row, which is then read field
# by field as before: the same dictionary, or the same error.
#
# The function is written once per serializer class and kind of request, not per request
# (_shared_rows): its readers were 10-15 % of the API's plans list, most of it deciding
# again what each field is. Shared readers hold nothing of a request but what the key
# names (_shared_row_key); they raise _OffPath where a request's own readers would ask
# DRF (the row is then read field by field by that request's serializer, as above); a
# method field is bound to each request's serializer when the function is made for it.


def _shared_row_key(serializer):
    """What a shared row function depends on besides the serializer's class: the language
    (labels, page addresses), the current time zone (timestamps), and what DRF draws a
    hyperlink from (_link_key): the format, the request's scheme and host, its ?format=,
    the script prefix and the URLconf. None for a request with a versioning scheme or
    without a request, whose serializers compile their own."""
    context = serializer.context
    request = context.get("request")
    if request is None or getattr(request, "versioning_scheme", None) is not None:
        return None
    override = api_settings.URL_FORMAT_OVERRIDE
    return (
        type(serializer),
        get_language(),
        timezone.get_current_timezone_name(),
        context.get("format"),
        request.scheme,
        request.get_host(),
        tuple(request.GET.getlist(override)) if override else None,
        get_script_prefix(),
        get_urlconf(),
    )


# (make, method names) by _shared_row_key, or None for a serializer with a field no
# shared reader reads (a nested serializer): a few per serializer class.
_shared_rows = Remembered(1000)


@receiver(setting_changed)
def _forget_shared_rows(**kwargs):
    _shared_rows.clear()


def _share_row(serializer):
    """(make, method names) for the serializer's fields, or None: make(*bound methods)
    answers the row function."""
    fields, methods = [], []
    for field in serializer._readable_fields:
        if _same(field, serializers.SerializerMethodField, "get_attribute", "to_representation"):
            fields.append((field.field_name, None, None, len(methods)))
            methods.append(field.method_name)
            continue
        read = _reader(field, False, strict=True)
        if read is None:
            return None
        fields.append((field.field_name, read, _inline_column(field, strict=True), None))
    return _compile_row(fields), tuple(methods)


class _Inline(NamedTuple):
    """How the compiled row reads a field: its attribute, read from the row's __dict__,
    and the field's conversion (_conversion)."""

    attribute: str
    conversion: "_Conversion"


def _inline_column(field, strict: bool = False) -> _Inline | None:
    """How to read `field` in line: a column of its model or an annotation, kept in the
    row's __dict__ (no descriptor of the class does more than store it there), with a
    conversion known to _conversion. None for any other field."""
    s = serializers
    if not _same(field, s.Field, "get_attribute") or isinstance(field, s.RelatedField):
        return None
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or len(field.source_attrs) != 1:
        return None
    (attribute,) = field.source_attrs
    model_field = _model_field(field)
    if model_field is not None and (
        not model_field.concrete or model_field.is_relation or model_field.attname != attribute
    ):
        return None
    conversion = _conversion(field, strict)
    if conversion is None or not _kept_in_dict(model, attribute):
        return None
    return _Inline(attribute, conversion)


def _kept_in_dict(model, attribute: str) -> bool:
    """Whether reading `attribute` of an instance answers what its __dict__ holds: no class
    attribute of that name (an annotation), or a column's descriptor that reads it there
    (govtracker/loading.py). A method or property of that name is read by the reader."""
    for klass in model.__mro__:
        if attribute in klass.__dict__:
            return type(klass.__dict__[attribute]) in STORING_DESCRIPTORS
    return True


# The code of a row's value for each kind of conversion, after `v := d[...]` is not None:
# the common type in line, another through the field's reader (`read`).
_INLINE_CODE = {
    "str": "v if type(v) is str else str(v)",
    "int": "v if type(v) is int else int(v)",
    "float": "v if type(v) is float else float(v)",
    "bool": "v if v is True or v is False else read(instance)",
    "choice": "data.get(v, v) if type(v) is str else read(instance)",
    "date": "v.isoformat() if type(v) is data else read(instance)",
    "typed": "convert(v) if type(v) is data else read(instance)",
}


def _compile_row(fields: list) -> Callable:
    """make(*methods), answering a function of a row that answers {name: value} for
    `fields`, [(name, reader, _Inline or None, method index or None)], in their order; a
    field with a method index calls that method, bound by make(). The row function raises
    where reading field by field would do something else than return a value (see
    above)."""
    lines, scope, methods = [], {}, []
    for index, (name, read, inline, method) in enumerate(fields):
        key = repr(name)
        if method is not None:
            methods.append(f"method_{method}")
            lines.append(f"{key}: method_{method}(instance)")
            continue
        scope[f"read_{index}"] = read
        if inline is None:
            lines.append(f"{key}: read_{index}(instance)")
            continue
        conversion = inline.conversion
        scope[f"data_{index}"] = conversion.data
        scope[f"convert_{index}"] = conversion.convert
        code = _INLINE_CODE[conversion.kind]
        for word in ("read", "data", "convert"):
            code = re.sub(rf"\b{word}\b", f"{word}_{index}", code)
        # None stays None (DRF's to_representation is not called for it).
        lines.append(f"{key}: None if (v := d[{inline.attribute!r}]) is None else ({code})")
    source = (
        f"def make({', '.join(methods)}):\n"
        "    def row(instance):\n"
        "        d = instance.__dict__\n"
        "        return {\n" + "".join(f"            {line},\n" for line in lines) + "        }\n"
        "    return row\n"
    )
    code = _row_code.get(source)
    if code is None:  # compiled once per serializer class and set of readers
        code = _row_code[source] = compile(source, "<fast_serialization row>", "exec")
    exec(code, scope)  # noqa: S102 - our own code, from the fields' names and columns
    return scope["make"]


# The compiled row functions' code, by their source: one per serializer (and the fields it
# reads inline), a handful in all.
_row_code: dict[str, object] = {}


def _drf_reader(field):
    """The field read exactly as DRF's Serializer.to_representation reads it."""

    def read(instance):
        attribute = field.get_attribute(instance)
        check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check_for_none is None else field.to_representation(attribute)

    return read


def _reader(field, mapping: bool, strict: bool = False):
    """The field's reader: a fast one, or DRF's. `strict`: a reader to share between
    requests, which raises _OffPath where it would ask DRF (see _shared_rows), or None
    where there is no fast one."""
    drf = _off_path if strict else _drf_reader(field)
    try:
        fast = _fast_reader(field, mapping, drf, strict)
    except Exception:  # a field this code misjudged: DRF reads it (and fails, if it must)
        fast = None
    return fast if fast is not None or strict else drf


def _off_path(*args):
    """A shared reader's answer where a request's own reader would ask DRF."""
    raise _OffPath


def _same(field, base, *methods: str) -> bool:
    """Whether `field` is a `base` that does what `base` does in `methods`."""
    return isinstance(field, base) and all(
        getattr(type(field), name) is getattr(base, name) for name in methods
    )


def _fast_reader(field, mapping: bool, drf, strict: bool = False):
    """A reader for `field` that answers what `drf` answers, or None."""
    # govtracker.api defines the field and imports this module.
    from govtracker.api import PageURLField

    s = serializers
    if _same(field, s.SerializerMethodField, "get_attribute", "to_representation"):
        if strict:  # bound to each request's serializer instead (_share_row)
            return None
        method = getattr(field.parent, field.method_name)
        return lambda instance: None if instance is None else method(instance)
    if _same(field, PageURLField, "get_attribute", "to_representation"):
        return _page_url_reader(field, mapping, drf, strict)
    if isinstance(field, s.HyperlinkedRelatedField):
        return _link_reader(field, mapping, drf)
    if isinstance(field, s.ManyRelatedField):
        return _many_pks_reader(field, mapping, drf)
    if _same(field, s.PrimaryKeyRelatedField, "get_attribute", "to_representation"):
        return _value_reader(_pk_getter(field, mapping), lambda pk: pk, drf)
    if _same(
        field, s.SlugRelatedField, "get_attribute", "use_pk_only_optimization", "to_representation"
    ):
        slug = attrgetter(field.slug_field.replace("__", "."))
        return _value_reader(_getter(field, mapping), slug, drf)
    if _same(field, s.Field, "get_attribute"):
        conversion = _conversion(field, strict)
        if conversion is not None:
            return _value_reader(_getter(field, mapping), conversion.convert, drf)
        # A conversion this does not know: the field's own, unless the reader is shared.
        return (
            None if strict else _value_reader(_getter(field, mapping), field.to_representation, drf)
        )
    return None


def _value_reader(get, convert, drf):
    if get is None:
        return None

    def read(instance):
        try:
            value = get(instance)
        except (AttributeError, KeyError, _OffPath):
            return drf(instance)  # its default, None, SkipField or error, as DRF decides
        return None if value is None else convert(value)

    return read


def _getter(field, mapping: bool):
    """fields.get_attribute(instance, field.source_attrs) for attributes and keys; raises
    _OffPath where DRF might call what it finds."""
    attrs = field.source_attrs
    if not attrs or (mapping and len(attrs) > 1):
        return None
    if mapping:
        (key,) = attrs

        def get_key(instance):
            value = instance[key]
            return _call(value) if callable(value) else value

        return get_key

    def get(instance):
        for attr in attrs:
            try:
                instance = getattr(instance, attr)
            except ObjectDoesNotExist:
                return None
            if callable(instance):
                instance = _call(instance)
        return instance

    return get


# Whether DRF calls a method it finds as an attribute (get_absolute_url), per function:
# DRF asks inspect.signature() for every row, which costs more than the call.
_TAKES_NO_ARGUMENT: dict = {}


def _call(value):
    """What fields.get_attribute() makes of a callable it finds."""
    if type(value) is not MethodType:
        if isinstance(value, FunctionType | BuiltinFunctionType | partial):
            raise _OffPath  # rare: DRF decides
        return value  # a callable object, such as a related manager: DRF does not call it
    simple = _TAKES_NO_ARGUMENT.get(value.__func__)
    if simple is None:
        simple = _TAKES_NO_ARGUMENT[value.__func__] = is_simple_callable(value)
    if not simple:
        raise _OffPath
    try:
        return value()
    except (AttributeError, KeyError):
        raise _OffPath from None  # DRF calls it again and reports it its own way


def _model_field(field):
    """The model field named by `field`'s source (one attribute), or None."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or len(field.source_attrs) != 1:
        return None
    try:
        return model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:
        return None


def _pk_getter(field, mapping: bool):
    """The related object's id read from the foreign key's column, as DRF's "pk only"
    optimisation reads it (PrimaryKeyRelatedField, hyperlinks by pk)."""
    model_field = _model_field(field)
    if (
        mapping
        or model_field is None
        or not (model_field.many_to_one and model_field.concrete)
        or not field.use_pk_only_optimization()
        or getattr(field, "pk_field", None) is not None
    ):
        return None
    return attrgetter(model_field.attname)


class _Conversion(NamedTuple):
    """What a field's to_representation() makes of a value that is not None, made faster
    for the types of a row's columns: `convert`, and for the compiled row (_INLINE_CODE)
    its `kind` and `data` (a choice's mapping, the type a converter expects)."""

    kind: str
    convert: Callable
    data: object = None


def _conversion(field, strict: bool = False) -> _Conversion | None:
    """The field's _Conversion, None for a field this does not know. A value of another
    type than expected goes to the field's own to_representation(), or with `strict`
    raises _OffPath (a shared reader's way)."""
    s = serializers
    drf = _off_path if strict else field.to_representation
    for base, convert in [(s.CharField, str), (s.IntegerField, int), (s.FloatField, float)]:
        if _same(field, base, "to_representation"):
            return _Conversion(convert.__name__, convert)
    if _same(field, s.BigIntegerField, "to_representation"):  # ids: numbers unless asked
        if getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING):
            return None
        return _Conversion("int", int)
    if _same(field, s.BooleanField, "to_representation"):
        return _Conversion(
            "bool", lambda value: value if value is True or value is False else drf(value)
        )
    if _same(field, s.ChoiceField, "to_representation"):
        choices = field.choice_strings_to_values
        return _Conversion(
            "choice",
            lambda value: choices.get(value, value) if type(value) is str else drf(value),
            choices,
        )
    if _same(field, s.DateField, "to_representation") and _iso(field, api_settings.DATE_FORMAT):
        date = datetime.date
        return _Conversion(
            "date", lambda value: value.isoformat() if type(value) is date else drf(value), date
        )
    if _same(field, s.DateTimeField, "to_representation", "enforce_timezone") and _iso(
        field, api_settings.DATETIME_FORMAT
    ):
        convert = _datetime_converter(field, drf)
        return None if convert is None else _Conversion("typed", convert, datetime.datetime)
    if _same(field, s.DecimalField, "to_representation", "quantize"):
        convert = _decimal_converter(field, drf)
        return None if convert is None else _Conversion("typed", convert, Decimal)
    return None


def _iso(field, default) -> bool:
    return getattr(field, "format", default) == ISO_8601


def _datetime_converter(field, drf):
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    if zone is None:
        return None

    def convert(value):
        if type(value) is not datetime.datetime or value.utcoffset() is None:
            return drf(value)
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return drf(value)
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return convert


def _decimal_converter(field, drf):
    coerce = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
    if (
        not coerce
        or field.localize
        or field.normalize_output
        or field.decimal_places is None
        or field.max_digits is None
    ):
        return None
    # DRF's quantize(), its exponent and context made once instead of for every value.
    exponent = Decimal(".1") ** field.decimal_places
    context = decimal.getcontext().copy()
    context.prec = field.max_digits
    rounding = field.rounding

    def convert(value):
        if type(value) is not Decimal:
            return drf(value)
        return f"{value.quantize(exponent, rounding=rounding, context=context):f}"

    return convert


def _many_pks_reader(field, mapping: bool, drf):
    """The ids of a prefetched many-to-many relation (`sources`), read from the list the
    viewset prefetched it into (Meta.prefetched_lists: a Prefetch(to_attr=...) of the rows,
    or a RelatedIds of their ids) or from the prefetch cache, which DRF's UpdateModelMixin also reads: related.all() would first
    build a related manager for the row."""
    child, model_field = field.child_relation, _model_field(field)
    if (
        mapping
        or not isinstance(model_field, models.ManyToManyField)
        or not _same(field, serializers.ManyRelatedField, "get_attribute", "to_representation")
        or not _same(child, serializers.PrimaryKeyRelatedField, "to_representation")
        or child.pk_field is not None
    ):
        return None
    name = model_field.name  # the prefetch cache's key for a many-to-many field
    prefetched_lists = getattr(getattr(field.parent, "Meta", None), "prefetched_lists", {})
    attribute = prefetched_lists.get(field.field_name)

    # An attribute that is a RelatedIds (govtracker/related.py) holds the ids themselves.
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    holds_ids = isinstance(getattr(model, attribute, None), RelatedIds) if attribute else False

    def read(instance):
        if holds_ids and attribute in instance.__dict__ and instance.pk is not None:
            return list(instance.__dict__[attribute])
        rows = None if holds_ids or not attribute else instance.__dict__.get(attribute)
        if rows is None:
            cache = getattr(instance, "_prefetched_objects_cache", None)
            rows = cache.get(name) if cache else None
        if rows is None or instance.pk is None:
            return drf(instance)
        return [row.pk for row in rows]

    return read


def _link_reader(field, mapping: bool, drf):
    """A hyperlink from the URL DRF gives for a placeholder lookup value (so the host,
    format suffix and ?format= are its own), with each row's value in its place when
    reverse() would have put that value into the URL as it is."""
    s = serializers
    kind = s.HyperlinkedIdentityField if isinstance(field, s.HyperlinkedIdentityField) else None
    methods = ("get_attribute", "use_pk_only_optimization", "get_url", "to_representation")
    if mapping or not _same(field, kind or s.HyperlinkedRelatedField, *methods):
        return None
    if field.reverse is not drf_reverse:
        return None
    key = _link_key(field)
    template = (
        _link_template(field)
        if key is None
        else _link_templates.get(key, lambda: _link_template(field))
    )
    if template is None:
        return None
    start, end, pattern = template
    lookup_field = field.lookup_field

    def link(obj, instance):
        """Hyperlink(url, obj), as HyperlinkedRelatedField.to_representation(obj)."""
        if obj.pk in (None, ""):
            return None
        value = str(getattr(obj, lookup_field))
        if pattern.fullmatch(value) and _URL_SAFE.fullmatch(value):
            return Hyperlink(start + value + end, obj)
        return drf(instance)

    if kind is not None:  # the row's own URL
        return lambda instance: None if instance is None else link(instance, instance)
    if field.use_pk_only_optimization():
        get = _pk_getter(field, mapping)
        to_obj = PKOnlyObject
    else:
        get = _getter(field, mapping)
        to_obj = None
    if get is None:
        return None

    def read(instance):
        try:
            value = get(instance)
        except (AttributeError, KeyError, _OffPath):
            return drf(instance)
        if value is None:
            return None
        return link(to_obj(pk=value) if to_obj else value, instance)

    return read


def _link_template(field) -> tuple[str, str, re.Pattern] | None:
    """The field's URL for a placeholder lookup value, split around it, and the pattern
    its lookup value must match; None where the placeholder does not come back once."""
    url = str(field.to_representation(_Placeholder()))
    pattern = _lookup_pattern(url, field)
    if url.count(_PLACEHOLDER) != 1 or pattern is None:
        return None
    start, end = url.split(_PLACEHOLDER)
    return start, end, pattern


# A hyperlink field's template by everything its URL is made from besides the lookup
# value: reversing and resolving it cost 0.1 ms a field on every request of the API.
_link_templates = Remembered(1000)


def _link_key(field):
    """What DRF's hyperlink depends on besides the object (HyperlinkedRelatedField.get_url,
    rest_framework.reverse): the field's view and lookup, the format, the request's scheme
    and host (build_absolute_uri), its ?format= (preserve_builtin_query_params), the
    script prefix and URLconf (Django's reverse); None, which is never remembered, for a
    request with a versioning scheme or without a request."""
    request = field.context.get("request")
    if request is None or getattr(request, "versioning_scheme", None) is not None:
        return None
    format_ = field.context.get("format")
    if format_ and field.format and field.format != format_:
        format_ = field.format
    override = api_settings.URL_FORMAT_OVERRIDE
    return (
        type(field),
        field.view_name,
        field.lookup_field,
        field.lookup_url_kwarg,
        format_,
        request.scheme,
        request.get_host(),
        tuple(request.GET.getlist(override)) if override else None,
        get_script_prefix(),
        get_urlconf(),
    )


@receiver(setting_changed)
def _forget_link_templates(**kwargs):
    _link_templates.clear()


def _lookup_pattern(url: str, field):
    """The pattern the URL's lookup value must match: its viewset's lookup_value_regex, or
    the router's default. None if the URL is not a viewset's."""
    path = urlsplit(url).path
    prefix = get_script_prefix()
    if path.startswith(prefix):
        path = "/" + path[len(prefix) :]
    try:
        match = resolve(path)
    except Resolver404:
        return None
    viewset = getattr(match.func, "cls", None)
    if viewset is None or match.kwargs.get(field.lookup_url_kwarg) != _PLACEHOLDER:
        return None
    return re.compile(getattr(viewset, "lookup_value_regex", "[^/.]+"))


def _page_url_reader(field, mapping: bool, drf, strict: bool = False):
    """PageURLField: the request's scheme and host before the page's location, which is
    what build_absolute_uri() makes of a plain absolute path."""
    request = field.context.get("request")
    get = _getter(field, mapping)
    if request is None or get is None:
        return None
    origin = request.build_absolute_uri("/")[:-1]
    # A shared reader keeps no reference to the field (nor through it to the request).
    to_representation = None if strict else field.to_representation

    def read(instance):
        try:
            location = get(instance)
        except (AttributeError, KeyError, _OffPath):
            return drf(instance)
        if location is None:
            return None
        if (
            type(location) is str
            and _LOCATION_SAFE.fullmatch(location)
            and not location.startswith("//")
            and "/./" not in location
            and "/../" not in location
        ):
            return origin + location
        if to_representation is None:
            raise _OffPath
        return to_representation(location)

    return read
