"""RelatedIds (govtracker/related_ids.py): a many-to-many relation's ids, prefetched from
its join table in one query, in the order the relation itself gives."""

import pytest

from plans.models import Plan, ProgressUpdate
from tests.factories import make_milestone, make_plan, make_source, make_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans():
    # Titles out of id order, so that the relation's order (title, id) is not the ids'.
    zebra, apple, mango = (make_source(title=title) for title in ["斑馬", "蘋果", "芒果"])
    same_title = make_source(title="蘋果")
    first, second, bare = make_plan(), make_plan(), make_plan()
    first.sources.set([zebra, apple, mango, same_title])
    second.sources.set([mango])
    return first, second, bare


def test_prefetched_ids_are_the_relations_ids_in_its_order_in_one_query(
    plans, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the plans, then every plan's ids
        rows = list(Plan.objects.filter(pk__in=[p.pk for p in plans]).with_source_ids())
        ids = {plan.pk: plan.source_ids for plan in rows}
    for plan in plans:
        assert ids[plan.pk] == [source.pk for source in plan.sources.all()]
    assert ids[plans[2].pk] == []


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
        rows = Plan.objects.filter(pk__in=expected).with_source_ids().iterator(chunk_size=2)
        assert {plan.pk: plan.source_ids for plan in rows} == expected


def test_updates_have_their_sources_ids_too():
    sources = [make_source(title="乙"), make_source(title="甲"), make_source(title="乙")]
    update = make_update(milestone=make_milestone(), sources=sources)
    row = ProgressUpdate.objects.with_source_ids().get(pk=update.pk)
    assert row.source_ids == [source.pk for source in update.sources.all()]
    assert sorted(row.source_ids) == sorted(source.pk for source in sources)
