"""Saving the plans that the property tests' hypothesis strategies draw: milestones and
updates described as dicts of day numbers counted from EPOCH (tests/test_progress_property.py,
tests/test_status_snapshot.py)."""

import datetime

from plans.models import Milestone, ProgressUpdate

EPOCH = datetime.date(2020, 1, 1)


def d(n: int) -> datetime.date:
    return EPOCH + datetime.timedelta(days=n)


def save_update(milestone, u, source, update=None) -> ProgressUpdate:
    """Create (or, given `update`, change) an update from a drawn dict."""
    update = update or ProgressUpdate(milestone=milestone)
    update.as_of = d(u["as_of"])
    update.percent_complete = u["percent"]
    update.value = u["value"]
    update.delivered = u["delivered"]
    # None: a draft; a later day than today: scheduled.
    update.published_on = None if u["published"] is None else d(u["published"])
    update.save()
    update.sources.add(source)
    return update


def save_milestone(plan, data, source, parent=None) -> Milestone:
    m = Milestone.objects.create(
        plan=plan,
        parent=parent,
        statement="虛構目標",
        start_date=d(data["start"]),
        deadline=d(data["start"] + data["length"]),
        kind="quantitative" if data["quantitative"] else "qualitative",
        baseline_value=data["baseline"] if data["quantitative"] else None,
        target_value=data["target"] if data["quantitative"] else None,
        weight=data["weight"],
    )
    for u in data["updates"]:
        save_update(m, u, source)
    return m
