"""Pagination whose row count is kept with the scorecards under the data version.

A numbered page needs the total number of rows, a COUNT over everything the filters
select: cheap for a jurisdiction's plans, 0.1-0.5 s for a deadline year's 100,000
milestones or the API's 5,000,000 updates at national scale, the same for every visitor
until the data changes. `cached_data` (govtracker/cache.py) keeps it until the next
committed write, or the next day (statuses move with the date), and computes it on every
request where SCORECARD_CACHE is off.

A page deep into a list reads its rows' keys first (`keys_first`): OFFSET makes the
database build and drop every row before the page, joins and computed columns included.
"""

import hashlib

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.utils.functional import cached_property

from govtracker.cache import cached_data
from govtracker.prepared import PreparedRows


def count_key(queryset: QuerySet) -> str | None:
    """A key naming the count of `queryset`: its SQL and parameters without ordering (the
    same rows counted whatever the sort), on its database. None for a query that cannot
    match anything (`.none()`, an empty `__in`): it has no SQL, and counts 0 for free.

    The SQL named is that of the rows' primary keys: what decides how many rows there are
    (tables, joins, conditions, grouping) without the selected columns, which cannot change
    it, and whose annotations (a list's progress and counts per status) were most of the
    key's cost: compiling them took 0.3 ms, the keys alone 0.08. A DISTINCT list counts
    distinct selected rows, so its key keeps them."""
    unordered = queryset.order_by()
    query = (unordered if queryset.query.distinct else unordered.values("pk")).query
    try:
        sql, params = query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return None
    digest = hashlib.sha256(repr((queryset.db, sql, params)).encode()).hexdigest()
    return f"count:{queryset.model._meta.label_lower}:{digest}"


# From this many rows before a page, the page is read keys first. Below it OFFSET costs
# little, and one query is cheaper than two.
DEEP_OFFSET = 1000


def keys_first(rows: QuerySet, bottom: int, top: int) -> list | None:
    """`rows[bottom:top]` in two queries: the primary keys of the slice (the same filters
    and order, no other column, so no join or computed column for the rows skipped), then
    those rows whole, put back in that order. Page 5,000 of the API's updates at national
    scale: 2.2 s in one query, most of it joining 250,000 skipped updates to their
    milestones, plans and jurisdictions.

    None for a queryset this cannot read that way: rows that are not model instances,
    DISTINCT (a key list is not the distinct rows), a combined or already sliced query."""
    query = rows.query
    if (
        rows._iterable_class is not ModelIterable
        or query.distinct
        or query.combinator
        or query.is_sliced
    ):
        return None
    keys = list(rows.values_list("pk", flat=True)[bottom:top])
    by_key = {row.pk: row for row in rows.filter(pk__in=keys).order_by()}
    # A row deleted between the two queries is left out, as if read a moment later.
    return [by_key[key] for key in keys if key in by_key]


class DataVersionedPaginator(Paginator):
    """Pages of a QuerySet or of a prepared query's rows (govtracker/prepared.py)."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, PreparedRows):
            return cached_data(rows.count_key(), rows.count)
        if not isinstance(rows, QuerySet):
            return super().count
        key = count_key(rows)
        return rows.count() if key is None else cached_data(key, rows.count)

    def page(self, number):
        rows = self.object_list
        if not isinstance(rows, QuerySet | PreparedRows):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            # The last page runs to the end, but asks for no fewer than a page's rows: there
            # are none beyond the count, and a LIMIT as small as the rows left (LIMIT 1 for
            # a province with one plan) made PostgreSQL walk all 60,000 plans in the list's
            # order, expecting to meet the few early (41 ms; 1.6 ms with LIMIT 50).
            top = max(self.count, top)
        page_rows = None
        if bottom >= DEEP_OFFSET:
            # Deep pages are few visitors' and many addresses: not worth a prepared
            # statement each.
            queryset = rows.queryset() if isinstance(rows, PreparedRows) else rows
            page_rows = keys_first(queryset, bottom, top)
            if page_rows is None:
                page_rows = queryset[bottom:top]
        if page_rows is None:
            page_rows = rows[bottom:top]
        return self._get_page(page_rows, number, self)
