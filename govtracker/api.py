"""What every endpoint of the REST API (/api/v1/) shares.

Defaults are named once in settings.REST_FRAMEWORK and live here: pagination with a
maximum page size, ordering that is always stable, a CSV renderer that streams whole
lists, anonymous throttling at a configurable rate, conditional GET, CORS for reads only,
and the OpenAPI description of the errors every operation can answer with.
"""

import copy
import csv
import datetime
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from corsheaders.middleware import CorsMiddleware
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest, QueryDict, StreamingHttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override as translation_override
from django.views.decorators.http import conditional_page
from django_filters.filters import BaseCSVFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, pagination, renderers, serializers, throttling
from rest_framework.exceptions import MethodNotAllowed, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.settings import api_settings

from govtracker.fast_serialization import FastRepresentationMixin
from govtracker.json_rendering import JSONRenderer
from govtracker.locking import ConcurrentEditError, VersionConflict, version_etag
from govtracker.pagination import DataVersionedPaginator
from govtracker.prepared import PreparedQuery, parameters_shape
from govtracker.rendering import rendering_page

# --- Pagination and ordering ---------------------------------------------------------


class Pagination(pagination.PageNumberPagination):
    """Numbered pages of 50 rows; a client may ask for up to API_MAX_PAGE_SIZE."""

    django_paginator_class = DataVersionedPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def validate(self, request) -> None:
        """400 for a page or page size that is not a whole number of 1 or more, also when
        the page is not used (a CSV export has all rows)."""
        self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            raise ValidationError(
                {self.page_query_param: [_("Enter a whole number of 1 or more.")]}
            )

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            # DRF would silently fall back to the default; a client should learn its
            # request was not understood.
            raise ValidationError(
                {self.page_size_query_param: [_("Enter a whole number of 1 or more.")]}
            )
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = str(
                    _(
                        "Rows per page: default %(default)s, at most %(max)s (larger asks get %(max)s)."
                    )
                    % {"default": self.page_size, "max": self.max_page_size}
                )
        return parameters


class StableOrderingFilter(filters.OrderingFilter):
    """?ordering=… over the fields a view allows (any other term is a 400 naming them, and
    the schema states them), always ending with the primary key so that equal values
    never swap places between two pages.

    The key runs in the direction of the first term, as on the pages' lists
    (plans.filters.PlanOrdering): `-modified` is `modified DESC, id DESC`, which the
    index on (modified, id) serves read backwards. `modified DESC, id ASC` would need a
    sort of every row sharing a value, all of them where rows were loaded together."""

    def get_ordering(self, request, queryset, view):
        reject_empty(request, [self.ordering_param])
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if not ordering:
            ordering = list(queryset.query.order_by or queryset.model._meta.ordering)
        if not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering.append("-pk" if ordering and str(ordering[0]).startswith("-") else "pk")
        return ordering

    def remove_invalid_fields(self, queryset, fields, view, request):
        # DRF drops a term it does not know and orders as if it had not been asked: a
        # client should learn that its request was not understood, as with any filter.
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        unknown = [term for term in fields if term not in valid]
        if unknown:
            raise ValidationError(
                {
                    self.ordering_param: [
                        _(
                            "Cannot order by “%(terms)s”. Order by %(fields)s, several "
                            "separated by commas, each with a leading - for descending order."
                        )
                        % {
                            "terms": ", ".join(unknown),
                            "fields": ", ".join(
                                name
                                for name, _label in self.get_valid_fields(
                                    queryset, view, {"request": request}
                                )
                            ),
                        }
                    ]
                }
            )
        return valid

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        names = getattr(view, "ordering_fields", self.ordering_fields)
        if not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names):
            return parameters  # no list of names to state (DRF's "__all__" or the default)
        # Spaces around a term are allowed, as DRF strips them.
        alternatives = "|".join(names)
        term = rf"\s*-?(?:{alternatives})\s*"
        for parameter in parameters:
            parameter["schema"]["pattern"] = rf"^{term}(?:,{term})*$"
            parameter["description"] = str(
                _(
                    "Order by %(fields)s, several separated by commas, each with a leading - "
                    "for descending order (e.g. -%(first)s). Ties are broken by id."
                )
                % {"fields": ", ".join(names), "first": names[0]}
            )
        return parameters


# --- CSV ------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(_cell(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, Decimal | int | float | datetime.date):
        return str(value)
    text = str(value)
    # A cell starting with = + - @ is a formula to a spreadsheet; a leading apostrophe
    # keeps an editor's narrative from running as one on a reader's machine. Numbers
    # (decimals arrive as strings, "-2.5000") stay as they are.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _flatten(row: dict, prefix: str = "") -> dict:
    """Nested objects become dotted columns: inputs.as_of, inputs.deadline, …"""
    flat = {}
    for key, value in row.items():
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


class _Echo:
    def write(self, value: str) -> str:
        return value


class CSVRenderer(renderers.BaseRenderer):
    """text/csv, UTF-8 with a byte-order mark so that spreadsheets read Chinese right."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict):
            data = data.get("results", [data]) if "results" in data else [data]
        return "".join(self.stream(data or [])).encode(self.charset)

    def stream(self, rows: Iterable[dict], header: list[str] | None = None) -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff"
        columns = None
        for row in rows:
            flat = _flatten(dict(row))
            if columns is None:
                columns = list(flat)
                yield writer.writerow(columns)
            yield writer.writerow([_cell(flat.get(column)) for column in columns])
        if columns is None and header:
            yield writer.writerow(header)


# --- Throttling, CORS -------------------------------------------------------------------


class AnonRateThrottle(throttling.AnonRateThrottle):
    """Anonymous clients get settings.API_ANON_RATE requests (environment API_ANON_RATE,
    e.g. "120/minute"; empty turns throttling off). Read when each request comes in, not at
    import, so the rate can be changed without touching REST_FRAMEWORK."""

    def get_rate(self) -> str | None:
        return settings.API_ANON_RATE or None


class ReadOnlyCorsMiddleware(CorsMiddleware):
    """django-cors-headers, enabled only for reads: a page on any origin may GET the API,
    but neither a write nor its preflight gets an Access-Control-Allow-Origin header, so a
    browser never lets another site write with a visitor's session."""

    def is_enabled(self, request) -> bool:
        method = request.method
        if method == "OPTIONS" and "access-control-request-method" in request.headers:
            method = request.headers["access-control-request-method"].upper()
        return method in ("GET", "HEAD", "OPTIONS") and super().is_enabled(request)


# --- Views ------------------------------------------------------------------------------


class APIBaseMixin:
    """Shared behaviour of govtracker's viewsets.

    - Conditional GET: an ETag computed from the rendered body (Django's
      ConditionalGetMiddleware, applied to the API only), so a client that sends
      If-None-Match gets 304 without the body; a versioned object's starts with its
      version, which a change may send back as If-Match.
    - ?format=csv on a list streams the whole filtered list, not one page.
    - Every write is recorded with its author in the admin's history (LogEntry).
    """

    csv_filename = "export"

    @method_decorator(conditional_page)
    def dispatch(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            # A read draws each row's addresses in the request's language: read it once
            # (govtracker/rendering.py). Writes may switch language (record_write).
            with rendering_page():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        # A method the resource does not have is 405 for everyone, before any question of
        # who is asking (DRF would check permissions first and answer 401 or 403).
        # Empty ?format= or ?page= would silently mean "the default".
        reject_empty(request, [api_settings.URL_FORMAT_OVERRIDE, "page", "page_size"])
        method = request.method.lower()
        routed = set(getattr(self, "action_map", None) or self.http_method_names) | {"options"}
        if method not in routed or method not in self.http_method_names:
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def get_renderers(self):
        renderer_list = super().get_renderers()
        if getattr(self, "action", None) != "list":
            renderer_list = [r for r in renderer_list if not isinstance(r, CSVRenderer)]
        return renderer_list

    def handle_exception(self, exc):
        if isinstance(exc, Http404):
            # Django's message names the model in English ("No Plan matches the given
            # query.") whatever the request's language; DRF's own is translated.
            exc = NotFound()
        # Errors are JSON whatever format was asked for: a CSV of an error helps nobody.
        if isinstance(getattr(self.request, "accepted_renderer", None), CSVRenderer):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Editors see their drafts: what a URL returns depends on who asks.
        patch_vary_headers(response, ["Authorization", "Cookie"])
        data = getattr(response, "data", None)
        if response.status_code == 200 and isinstance(data, dict) and "version" in data:
            # A versioned object read: its ETag names its version, so that a client that
            # sends it back as If-Match, as HTTP clients do, names the version it edited.
            version = data["version"]
            response.add_post_render_callback(
                lambda rendered: rendered.__setitem__(
                    "ETag", version_etag(version, rendered.content)
                )
            )
        return response

    def perform_create(self, serializer):
        with transaction.atomic():
            instance = serializer.save(**self.author_fields())
            record_write(self.request.user, instance, ADDITION)
        self.reload(serializer)

    def perform_update(self, serializer):
        try:
            with transaction.atomic():
                instance = serializer.save()
                record_write(
                    self.request.user, instance, CHANGE, fields=list(serializer.validated_data)
                )
        except ConcurrentEditError as error:
            # Another save landed after this request read the row: 409, as for a stale
            # version (OptimisticLockSerializerMixin answers so itself; this covers any
            # other save of a versioned row the write makes).
            raise VersionConflict() from error
        self.reload(serializer)

    def reload(self, serializer) -> None:
        """Answer a write with the object as a read shows it, with what the list's QuerySet
        computes (a milestone's status, a plan's milestone count)."""
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def author_fields(self) -> dict:
        """Extra fields a create saves; a model with an author field names it here."""
        return {}


class APIViewMixin(APIBaseMixin):
    """APIBaseMixin for a resource with a list: ?format=csv streams the whole list.

    A read that neither filters nor sorts (its parameters only a page, a page size, a
    format or an as-of date) may take its rows from prepared queries
    (govtracker/prepared.py): `prepared_list`, built with `prepared_shape()` (the as-of
    date) as its shape, its rows in the view's default order, and `prepared_detail`, built
    with the lookup value and that shape. Each must select what `get_queryset()` and the
    filter backends would for such a request (tests/test_prepared.py compares the
    answers).

    A read of such a list that filters or sorts takes its rows from `filtered_list`, a
    prepared query whose shape is the request's filters and sort as the address gives
    them, with `prepared_shape()`: one statement per filtered address, as the plans page
    has (PLAN_LIST_ROWS). Its QuerySet is the one this view's filter backends build, built
    by a view of the same class for an anonymous GET with those parameters
    (`filtered_rows`): a filter's bad value raises there, a 400, as it would here."""

    prepared_list = None
    prepared_detail = None
    filtered_list = None  # made for each view that has a prepared_list (__init_subclass__)
    PREPARED_PARAMS = frozenset({"page", "page_size", "format", "as_of"})

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.prepared_list is not None:
            # Each class its own: a subclass may filter otherwise (and its name keeps the
            # lists' counts apart, PreparedRows.count_key).
            name = f"{cls.prepared_list.name}-filtered"
            if "prepared_list" not in cls.__dict__:
                name += f":{cls.__module__}.{cls.__qualname__}"
            # Each address its own statement, its filters' values written into the SQL
            # (PLAN_LIST_ROWS says why).
            cls.filtered_list = PreparedQuery(name, cls.filtered_rows, literal=True)

    def may_prepare(self) -> bool:
        """Whether this request's rows may come from prepared queries (shared by every
        reader of an address): a read, the same for every reader."""
        return self.request.method in ("GET", "HEAD")

    def prepared(self, query):
        """`query` if this read may use it, else None."""
        if query is None or not self.may_prepare():
            return None
        return query if self.PREPARED_PARAMS.issuperset(self.request.query_params) else None

    def prepared_shape(self) -> dict:
        """What besides the filters chooses a list's rows, by the view's attribute names
        (`filtered_rows` sets them on its view)."""
        return {"as_of": self.as_of}

    def filtered(self):
        """This request's filtered or sorted list as `filtered_list`'s rows, or None."""
        if self.filtered_list is None or not self.may_prepare():
            return None
        filters = parameters_shape(self.request.query_params, self.PREPARED_PARAMS)
        return self.filtered_list.list(filters=filters, **self.prepared_shape())

    @classmethod
    def filtered_rows(cls, *, filters: tuple, **shape):
        """`filtered_list`'s QuerySet: what a view of this class filters for an anonymous
        GET whose parameters are `filters`, with the attributes `shape` (its as-of date)."""
        http_request = HttpRequest()
        http_request.method = "GET"
        http_request.GET = QueryDict(mutable=True)
        for name, values in filters:
            http_request.GET.setlist(name, list(values))
        request = Request(http_request)
        request.user = AnonymousUser()
        view = cls(request=request, args=(), kwargs={}, format_kwarg=None, action="list")
        vars(view).update(shape)
        return view.filter_queryset(view.get_queryset())

    def prepared_lookup(self, value: str):
        """The address's lookup value as the detail's prepared query takes it (the type its
        filter binds), or None to read the object the usual way."""
        return value

    def get_object(self):
        query = self.prepared(self.prepared_detail)
        lookup = self.prepared_lookup(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        if query is None or lookup is None:
            return super().get_object()
        rows = query.rows(lookup, **self.prepared_shape())
        if not rows:
            raise Http404
        self.check_object_permissions(self.request, rows[0])
        return rows[0]

    def list(self, request, *args, **kwargs):
        renderer = request.accepted_renderer
        query = self.prepared(self.prepared_list)
        rows = query.list(**self.prepared_shape()) if query is not None else self.filtered()
        if rows is not None and not isinstance(renderer, CSVRenderer):
            page = self.paginate_queryset(rows)
            serializer = self.get_serializer(page, many=True)
            return self.get_paginated_response(serializer.data)
        if not isinstance(renderer, CSVRenderer):
            return super().list(request, *args, **kwargs)
        if self.paginator is not None:
            self.paginator.validate(request)
        queryset = self.filter_queryset(self.get_queryset())
        context = self.get_serializer_context()
        context["request"] = without_format(request)
        serializer = self.get_serializer(context=context)
        # One serializer for every row, as a many=True serializer uses one child: building
        # a serializer per row deep-copies its fields each time, most of an export's cost.
        rows = (serializer.to_representation(obj) for obj in queryset.iterator(chunk_size=2000))
        response = StreamingHttpResponse(
            renderer.stream(rows, header=list(serializer.fields)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}.csv"'
        return response


class IdLookupMixin:
    """A detail looked up by its id (`lookup_value_regex` digits): the prepared query takes
    it as an int. One beyond a bigint (Django answers 404 without a query) is read the
    usual way."""

    def prepared_lookup(self, value: str):
        return int(value) if len(value) < 19 else None


def without_format(request):
    """The request without ?format=. DRF's reverse() copies that parameter into every
    hyperlink it draws, but the links in a CSV export are to read as JSON: a detail has no
    CSV (…/milestones/1/?format=csv is a 404)."""
    plain = copy.copy(request._request)
    plain.GET = plain.GET.copy()
    plain.GET.pop(api_settings.URL_FORMAT_OVERRIDE, None)
    request = copy.copy(request)
    request._request = plain
    return request


def record_write(user, instance: models.Model, action: int, fields: list[str] = ()) -> None:
    """Who wrote what through the API, in the admin's history of the object."""
    if action == ADDITION:
        message = [{"added": {}}]
    else:
        # Stored untranslated, as the admin does; its history page translates them.
        with translation_override(None):
            names = [str(instance._meta.get_field(name).verbose_name) for name in fields]
        message = [{"changed": {"fields": names}}]
    LogEntry.objects.log_actions(
        user_id=user.pk, queryset=[instance], action_flag=action, change_message=message
    )


# --- Serializers ------------------------------------------------------------------------


class PageURLField(serializers.URLField):
    """The absolute address of an object's public page (its get_absolute_url()), in the
    language of the request."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "get_absolute_url")
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        request = self.context.get("request")
        return request.build_absolute_uri(value) if request else value


# A ModelSerializer that
# - takes JSON values of the type its schema states only: DRF would turn 5 into "5" for a
#   text field or "5" into 5 for a number, and a client would never learn that it sends
#   the wrong type (decimals travel as strings, "40.5", so that no digit is lost);
# - runs the model's clean(), so that a broken invariant gets the same per-field message
#   as in the admin (400) before the database constraint would raise an IntegrityError.
class CleanedModelSerializer(FastRepresentationMixin, serializers.ModelSerializer):
    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {
                name: [message]
                for name, field in self.fields.items()
                if not field.read_only and name in data
                for message in [_json_type_error(field, data[name])]
                if message
            }
            if errors:
                raise ValidationError(errors)
        return super().to_internal_value(data)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        opts = self.Meta.model._meta
        many_to_many = {field.name for field in opts.many_to_many}
        candidate = copy.copy(self.instance) if self.instance else self.Meta.model()
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(candidate, name, value)
        try:
            candidate.clean()
        except DjangoValidationError as error:
            detail = serializers.as_serializer_error(error)
            if NON_FIELD_ERRORS in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
            raise serializers.ValidationError(detail) from None
        # clean() fills in what is derived (a milestone's start date, an observation's
        # percentage from its parts): save what it settled on.
        for name in getattr(self.Meta, "derived_fields", ()):
            attrs[name] = getattr(candidate, name)
        return attrs


def reject_empty(request, names) -> None:
    """An empty parameter (?kind=, or only blanks: ?jurisdiction=%09, which a text filter
    strips to nothing) is a 400 in the API. The pages' forms send empty fields for "any",
    but a script that sends one has most likely lost a value on the way."""
    empty = [
        name
        for name in names
        if (value := request.query_params.get(name, None)) is not None and not value.strip()
    ]
    if empty:
        raise ValidationError(
            {name: [_("This parameter is empty: give a value or leave it out.")] for name in empty}
        )


def _json_type_error(field, value) -> str | None:
    """Why `value` (parsed JSON) is not of the type the schema states for `field`."""
    if value is None:
        return None  # the field itself says whether null is allowed
    if isinstance(field, serializers.CharField) and isinstance(value, str):
        # Measured before DRF trims surrounding blanks, as the schema's maxLength is.
        if field.max_length is not None and len(value) > field.max_length:
            return _("Ensure this field has no more than %(max)s characters.") % {
                "max": field.max_length
            }
    if isinstance(field, serializers.ManyRelatedField):
        if not isinstance(value, list):
            return _("Expected a list of ids.")
        if any(_json_type_error(field.child_relation, item) for item in value):
            return _("Expected a list of ids.")
        return None
    if isinstance(field, serializers.PrimaryKeyRelatedField | serializers.IntegerField):
        ok, expected = isinstance(value, int) and not isinstance(value, bool), _("an integer")
    elif isinstance(field, serializers.BooleanField):
        ok, expected = isinstance(value, bool), _("true or false")
    elif isinstance(field, serializers.DecimalField):
        ok, expected = isinstance(value, str), _('a decimal written as a string, e.g. "40.5"')
    elif isinstance(
        field,
        serializers.CharField
        | serializers.ChoiceField
        | serializers.SlugRelatedField
        | serializers.DateField,
    ):
        ok, expected = isinstance(value, str), _("a string")
    else:
        return None
    return None if ok else _("Wrong type: expected %(expected)s.") % {"expected": expected}


class FilterBackend(DjangoFilterBackend):
    """django-filter, plus whatever a view adds to its FilterSet's arguments (the plans'
    FilterSet takes the as-of date of its status filter).

    A request none of whose parameters is a filter's (a plain list, or one asking only for
    a page, a format, a date or a sort) gets the list unfiltered without a FilterSet being
    built: that FilterSet would validate an empty form and hand the queryset back
    unchanged, after deep-copying its filters and building the form's fields (about
    0.8 ms, 8 % of the API's plans list). Any other parameter, a filter's or an unknown
    one, goes through the FilterSet as before."""

    # Parameters the API reads elsewhere: pagination, renderer, as-of date, ordering.
    NOT_FILTERS = frozenset({"page", "page_size", "format", "as_of", "ordering"})

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if (
            filterset_class is not None
            and self.NOT_FILTERS.issuperset(request.query_params)
            and self.NOT_FILTERS.isdisjoint(filterset_class.base_filters)
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        filters = self.get_filterset_class(view, queryset).base_filters
        # A list parameter (the pages' ?o=) may be empty: it is an empty list.
        reject_empty(
            request, [name for name, f in filters.items() if not isinstance(f, BaseCSVFilter)]
        )
        if hasattr(view, "get_filterset_extra_kwargs"):
            kwargs.update(view.get_filterset_extra_kwargs())
        return kwargs
