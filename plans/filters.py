"""The plans FilterSet, shared by the plans page, its CSV download and the API."""

import datetime

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from govtracker.filtersets import FilterSet
from govtracker.text import to_traditional
from plans.models import YEARS, Jurisdiction, Milestone, Plan, ProgressUpdate, Source, today
from plans.progress import Status

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

    def filter(self, qs, value):
        # Ends with the primary key, in the direction of the first sort, so that equal
        # values never swap places between two pages and one index range serves the page.
        qs = super().filter(qs, value)
        ordering = list(qs.query.order_by)
        if ordering and not {"pk", "-pk", "id", "-id"} & set(ordering):
            qs = qs.order_by(*ordering, "-id" if str(ordering[0]).startswith("-") else "id")
        return qs


class PlanFilter(FilterSet):
    jurisdiction = django_filters.CharFilter(
        label=_("Jurisdiction"),
        method="filter_jurisdiction",
        max_length=12,
        validators=[RegexValidator(r"^[A-Za-z0-9]+$", _("Enter a jurisdiction code."))],
        help_text=_("Administrative-division code; includes the jurisdictions directly under it."),
    )
    level = django_filters.ChoiceFilter(
        label=_("Level"),
        method="filter_level",
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
        # The jurisdiction and those directly under it picked first, by their indexes (its
        # id once, then code = X OR parent = that id): an OR across the plan's jurisdiction
        # and that jurisdiction's parent, joined, made PostgreSQL read and hash all 3,065
        # jurisdictions at national scale for every filtered list (0.8 ms).
        unit = Jurisdiction.objects.filter(code=value).values("pk")[:1]
        within = Jurisdiction.objects.filter(Q(code=value) | Q(parent=Subquery(unit)))
        return queryset.filter(jurisdiction__in=within)

    def filter_level(self, queryset, name, value):
        # The jurisdictions of the level picked first, by their index: PostgreSQL then
        # reads their plans from the (jurisdiction, newest first) index and sorts those.
        # Joined instead, it walked every plan newest first looking for that level's: all
        # 60,004 at national scale for a level with few plans or none (122 ms -> 0.5 ms).
        return queryset.filter(jurisdiction__in=Jurisdiction.objects.filter(level=value))

    def filter_status(self, queryset, name, value):
        # Newest first, the default order, unless `o` asks for another (it is applied
        # after this filter and replaces the order).
        return queryset.with_milestone_in_status(value, self.as_of, newest_first=True)

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


# --- Shared by the API's other FilterSets (plans/filters.py, metrics/filters.py) ---------
#
# Every parameter is validated by its form field, so a bad value is a 400 with a message
# (a form error on a page), never a 500; the OpenAPI schema states the same bounds so that
# a client can tell a valid request before sending it.

CODE_PATTERN = r"^[A-Za-z0-9]+$"
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
# A search: no NUL, and something besides blanks (the API refuses a parameter of blanks
# only, `reject_empty`). The blanks are spelled out, as Python's str.strip() knows them:
# the schema's readers (ECMA-262, Rust's regex crate, Python's re) disagree on `\s`.
BLANKS = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
SEARCH_PATTERN = rf"^[^\x00]*[^\x00{BLANKS}][^\x00]*$"
MAX_ID = 2**63 - 1


def _schema(**schema):
    return extend_schema_field(schema)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (NumberFilter takes decimals, and 1.5 is not an id or a year)."""

    field_class = forms.IntegerField


class StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else is an error, not "no filter"."""

    default_error_messages = {"invalid": _("Enter true or false.")}
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


def code_filter(label, help_text=""):
    return _schema(type="string", pattern=CODE_PATTERN, maxLength=12)(
        django_filters.CharFilter(
            label=label,
            method="filter_jurisdiction",
            max_length=12,
            validators=[RegexValidator(CODE_PATTERN, _("Enter a jurisdiction code."))],
            help_text=help_text
            or _("Administrative-division code; includes the jurisdictions directly under it."),
        )
    )


def slug_filter(label, field_name):
    return _schema(type="string", pattern=SLUG_PATTERN, maxLength=120)(
        django_filters.CharFilter(
            label=label,
            field_name=field_name,
            max_length=120,
            validators=[RegexValidator(SLUG_PATTERN, _("Enter a valid slug."))],
        )
    )


def id_filter(label, field_name):
    return _schema(type="integer", minimum=1, maximum=MAX_ID)(
        IntegerFilter(label=label, field_name=field_name, min_value=1, max_value=MAX_ID)
    )


def year_filter(label, field_name, help_text=""):
    return _schema(type="integer", minimum=YEARS[0], maximum=YEARS[1])(
        IntegerFilter(
            label=label,
            field_name=field_name,
            lookup_expr="year",
            min_value=YEARS[0],
            max_value=YEARS[1],
            help_text=help_text,
        )
    )


def search_filter(help_text):
    return _schema(type="string", minLength=1, maxLength=200, pattern=SEARCH_PATTERN)(
        django_filters.CharFilter(
            label=_("Search"), method="search", max_length=200, help_text=help_text
        )
    )


def search_condition(value: str, fields: list[str]) -> Q:
    """Any of `fields` contains the text, typed in Traditional or Simplified characters
    (content is stored in Traditional Chinese)."""
    condition = Q()
    for term in {value.strip(), to_traditional(value.strip())}:
        if term:
            for field in fields:
                condition |= Q(**{f"{field}__icontains": term})
    return condition


# The plans page's filters, described for the OpenAPI schema with the bounds their form
# fields enforce.
_schema(type="integer", minimum=YEARS[0], maximum=YEARS[1])(
    PlanFilter.base_filters["deadline_year"]
)
_schema(type="string", pattern=CODE_PATTERN, maxLength=12)(PlanFilter.base_filters["jurisdiction"])
_schema(type="string", minLength=1, maxLength=200, pattern=SEARCH_PATTERN)(
    PlanFilter.base_filters["q"]
)


class JurisdictionFilter(FilterSet):
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Jurisdiction.Level.choices)
    parent = _schema(type="string", pattern=CODE_PATTERN, maxLength=12)(
        django_filters.CharFilter(
            label=_("Parent"),
            field_name="parent__code",
            max_length=12,
            validators=[RegexValidator(CODE_PATTERN, _("Enter a jurisdiction code."))],
            help_text=_("Code of the jurisdiction directly above."),
        )
    )
    q = search_filter(_("Name in any of the three languages, or code."))

    class Meta:
        model = Jurisdiction
        fields = ["level", "parent", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(
            search_condition(value, ["name_zh_hant", "name_zh_hans", "name_en", "code"])
        )


class SourceFilter(FilterSet):
    q = search_filter(_("Title, publisher or citation."))

    class Meta:
        model = Source
        fields = ["q"]

    def search(self, queryset, name, value):
        return queryset.filter(
            search_condition(value, ["title", "title_en", "publisher", "citation"])
        )


class MilestoneFilter(FilterSet):
    """Milestones; `status` reads the `status` annotation of Milestone.objects.with_status(),
    so the queryset given must come from it (the view annotates as of `?as_of=`)."""

    plan = slug_filter(_("Plan"), "plan__slug")
    jurisdiction = code_filter(_("Jurisdiction"))
    level = django_filters.ChoiceFilter(
        label=_("Level"), method="filter_level", choices=Jurisdiction.Level.choices
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Milestone.Kind.choices)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, help_text=_("Status as of the as-of date.")
    )
    deadline_year = year_filter(_("Deadline year"), "deadline")
    due_after = django_filters.DateFilter(
        label=_("Due on or after"), field_name="deadline", lookup_expr="gte"
    )
    due_before = django_filters.DateFilter(
        label=_("Due on or before"), field_name="deadline", lookup_expr="lte"
    )
    top_level = BooleanFilter(
        label=_("Top level"),
        field_name="parent",
        lookup_expr="isnull",
        help_text=_("true: only milestones without a parent milestone."),
    )
    q = search_filter(_("Statement, in Traditional or Simplified characters or English."))

    class Meta:
        model = Milestone
        fields = ["plan", "jurisdiction", "level", "kind", "status", "deadline_year", "q"]

    def filter_jurisdiction(self, queryset, name, value):
        return queryset.filter(
            Q(plan__jurisdiction__code=value) | Q(plan__jurisdiction__parent__code=value)
        )

    def filter_level(self, queryset, name, value):
        # The level's plans picked first, as PlanFilter.filter_level picks its
        # jurisdictions: joined, a level with few milestones or none had PostgreSQL walk
        # every milestone in the list's order (58 ms at national scale).
        plans = Plan.objects.filter(jurisdiction__in=Jurisdiction.objects.filter(level=value))
        return queryset.filter(plan__in=plans)

    def search(self, queryset, name, value):
        return queryset.filter(search_condition(value, ["statement", "statement_en"]))


class ProgressUpdateFilter(FilterSet):
    milestone = id_filter(_("Milestone"), "milestone_id")
    plan = slug_filter(_("Plan"), "milestone__plan__slug")
    jurisdiction = code_filter(_("Jurisdiction"))
    as_of_after = django_filters.DateFilter(
        label=_("As of, on or after"), field_name="as_of", lookup_expr="gte"
    )
    as_of_before = django_filters.DateFilter(
        label=_("As of, on or before"), field_name="as_of", lookup_expr="lte"
    )
    delivered = BooleanFilter(label=_("Delivered"))
    published = BooleanFilter(
        label=_("Published"),
        method="filter_published",
        help_text=_("Editors: false lists drafts and scheduled updates within their scope."),
    )
    q = search_filter(_("Narrative, in Traditional or Simplified characters or English."))

    class Meta:
        model = ProgressUpdate
        fields = ["milestone", "plan", "jurisdiction", "as_of_after", "as_of_before", "delivered"]

    def filter_jurisdiction(self, queryset, name, value):
        return queryset.filter(
            Q(milestone__plan__jurisdiction__code=value)
            | Q(milestone__plan__jurisdiction__parent__code=value)
        )

    def filter_published(self, queryset, name, value):
        if value:
            return queryset.filter(published_on__isnull=False, published_on__lte=today())
        if not getattr(getattr(self.request, "user", None), "is_authenticated", False):
            # The public reads published updates only (ProgressUpdateQuerySet.visible_to):
            # none of those is a draft. Asked of the database, "published and not
            # published" walked all 5,000,000 updates at national scale (9.5 s).
            return queryset.none()
        return queryset.filter(Q(published_on__isnull=True) | Q(published_on__gt=today()))

    def search(self, queryset, name, value):
        return queryset.filter(search_condition(value, ["narrative", "narrative_en"]))
