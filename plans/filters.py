"""The plans FilterSet, shared by the plans page, its CSV download and the API."""

import datetime

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from govtracker.text import to_traditional
from plans.models import Jurisdiction, Milestone, Plan, today
from plans.progress import Status

# Deadline years outside this range are typos, not plans.
YEARS = (1949, 2100)

# Each sort spelled out in the visitor's language; django-filter's own "(descending)"
# labels are built once at import time, so they would not follow the page's language.
SORTS = [
    ("-issued", _("newest first")),
    ("issued", _("oldest first")),
    ("jurisdiction", _("jurisdiction code, ascending")),
    ("-jurisdiction", _("jurisdiction code, descending")),
    ("title", _("title, ascending")),
    ("-title", _("title, descending")),
    ("-end", _("period ending last")),
    ("end", _("period ending first")),
]


class PlanOrdering(django_filters.OrderingFilter):
    def build_choices(self, fields, labels):
        return SORTS


class PlanFilter(django_filters.FilterSet):
    jurisdiction = django_filters.CharFilter(
        label=_("Jurisdiction"),
        method="filter_jurisdiction",
        max_length=12,
        validators=[RegexValidator(r"^[A-Za-z0-9]+$", _("Enter a jurisdiction code."))],
        help_text=_("Administrative-division code; includes the jurisdictions directly under it."),
    )
    level = django_filters.ChoiceFilter(
        label=_("Level"),
        field_name="jurisdiction__level",
        choices=Jurisdiction.Level.choices,
        empty_label=_("All"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Plan.Kind.choices, empty_label=_("All")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        empty_label=_("All"),
        choices=Status.choices,
        method="filter_status",
        help_text=_("Plans with at least one milestone in this status today."),
    )
    deadline_year = django_filters.NumberFilter(
        label=_("Deadline year"),
        method="filter_deadline_year",
        min_value=YEARS[0],
        max_value=YEARS[1],
        help_text=_("Plans with a milestone due in this year."),
    )
    issued_after = django_filters.DateFilter(
        label=_("Issued on or after"), field_name="issued_on", lookup_expr="gte"
    )
    issued_before = django_filters.DateFilter(
        label=_("Issued on or before"), field_name="issued_on", lookup_expr="lte"
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=200,
        # PostgreSQL refuses a NUL character in a query: refuse it here, with a message.
        validators=[RegexValidator(r"\x00", _("Remove the NUL character."), inverse_match=True)],
    )
    o = PlanOrdering(
        label=_("Sort by"),
        fields=(
            ("issued_on", "issued"),
            ("title", "title"),
            ("jurisdiction__code", "jurisdiction"),
            ("end_year", "end"),
        ),
        empty_label=_("default (newest first)"),
    )

    class Meta:
        model = Plan
        fields = [
            "jurisdiction",
            "level",
            "kind",
            "status",
            "deadline_year",
            "issued_after",
            "issued_before",
            "q",
        ]

    def __init__(self, *args, as_of: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Statuses are computed as of a date: today unless the page asks for another day.
        self.as_of = as_of or today()
        self.form.label_suffix = ""
        for name in ("issued_after", "issued_before"):
            self.form.fields[name].widget = forms.DateInput(attrs={"type": "date"})

    def filter_jurisdiction(self, queryset, name, value):
        return queryset.filter(Q(jurisdiction__code=value) | Q(jurisdiction__parent__code=value))

    def filter_status(self, queryset, name, value):
        in_status = Milestone.objects.with_status(self.as_of).filter(
            plan=OuterRef("pk"), status=value
        )
        return queryset.filter(Exists(in_status))

    def filter_deadline_year(self, queryset, name, value):
        due = Milestone.objects.filter(plan=OuterRef("pk"), deadline__year=int(value))
        return queryset.filter(Exists(due))

    def search(self, queryset, name, value):
        # Content is stored in Traditional Chinese: a query typed in Simplified characters
        # is converted so that 数字政府 finds 數字政府.
        condition = Q()
        for term in {value.strip(), to_traditional(value.strip())}:
            if term:
                condition |= (
                    Q(title__icontains=term)
                    | Q(title_en__icontains=term)
                    | Q(summary__icontains=term)
                    | Q(summary_en__icontains=term)
                    | Q(issuing_body__icontains=term)
                    | Q(issuing_body_en__icontains=term)
                )
        return queryset.filter(condition)
