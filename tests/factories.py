"""Small factories for tests. Every name is clearly fictional (虛構, "Fictional ...")."""

import datetime
import itertools
from decimal import Decimal

from metrics.models import Indicator, IndicatorTarget, Observation
from plans.models import Jurisdiction, Milestone, Plan, ProgressUpdate, Source

_seq = itertools.count(1)


def make_jurisdiction(*, level: str = "provincial", parent=None, code: str | None = None, **kw):
    n = next(_seq)
    return Jurisdiction.objects.create(
        code=code or f"9{n:05d}",
        level=level,
        parent=parent,
        name_zh_hant=kw.pop("name_zh_hant", f"虛構省{n}"),
        name_zh_hans=kw.pop("name_zh_hans", f"虚构省{n}"),
        name_en=kw.pop("name_en", f"Fictional Province {n}"),
        **kw,
    )


def make_source(**kw):
    n = next(_seq)
    defaults = {"title": f"虛構來源{n}", "publisher": "Fictional Press"}
    defaults.update(kw)
    return Source.objects.create(**defaults)


def make_plan(*, jurisdiction=None, issued_on=datetime.date(2021, 1, 1), **kw):
    n = next(_seq)
    defaults = {
        "slug": f"fictional-plan-{n}",
        "title": f"虛構規劃{n}",
        "title_en": f"Fictional Plan {n}",
        "issuing_body": "虛構省人民政府",
        "kind": Plan.Kind.PLAN,
        "start_year": issued_on.year,
        "end_year": issued_on.year + 2,
    }
    defaults.update(kw)
    return Plan.objects.create(
        jurisdiction=jurisdiction or make_jurisdiction(), issued_on=issued_on, **defaults
    )


def make_milestone(*, plan=None, deadline=datetime.date(2022, 12, 31), **kw):
    plan = plan or make_plan()
    defaults = {
        "statement": f"虛構目標{next(_seq)}",
        "start_date": plan.issued_on,
        "kind": Milestone.Kind.QUALITATIVE,
    }
    defaults.update(kw)
    if defaults["kind"] == Milestone.Kind.QUANTITATIVE:
        defaults.setdefault("baseline_value", Decimal(0))
        defaults.setdefault("target_value", Decimal(30))
    return Milestone.objects.create(plan=plan, deadline=deadline, **defaults)


def make_update(*, milestone=None, as_of=datetime.date(2022, 6, 30), sources=None, **kw):
    milestone = milestone or make_milestone()
    defaults = {"published_on": as_of}
    if milestone.kind == Milestone.Kind.QUALITATIVE:
        defaults["percent_complete"] = Decimal(50)
    else:
        defaults["value"] = Decimal(10)
    defaults.update(kw)
    update = ProgressUpdate.objects.create(milestone=milestone, as_of=as_of, **defaults)
    update.sources.set(sources or [make_source()])
    return update


def make_indicator(**kw):
    n = next(_seq)
    defaults = {
        "slug": f"fictional-indicator-{n}",
        "name": f"虛構指標{n}",
        "unit": Indicator.Unit.PERCENT,
        "denominator": 32,
    }
    defaults.update(kw)
    return Indicator.objects.create(**defaults)


def make_observation(
    *, indicator=None, jurisdiction=None, as_of=datetime.date(2020, 11, 30), source=None, **kw
):
    kw.setdefault("value", Decimal(50))
    return Observation.objects.create(
        indicator=indicator or make_indicator(),
        jurisdiction=jurisdiction or make_jurisdiction(level="national"),
        as_of=as_of,
        source=source or make_source(),
        **kw,
    )


def make_target(*, indicator, jurisdiction, value, due_on, **kw):
    return IndicatorTarget.objects.create(
        indicator=indicator,
        jurisdiction=jurisdiction,
        value=value,
        due_on=due_on,
        source=kw.pop("source", None) or make_source(),
        **kw,
    )


def make_user(username: str | None = None, **kw):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username=username or f"fictional-user-{next(_seq)}",
        password=kw.pop("password", "a-long-fictional-passphrase"),
        **kw,
    )


def make_editor(*jurisdictions, user=None):
    """A user who edits `jurisdictions` (with admin access and the editors' permissions)."""
    from plans.services import editor_assign

    user = user or make_user()
    editor_assign(user=user, jurisdictions=jurisdictions)
    return user
