"""RelatedIds and RelatedRows (govtracker/related.py): a many-to-many relation's ids or
rows, prefetched from its join table in one query, in the order the relation itself
gives."""

import datetime

import pytest

from govtracker.related import RelatedRows
from plans.models import Plan, ProgressUpdate, Source
from tests.factories import make_milestone, make_plan, make_source, make_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans():
    # Titles out of id order, so that the relation's order (title, id) is not the ids'.
    zebra, apple, mango = (
        make_source(title=title, published_on=datetime.date(2021, 3, n))
        for n, title in enumerate(["斑馬", "蘋果", "芒果"], start=1)
    )
    same_title = make_source(title="蘋果")
    first, second, bare = make_plan(), make_plan(), make_plan()
    first.sources.set([zebra, apple, mango, same_title])
    second.sources.set([mango])
    return first, second, bare


def test_prefetched_ids_are_the_relations_ids_in_its_order_in_one_query(
    plans, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the plans, then every plan's ids
        rows = list(
            Plan.objects.filter(pk__in=[p.pk for p in plans]).prefetch_related("source_ids")
        )
        ids = {plan.pk: plan.source_ids for plan in rows}
    for plan in plans:
        assert ids[plan.pk] == [source.pk for source in plan.sources.all()]
    assert ids[plans[2].pk] == []


def test_ids_in_the_query_are_the_relations_ids_in_its_order(plans, django_assert_num_queries):
    """with_source_ids() reads them in the plans' own query (RelatedIds.in_query): an
    array on PostgreSQL, JSON on SQLite, both in the relation's order (title, then id:
    two sources share a title here), an empty list for a plan without sources."""
    with django_assert_num_queries(1):
        rows = list(Plan.objects.filter(pk__in=[p.pk for p in plans]).with_source_ids())
        ids = {plan.pk: plan.source_ids for plan in rows}
    for plan in plans:
        assert ids[plan.pk] == [source.pk for source in plan.sources.all()]
    assert len(ids[plans[0].pk]) == 4
    assert ids[plans[2].pk] == []
    assert all(type(pk) is int for pk in ids[plans[0].pk])


def test_read_without_a_prefetch_queries_once_for_that_row(plans, django_assert_num_queries):
    plan = Plan.objects.get(pk=plans[0].pk)
    expected = [source.pk for source in plan.sources.all()]
    with django_assert_num_queries(1):
        assert plan.source_ids == expected != []
    with django_assert_num_queries(0):
        plan.source_ids  # noqa: B018 - kept on the row


def test_a_chunked_iteration_prefetches_each_chunk(plans, django_assert_num_queries):
    """The CSV export iterates in chunks: each chunk's ids come with it."""
    expected = {plan.pk: [source.pk for source in plan.sources.all()] for plan in plans}
    with django_assert_num_queries(1 + 2):  # the rows, then 3 plans' ids in chunks of 2
        rows = (
            Plan.objects.filter(pk__in=expected)
            .prefetch_related("source_ids")
            .iterator(chunk_size=2)
        )
        assert {plan.pk: plan.source_ids for plan in rows} == expected
    with django_assert_num_queries(1):  # read with the rows
        rows = Plan.objects.filter(pk__in=expected).with_source_ids().iterator(chunk_size=2)
        assert {plan.pk: plan.source_ids for plan in rows} == expected


def test_updates_have_their_sources_ids_too():
    sources = [make_source(title="乙"), make_source(title="甲"), make_source(title="乙")]
    update = make_update(milestone=make_milestone(), sources=sources)
    row = ProgressUpdate.objects.with_source_ids().get(pk=update.pk)
    assert row.source_ids == [source.pk for source in update.sources.all()]
    assert sorted(row.source_ids) == sorted(source.pk for source in sources)


# --- RelatedRows --------------------------------------------------------------------


def rows(sources) -> list[tuple]:
    """What a page reads of each source, with the Python types of its fields."""
    return [
        (s.pk, s.title, s.title_en, s.publisher, s.url, s.published_on, s.citation) for s in sources
    ]


def test_prefetched_rows_are_the_relations_rows_in_its_order_in_one_query(
    plans, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the plans, then every plan's sources
        fetched = list(Plan.objects.filter(pk__in=[p.pk for p in plans]).with_source_list())
        lists = {plan.pk: plan.source_list for plan in fetched}
    for plan in plans:
        assert rows(lists[plan.pk]) == rows(plan.sources.all())
    assert lists[plans[2].pk] == []
    first = lists[plans[0].pk]
    # Fields come through the backend's converters (SQLite stores dates as text).
    assert isinstance(first[0].published_on, datetime.date)
    assert all(type(source) is Source for source in first)
    # The timestamps, which no page shows, are deferred: read, they are loaded as Django
    # loads a deferred field, with the stored value.
    assert first[0].get_deferred_fields() == {"created", "modified"}
    stored = Source.objects.get(pk=first[0].pk)
    with django_assert_num_queries(1):
        assert first[0].created == stored.created and first[0].created.tzinfo is not None


def test_read_without_a_prefetch_queries_once(plans, django_assert_num_queries):
    plan = Plan.objects.get(pk=plans[0].pk)
    expected = rows(plan.sources.all())
    with django_assert_num_queries(1):
        assert rows(plan.source_list) == expected != []


def test_several_relations_to_the_same_model_in_one_query(plans, django_assert_num_queries):
    """The plan page: the plan's sources and its updates' sources, one query."""
    first, second, bare = plans
    shared = first.sources.order_by("title", "id")[0]
    milestone = make_milestone(plan=first)
    updates = [
        make_update(milestone=milestone, sources=[shared, make_source(title="甲")]),
        make_update(milestone=milestone, sources=[make_source(title="乙")]),
    ]
    plan_rows = list(Plan.objects.filter(pk__in=[first.pk, bare.pk]).order_by("pk"))
    update_rows = list(ProgressUpdate.objects.filter(pk__in=[u.pk for u in updates]))
    expected = [rows(row.sources.all()) for row in [*plan_rows, *update_rows]]
    with django_assert_num_queries(1):
        RelatedRows.attach((Plan.source_list, plan_rows), (ProgressUpdate.source_list, update_rows))
    with django_assert_num_queries(0):
        assert [rows(row.source_list) for row in [*plan_rows, *update_rows]] == expected
    assert expected[1] == []  # the plan without sources
    assert RelatedRows.fetch((Plan.source_list, [])) == {Plan.source_list: {}}


def test_chunked_iteration_prefetches_rows_per_chunk(plans, django_assert_num_queries):
    expected = {plan.pk: rows(plan.sources.all()) for plan in plans}
    with django_assert_num_queries(1 + 2):
        fetched = Plan.objects.filter(pk__in=expected).with_source_list().iterator(chunk_size=2)
        assert {plan.pk: rows(plan.source_list) for plan in fetched} == expected
