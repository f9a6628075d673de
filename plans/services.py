"""Writes that touch several rows, each inside one transaction."""

import csv
import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from metrics.models import Indicator, Observation
from plans import permissions, snapshot, source_data
from plans.models import Editor, Jurisdiction, Milestone, Plan, ProgressUpdate, Source, today

JURISDICTIONS_CSV = Path(__file__).resolve().parent / "data" / "jurisdictions.csv"


def _upsert(
    model: type[models.Model],
    counts: Counter,
    *,
    lookup: dict,
    values: dict,
    update: bool,
) -> models.Model:
    """Create the row if it is missing; with `update`, bring its fields back to `values`.

    A row that already holds `values` is never saved again, so a second run writes nothing
    (not even a new `modified` timestamp). Without `update`, rows editors have corrected
    are left as they are.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        counts[f"{model._meta.model_name} created"] += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if update and changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save()
        counts[f"{model._meta.model_name} updated"] += 1
    else:
        counts[f"{model._meta.model_name} unchanged"] += 1
    return obj


@transaction.atomic
def source_data_load(*, update: bool = False) -> Counter:
    """Load the reference jurisdictions and every fact of the source document.

    Idempotent: running it again creates nothing and changes nothing. Returns counts of
    what was created, updated and left unchanged, per model.
    """
    counts: Counter = Counter()
    _load_jurisdictions(counts, update=update)

    report = _upsert(
        Source,
        counts,
        lookup={"title": source_data.REPORT["title"]},
        values={k: v for k, v in source_data.REPORT.items() if k != "title"},
        update=update,
    )
    for plan_data in source_data.PLANS:
        plan_data = dict(plan_data)
        milestones = plan_data.pop("milestones")
        jurisdiction = Jurisdiction.objects.get(code=plan_data.pop("jurisdiction"))
        plan = _upsert(
            Plan,
            counts,
            lookup={"slug": plan_data.pop("slug")},
            values={**plan_data, "jurisdiction": jurisdiction},
            update=update,
        )
        if not plan.sources.filter(pk=report.pk).exists():
            plan.sources.add(report)
        for position, milestone_data in enumerate(milestones, start=1):
            values = {
                "kind": Milestone.Kind.QUALITATIVE,
                "start_date": plan.issued_on,
                "baseline_value": None,
                "target_value": None,
                "unit": "",
                **milestone_data,
            }
            _upsert(
                Milestone,
                counts,
                lookup={"plan": plan, "position": position},
                values=values,
                update=update,
            )

    national = Jurisdiction.objects.get(code="CN")
    for indicator_data in source_data.INDICATORS:
        indicator_data = dict(indicator_data)
        observation = dict(indicator_data.pop("observation"))
        indicator = _upsert(
            Indicator,
            counts,
            lookup={"slug": indicator_data.pop("slug")},
            values=indicator_data,
            update=update,
        )
        if not indicator.sources.filter(pk=report.pk).exists():
            indicator.sources.add(report)
        as_of = observation.pop("as_of")
        # The percentage is derived from numerator and denominator in Observation.clean().
        observation.setdefault("value", None)
        obs = Observation(indicator=indicator, jurisdiction=national, as_of=as_of, source=report)
        for name, value in observation.items():
            setattr(obs, name, value)
        obs.clean()
        _upsert(
            Observation,
            counts,
            lookup={"indicator": indicator, "jurisdiction": national, "as_of": as_of},
            values={
                "value": obs.value,
                "numerator": obs.numerator,
                "denominator": obs.denominator,
                "source": report,
            },
            update=update,
        )
    return counts


def _load_jurisdictions(counts: Counter, *, update: bool) -> None:
    with JURISDICTIONS_CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_code: dict[str, Jurisdiction] = {}
    # The file lists parents before children, so each parent already exists.
    for row in rows:
        parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
        if row["parent_code"] and parent is None:
            parent = Jurisdiction.objects.get(code=row["parent_code"])
        by_code[row["code"]] = _upsert(
            Jurisdiction,
            counts,
            lookup={"code": row["code"]},
            values={
                "level": row["level"],
                "parent": parent,
                "name_zh_hant": row["name_zh_hant"],
                "name_zh_hans": row["name_zh_hans"],
                "name_en": row["name_en"],
            },
            update=update,
        )


EDITORS_GROUP = "editors"
# The models editors work on in the admin; plans/permissions.py narrows each to a scope.
EDITOR_MODELS = [
    ("plans", "plan"),
    ("plans", "milestone"),
    ("plans", "progressupdate"),
    ("plans", "source"),
    ("plans", "jurisdiction"),
    ("metrics", "observation"),
    ("metrics", "indicatortarget"),
    ("metrics", "indicator"),
]


def editors_group() -> Group:
    """The group that gives editors the admin's model permissions (their scope narrows
    them), created on first use."""
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    wanted = Permission.objects.filter(
        content_type__app_label__in={app for app, _ in EDITOR_MODELS},
        content_type__model__in={model for _, model in EDITOR_MODELS},
    )
    group.permissions.add(*wanted)
    return group


@transaction.atomic
def editor_assign(*, user, jurisdictions: Iterable[Jurisdiction], replace: bool = False) -> Editor:
    """Give `user` an editor scope over `jurisdictions` (added to the scope they have, or
    replacing it), admin access and the editors' model permissions."""
    editor, _ = Editor.objects.get_or_create(user=user)
    if replace:
        editor.jurisdictions.set(jurisdictions)
    else:
        editor.jurisdictions.add(*jurisdictions)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(editors_group())
    return editor


@transaction.atomic
def updates_publish(
    *, updates: Iterable[ProgressUpdate], user, on: datetime.date | None = None
) -> int:
    """Publish drafts and scheduled updates on `on` (default today); updates already
    published keep their date. Returns how many changed. History records `user`."""
    on = on or today()
    return _set_publication(
        updates,
        user=user,
        published_on=on,
        needed=lambda update: update.published_on is None or update.published_on > on,
    )


@transaction.atomic
def updates_unpublish(*, updates: Iterable[ProgressUpdate], user) -> int:
    """Turn published or scheduled updates back into drafts. Returns how many changed."""
    return _set_publication(
        updates,
        user=user,
        published_on=None,
        needed=lambda update: update.published_on is not None,
    )


def _set_publication(
    updates: Iterable[ProgressUpdate],
    *,
    user,
    published_on: datetime.date | None,
    needed: Callable[[ProgressUpdate], bool],
) -> int:
    """Set `published_on` of the updates for which `needed` holds, in one UPDATE that
    counts a version and sets `modified` as each save would: an editor's change form
    opened before this is then refused as stale, instead of silently undoing it."""
    updates = list(updates)
    for update in updates:
        permissions.ensure_can_edit(user, update)
    # Decide on the rows as they are now, locked until the transaction ends (PostgreSQL):
    # a save racing with this one waits, then finds a newer version and is refused.
    current = list(
        ProgressUpdate.objects.select_for_update().filter(pk__in=[u.pk for u in updates])
    )
    loaded = {row.pk: row.version for row in current}
    pks = [row.pk for row in current if needed(row)]
    if not pks:
        return 0
    ProgressUpdate.objects.filter(pk__in=pks).update(
        published_on=published_on, version=models.F("version") + 1, modified=timezone.now()
    )
    # The rows as written, for their history records and the callers' copies.
    changed = {row.pk: row for row in ProgressUpdate.objects.filter(pk__in=pks)}
    ProgressUpdate.history.bulk_history_create(changed.values(), update=True, default_user=user)
    for update in updates:
        # A caller's copy that was current is current again (so saving it once more is
        # not refused); a stale one stays stale.
        row = changed.get(update.pk)
        if row is not None and update.version == loaded[update.pk]:
            for name in ("published_on", "version", "modified"):
                setattr(update, name, getattr(row, name))
    # A QuerySet update sends no signals: keep the status snapshot true here.
    snapshot.refresh_milestones({row.milestone_id for row in changed.values()})
    return len(changed)


@transaction.atomic
def milestones_create_from_drafts(*, plan: Plan, drafts: Iterable[dict], user) -> list[Milestone]:
    """Save reviewed candidate milestones (plans/drafting.py) at the end of `plan`.

    Each draft is a dict of Milestone fields (statement, deadline, kind, baseline_value,
    target_value, unit, and optionally statement_en, start_date, weight). Every milestone
    is validated before any is written, so a bad one saves none.
    """
    if not permissions.user_can_edit(user, plan):
        raise PermissionDenied(permissions.OUT_OF_SCOPE_MESSAGE)
    last = plan.milestones.aggregate(last=models.Max("position"))["last"] or 0
    milestones = []
    for offset, draft in enumerate(drafts, start=1):
        milestone = Milestone(plan=plan, position=last + offset, **draft)
        if milestone.start_date is None:
            milestone.start_date = plan.issued_on
        milestone.full_clean()
        milestones.append(milestone)
    created = bulk_create_with_history(milestones, Milestone, default_user=user)
    snapshot.refresh_milestones({milestone.pk for milestone in created})
    return created
