"""Every sort the API offers reads a range of an index (issue 7: "indexes for every filter
and sort"): the sort's column first, then the id that breaks its ties
(govtracker.api.StableOrderingFilter), so that a page is LIMIT 50 of an index scan read
forwards or backwards. Without them, at national scale, `/api/v1/milestones/?ordering=modified`
sorted 1,000,011 rows (1.4 s) and `/api/v1/updates/?ordering=created` 5,000,000 (1.7 s)."""

import pytest
from django.db import connection

from govtracker.api_urls import router
from metrics.models import Indicator

# Tables that do not grow with the data: a sort of all their rows is a sort of a dozen.
FEW_ROWS = {Indicator: "one row per national indicator"}


def api_sorts():
    for _prefix, viewset, _basename in router.registry:
        fields = getattr(viewset, "ordering_fields", None) or []
        meta = getattr(viewset.serializer_class, "Meta", None)  # the scorecards: no model
        if meta is None:
            continue
        model = meta.model
        for name in fields:
            yield pytest.param(model, name, id=f"{model.__name__}.{name}")


def indexes_of(model) -> list[dict]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return [c for c in constraints.values() if c["index"] or c["unique"]]


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "name"), list(api_sorts()))
def test_every_api_sort_is_an_index_range(model, name):
    if model in FEW_ROWS:
        pytest.skip(FEW_ROWS[model])
    column = model._meta.get_field(name).column
    indexes = indexes_of(model)
    unique_alone = any(index["unique"] and index["columns"] == [column] for index in indexes)
    then_id = any(index["columns"][:2] == [column, "id"] for index in indexes)
    # A unique column is its own tiebreak.
    assert unique_alone or then_id, f"{model.__name__}: ?ordering={name}: no index ({column}, id)"


def test_every_viewset_with_sorts_is_seen():
    """The parametrization above covers the API's sortable lists (a new one joins it)."""
    models = {param.values[0] for param in api_sorts()}
    assert {m.__name__ for m in models} >= {
        "Plan",
        "Milestone",
        "ProgressUpdate",
        "Source",
        "Observation",
        "IndicatorTarget",
        "Jurisdiction",
    }
