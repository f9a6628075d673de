"""A many-to-many relation read in one plain query: its ids, or its rows.

Django's prefetch_related() reads a relation with a QuerySet built, compiled and joined for
it, and keeps a related manager's machinery per row: 1.4-1.8 ms for a plan page's one
source or its forty updates' sources, where the SQL itself takes a fraction of that.
Two descriptors read the join table directly, through the prefetch protocol of Django's
own related descriptors, so `prefetch_related()` and chunked `iterator()` fill them in:

    class Plan(models.Model):
        sources = models.ManyToManyField(Source)
        source_ids = RelatedIds("sources")     # the API's "sources": [532, 871]
        source_list = RelatedRows("sources")   # a page's list of Source rows

    Plan.objects.prefetch_related("source_ids")   # one query for every plan of the page
    plan.source_ids                                # [532, 871], in Source's own order
    Plan.objects.annotate(source_ids=Plan.source_ids.in_query())   # in the plans' query

`RelatedIds.in_query()` reads the same list as a column of the owner's own query (an
array on PostgreSQL, JSON on SQLite): what the API's lists use, a query fewer.

`RelatedIds` reads the pairs of ids from the join table (joined to the target only for
its order) and gives each row a plain list of ints. `RelatedRows` reads the target's rows
with the join table's owner column, in one raw query, and `RelatedRows.fetch()` reads
several relations to the same model (a plan's sources and its updates') in one query,
a UNION ALL of their join tables. Both keep the related model's Meta.ordering, then id.
Read without a prefetch, either runs its query for that one row, as a related manager
would. tests/test_related.py compares them with the relation itself.
"""

import json
from abc import ABC, abstractmethod
from operator import attrgetter

from django.db import connections, models, router
from django.db.models import OuterRef, Subquery


class _RowValues(list):
    """One row's related ids or rows, carrying the row's id for prefetch_one_level()."""

    def __init__(self, row):
        super().__init__()
        self.row = row


class _RelatedDescriptor(ABC):
    """What both descriptors share: the relation, its join table, the prefetch protocol.

    Prefetched as a "single" relation: one value per row, the row's whole list, set
    through __set__ (prefetch_one_level() sets None for a row with no related rows)."""

    def __init__(self, field_name: str):
        self.field_name = field_name

    def __set_name__(self, owner, name):
        self.name = name
        self.model = owner

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        if self.name not in instance.__dict__:
            self.__set__(instance, self._grouped([instance]).get(instance.pk))
        return instance.__dict__[self.name]

    def __set__(self, instance, value):
        instance.__dict__[self.name] = list(value or ())

    def is_cached(self, instance) -> bool:
        return self.name in instance.__dict__

    def get_prefetch_querysets(self, instances, querysets=None):
        values = list(self._grouped(instances).values())
        return (values, attrgetter("row"), attrgetter("pk"), True, self.name, True)

    @abstractmethod
    def _grouped(self, instances) -> dict:
        """{row id: _RowValues} for the rows `instances` that have related rows: what
        each descriptor reads (ids, or rows)."""

    @property
    def field(self):
        return self.model._meta.get_field(self.field_name)

    def _link_sql(self, kind: int, pks: list, alias: str) -> tuple[str, list]:
        """The join table's rows of the rows `pks`: (link_kind, link_owner, link_target).
        `kind` is a number the caller chooses, written into the SQL as it is."""
        field = self.field
        through = field.remote_field.through._meta
        table = through.db_table
        owner = through.get_field(field.m2m_field_name()).column
        related = through.get_field(field.m2m_reverse_field_name()).column
        quote = connections[alias].ops.quote_name
        marks = ", ".join(["%s"] * len(pks))
        sql = (
            f"SELECT {int(kind)} AS link_kind, {quote(owner)} AS link_owner, "
            f"{quote(related)} AS link_target FROM {quote(table)} "
            f"WHERE {quote(owner)} IN ({marks})"
        )
        return sql, list(pks)


class RelatedIds(_RelatedDescriptor):
    """The ids of the related rows, in the related model's Meta.ordering (then id)."""

    def in_query(self) -> Subquery:
        """The ids as a column of the owner's own query, for
        `queryset.annotate(source_ids=Plan.source_ids.in_query())`: the same list as the
        prefetch, without its second query (a round trip and the grouping of its rows:
        about 0.5 ms for the API's page of 50 plans)."""
        field = self.field
        through = field.remote_field.through
        target_meta = field.related_model._meta
        owner = field.m2m_field_name()
        related = through._meta.get_field(field.m2m_reverse_field_name())
        order = []
        for term in _ordering_terms(target_meta):
            name = term.lstrip("-")
            # The target's key is the join table's column: no join for it.
            path = (
                related.attname
                if name in ("pk", target_meta.pk.name)
                else f"{related.name}__{name}"
            )
            order.append(f"-{path}" if term.startswith("-") else path)
        links = (
            through.objects.filter(**{owner: OuterRef("pk")})
            .order_by(*order)
            .values_list(related.attname)
        )
        return _IdsSubquery(links, related.column)

    def _grouped(self, instances) -> dict:
        target = self.field.related_model
        alias = router.db_for_read(target)
        link, params = self._link_sql(0, [instance.pk for instance in instances], alias)
        sql = (
            f"SELECT l.link_owner, l.link_target FROM ({link}) l "
            f"{_join_and_order(target, alias, 'l.link_target')}"
        )
        grouped: dict = {}
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            for row, target_id in cursor.fetchall():
                grouped.setdefault(row, _RowValues(row)).append(target_id)
        return grouped


def _join_and_order(target, alias: str, link_column: str) -> str:
    """The join of the related model's table `t` to the link column, and its order: its
    Meta.ordering (plain field names, "-" for descending), then its primary key."""
    meta = target._meta
    quote = connections[alias].ops.quote_name
    order = []
    for term in _ordering_terms(meta):
        name = term.lstrip("-")
        column = (meta.pk if name == "pk" else meta.get_field(name)).column
        order.append(f"t.{quote(column)}{' DESC' if term.startswith('-') else ''}")
    return (
        f"INNER JOIN {quote(meta.db_table)} t ON t.{quote(meta.pk.column)} = {link_column} "
        f"ORDER BY {', '.join(order)}"
    )


def _ordering_terms(meta) -> list[str]:
    """A model's Meta.ordering (plain field names, "-" for descending), then its primary
    key: the related rows' order for both descriptors."""
    terms = [term for term in meta.ordering if isinstance(term, str)]
    if not {meta.pk.name, f"-{meta.pk.name}", "pk", "-pk"} & set(terms):
        terms.append(meta.pk.name)
    return terms


class RelatedRows(_RelatedDescriptor):
    """The related rows, in the related model's Meta.ordering (then id): whole, or without
    the fields named in `defer` (loaded from the database if read, as Django's own
    deferred fields are). The pages that list sources never show their timestamps: two
    values a row not read and converted."""

    def __init__(self, field_name: str, *, defer: tuple[str, ...] = ()):
        super().__init__(field_name)
        self.defer = frozenset(defer)

    def _grouped(self, instances) -> dict:
        return RelatedRows.fetch((self, instances))[self]

    @staticmethod
    def fetch(*relations) -> dict:
        """Read several relations to the same model at once: for each (descriptor, rows)
        given, {descriptor: {row id: _RowValues of related rows}}, from one query. Rows of
        the related model cited by several owners come once per owner."""
        relations = [(descriptor, list(rows)) for descriptor, rows in relations]
        result = {descriptor: {} for descriptor, _ in relations}
        wanted = [(d, [row.pk for row in rows]) for d, rows in relations if rows]
        if not wanted:
            return result
        target = wanted[0][0].field.related_model
        assert all(d.field.related_model is target for d, _ in wanted), "one related model"
        alias = router.db_for_read(target)
        links, params = [], []
        for kind, (descriptor, pks) in enumerate(wanted):
            link, link_params = descriptor._link_sql(kind, pks, alias)
            links.append(link)
            params += link_params
        quote = connections[alias].ops.quote_name
        # A field is left out only where every relation read here defers it.
        deferred = frozenset.intersection(*(descriptor.defer for descriptor, _ in wanted))
        columns = ", ".join(
            f"t.{quote(field.column)}"
            for field in target._meta.concrete_fields
            if field.primary_key or field.name not in deferred
        )
        sql = (
            f"SELECT {columns}, l.link_kind, l.link_owner FROM ({' UNION ALL '.join(links)}) l "
            f"{_join_and_order(target, alias, 'l.link_target')}"
        )
        # raw(): the rows become model instances through the backend's converters (SQLite
        # stores dates as text), with link_kind and link_owner as attributes.
        for row in target._default_manager.db_manager(alias).raw(sql, params):
            grouped = result[wanted[row.link_kind][0]]
            grouped.setdefault(row.link_owner, _RowValues(row.link_owner)).append(row)
        return result

    @staticmethod
    def attach(*relations) -> None:
        """fetch(), then each row's list set on it, as a prefetch would (rows without
        related rows get an empty list)."""
        relations = [(descriptor, list(rows)) for descriptor, rows in relations]
        fetched = RelatedRows.fetch(*relations)
        for descriptor, rows in relations:
            grouped = fetched[descriptor]
            for row in rows:
                descriptor.__set__(row, grouped.get(row.pk))


class _IdList(models.Field):
    """What `RelatedIds.in_query()` reads: a list of ids, from PostgreSQL's array or
    SQLite's JSON text."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return []
        if isinstance(value, str):
            return json.loads(value)
        return value


class _IdsSubquery(Subquery):
    """The ids a subquery selects, as one value per outer row: ARRAY(...) on PostgreSQL,
    json_group_array() over the ordered rows elsewhere (SQLite keeps a subquery's order for
    the aggregate over it: it never flattens an ordered subquery into an aggregate)."""

    template = "ARRAY(%(subquery)s)"
    output_field = _IdList()

    def __init__(self, queryset, column: str):
        super().__init__(queryset)
        self.column = column

    def as_sqlite(self, compiler, connection, **extra):
        column = connection.ops.quote_name(self.column)
        template = f"(SELECT json_group_array(ids.{column}) FROM (%(subquery)s) ids)"
        return self.as_sql(compiler, connection, template=template, **extra)
