"""Instances built by FastLoading.from_db (govtracker/loading.py) are Django's own: the
same attributes, the same state, the same deferred fields, the same behaviour after."""

import pytest
from django.db import models
from django.db.models.signals import post_init

from govtracker.loading import FastLoading
from metrics.models import Indicator, IndicatorTarget, Observation
from plans.models import (
    Jurisdiction,
    Milestone,
    MilestoneSnapshot,
    Plan,
    PlanSnapshot,
    ProgressUpdate,
    Source,
)

pytestmark = pytest.mark.django_db

MODELS = [
    Source,
    Jurisdiction,
    Plan,
    Milestone,
    ProgressUpdate,
    MilestoneSnapshot,
    PlanSnapshot,
    Indicator,
    IndicatorTarget,
    Observation,
]


def _listening():
    """A post_init receiver: while one listens, FastLoading hands over to Django."""

    def receiver(**kwargs):
        pass

    post_init.connect(receiver, weak=False)
    return receiver


def djangos(queryset):
    """The same rows, built by Django's Model.from_db and __init__."""
    receiver = _listening()
    try:
        return list(queryset.all())
    finally:
        post_init.disconnect(receiver)


def attributes(instance) -> dict:
    """What an instance holds, its state's flags in place of the state object."""
    held = {key: value for key, value in vars(instance).items() if key != "_state"}
    held["_state"] = (instance._state.adding, instance._state.db, instance._state.fields_cache)
    return held


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_model_is_built_as_django_builds_it(small_national, model):
    queryset = model.objects.order_by("pk")[:300]
    fast = list(queryset)
    assert fast, f"no {model.__name__}"
    assert model._fast_loading_plain is True
    assert [attributes(each) for each in fast] == [attributes(each) for each in djangos(queryset)]
    assert all(type(each) is model for each in fast)


def test_deferred_columns_are_left_out_and_load_when_read(small_national):
    queryset = Milestone.objects.only("id", "deadline", "plan_id").order_by("pk")
    fast, slow = list(queryset), djangos(queryset)
    assert [attributes(each) for each in fast] == [attributes(each) for each in slow]
    assert fast[0].get_deferred_fields() == slow[0].get_deferred_fields()
    assert "statement" in fast[0].get_deferred_fields()
    assert fast[0].statement == Milestone.objects.get(pk=fast[0].pk).statement


def test_select_related_builds_every_level(small_national):
    queryset = Milestone.objects.select_related("plan__jurisdiction").order_by("pk")
    fast, slow = list(queryset), djangos(queryset)
    for mine, theirs in zip(fast, slow, strict=True):
        assert attributes(mine.plan) == attributes(theirs.plan)
        assert attributes(mine.plan.jurisdiction) == attributes(theirs.plan.jurisdiction)
    assert len(fast) == Milestone.objects.count()


def test_instances_behave_after_loading(small_national):
    milestone = Milestone.objects.order_by("pk").first()
    other = Plan.objects.exclude(pk=milestone.plan_id).first()
    assert milestone.plan.pk == milestone.plan_id
    # The foreign key's descriptor still drops the cached plan when the id changes.
    milestone.plan_id = other.pk
    assert milestone.plan == other
    # What the models' own from_db remembers (for moving a milestone between plans).
    assert Milestone.objects.get(pk=milestone.pk)._loaded_plan_id != other.pk
    # Saved, with its optimistic lock, as any loaded row.
    plan = Plan.objects.get(pk=other.pk)
    plan.summary_en = "Fictional summary, set by a test."
    plan.save()
    assert Plan.objects.get(pk=plan.pk).version == plan.version


def test_a_column_with_another_descriptor_is_built_by_django(monkeypatch, small_national):
    class Announcing(models.query_utils.DeferredAttribute):
        """A data descriptor unlike a plain field's: assignment does more than store."""

        def __set__(self, instance, value):
            instance.__dict__["url"] = value
            instance.__dict__["url_was_set"] = True

    monkeypatch.setattr(Source, "url", Announcing(Source._meta.get_field("url")))
    monkeypatch.setattr(Source, "_fast_loading_plain", None, raising=False)  # checked anew
    source = Source.objects.order_by("pk").first()
    assert source.url_was_set is True
    assert Source._fast_loading_plain is False


def test_only_the_project_models_are_loaded_fast():
    for model in MODELS:
        assert issubclass(model, FastLoading)
        assert model.from_db.__func__ is not models.Model.from_db.__func__
