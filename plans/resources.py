"""Spreadsheet import and export (django-import-export) of plans, milestones and updates.

Columns use natural keys — a jurisdiction's code, a plan's slug, a milestone's id, source
ids — so that an exported file imports again as it is: the import columns are exactly the
export columns. A file is imported whole or not at all: any bad row (a validation error,
a row outside the editor's jurisdictions, an unknown key) rolls the whole file back and
the admin lists the errors row by row. Every saved row gets a history record naming the
importing user. Plans, milestones and updates carry their `version` as exported: a row
that someone else saved after the export is refused rather than saved over their change.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from plans import permissions
from plans.models import Jurisdiction, Milestone, Plan, ProgressUpdate, Source

# A cell starting with one of these is run as a formula by spreadsheet programs
# (CSV injection); exports prefix it with an apostrophe, which imports remove again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        try:
            Decimal(value)  # "-5.0000" is a number, not a formula
        except InvalidOperation:
            return "'" + value
    return value


def unescape_formula(value):
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class NaturalKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by its natural key, with a clear, translated error for an unknown one."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist as e:
            raise ValueError(
                _("No %(model)s with %(field)s “%(value)s”.")
                % {"model": self.model._meta.verbose_name, "field": self.field, "value": value}
            ) from e


class SourcesWidget(widgets.ManyToManyWidget):
    """Source ids separated by commas; an unknown id is an error, never silently dropped."""

    def __init__(self):
        super().__init__(Source, separator=",", field="pk")

    def clean(self, value, row=None, **kwargs):
        ids = {int(v) for v in str(value or "").replace(" ", "").split(",") if v.strip()}
        found = Source.objects.filter(pk__in=ids)
        missing = ids - set(found.values_list("pk", flat=True))
        if missing:
            raise ValueError(
                _("No source with id %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)))}
            )
        return found


DATE = {"format": "%Y-%m-%d"}


def version_column():
    """The row's `version` as exported. Read on import to compare, never written: each
    save moves it on (govtracker.locking.VersionedModel)."""
    return fields.Field(
        attribute="version", column_name="version", readonly=True, widget=widgets.IntegerWidget()
    )


def refuse_stale_row(instance, row) -> None:
    """Refuse a row that would change a database row saved by someone else after the file
    was exported. The import loads each row as it is now, so VersionedModel's own check
    cannot tell how old the file is: its version column can. Rows the file leaves
    unchanged are skipped before this, and an empty version cell (a row written by hand)
    is taken as it is."""
    exported = str(row.get("version") or "").strip()
    if instance.pk is None or not exported or not hasattr(instance, "version"):
        return
    if exported != str(instance.version):
        raise ValidationError(
            {
                "version": _(
                    "Someone else saved this row after the file was exported (version "
                    "%(exported)s, now %(current)s). Export again and make your changes "
                    "in the new file."
                )
                % {"exported": exported, "current": instance.version}
            }
        )


class EditorScopedResource(resources.ModelResource):
    """What every editable spreadsheet shares: the editor's scope, all-or-nothing
    imports, escaped formulas, history that names the importing user."""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    class Meta:
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        # Rows are saved one by one so that each gets its history record.
        use_bulk = False

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if isinstance(f, models.TextField):
            return widgets.CharWidget
        return super().widget_from_django_field(f, default)

    @classmethod
    def widget_kwargs_for_field(cls, field_name, django_field):
        kwargs = super().widget_kwargs_for_field(field_name, django_field)
        # An empty spreadsheet cell is an empty text, as for CharFields (XLSX gives None).
        if isinstance(django_field, models.TextField) and django_field.blank:
            kwargs.update({"coerce_to_string": True, "allow_blank": True})
        return kwargs

    def import_data(self, dataset, *args, **kwargs):
        # Whatever the caller asks, a file with any bad row writes nothing.
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        self.user = kwargs.get("user") or self.user
        return super().import_data(dataset, *args, **kwargs)

    def before_import_row(self, row, **kwargs):
        for key, value in row.items():
            row[key] = unescape_formula(value)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        # Many-to-many columns are saved after the row; check them now so that a bad one
        # is reported with the row's other errors instead of failing half-way.
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.widget.clean(row[field.column_name])
                except ValueError as e:
                    errors[field.attribute] = [str(e)]
        if errors:
            raise ValidationError(errors)

    def after_init_instance(self, instance, new, row, **kwargs):
        if new and "id" in self.get_import_id_fields() and row.get("id") not in (None, ""):
            raise ValidationError(
                {"id": _("There is no row with this id; leave the id empty to add one.")}
            )
        # The row as it is in the database: an editor may not take over another's.
        if not new and not permissions.user_can_edit(self.user, instance):
            raise ValidationError(permissions.OUT_OF_SCOPE_MESSAGE)

    def before_save_instance(self, instance, row, **kwargs):
        # The row as the file would leave it: it must stay within the editor's scope.
        if not permissions.user_can_edit(self.user, instance):
            raise ValidationError(permissions.OUT_OF_SCOPE_MESSAGE)
        refuse_stale_row(instance, row)
        instance._history_user = self.user

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def template_headers(self) -> list[str]:
        """The header row of an import file (the columns an export writes)."""
        return self.get_export_headers()


class PlanResource(EditorScopedResource):
    version = version_column()
    jurisdiction = fields.Field(
        attribute="jurisdiction",
        column_name="jurisdiction",
        widget=NaturalKeyWidget(Jurisdiction, field="code"),
    )
    sources = fields.Field(attribute="sources", column_name="sources", widget=SourcesWidget())

    class Meta:
        model = Plan
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "jurisdiction",
            "title",
            "title_en",
            "issuing_body",
            "issuing_body_en",
            "kind",
            "issued_on",
            "start_year",
            "end_year",
            "summary",
            "summary_en",
            "sources",
            "version",
        ]
        export_order = fields
        widgets = {"issued_on": DATE}

    def export(self, queryset=None, **kwargs):
        if queryset is not None:
            queryset = queryset.select_related("jurisdiction").prefetch_related("sources")
        return super().export(queryset=queryset, **kwargs)


class MilestoneResource(EditorScopedResource):
    version = version_column()
    plan = fields.Field(
        attribute="plan", column_name="plan", widget=NaturalKeyWidget(Plan, field="slug")
    )
    parent = fields.Field(
        attribute="parent", column_name="parent", widget=NaturalKeyWidget(Milestone, field="pk")
    )

    class Meta:
        model = Milestone
        import_id_fields = ["id"]
        fields = [
            "id",
            "plan",
            "parent",
            "position",
            "statement",
            "statement_en",
            "start_date",
            "deadline",
            "kind",
            "baseline_value",
            "target_value",
            "unit",
            "weight",
            "version",
        ]
        export_order = fields
        widgets = {"start_date": DATE, "deadline": DATE}

    def export(self, queryset=None, **kwargs):
        if queryset is not None:
            queryset = queryset.select_related("plan", "parent")
        return super().export(queryset=queryset, **kwargs)


class ProgressUpdateResource(EditorScopedResource):
    version = version_column()
    milestone = fields.Field(
        attribute="milestone",
        column_name="milestone",
        widget=NaturalKeyWidget(Milestone, field="pk"),
    )
    sources = fields.Field(attribute="sources", column_name="sources", widget=SourcesWidget())

    class Meta:
        model = ProgressUpdate
        import_id_fields = ["id"]
        fields = [
            "id",
            "milestone",
            "as_of",
            "percent_complete",
            "value",
            "delivered",
            "narrative",
            "narrative_en",
            "sources",
            "published_on",
            "version",
        ]
        export_order = fields
        widgets = {"as_of": DATE, "published_on": DATE}

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        if not str(row.get("sources") or "").strip():
            errors["sources"] = [_("At least one source: every reported figure must be traceable.")]
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if instance.pk is None and instance.author_id is None:
            instance.author = self.user

    def export(self, queryset=None, **kwargs):
        if queryset is not None:
            queryset = queryset.select_related("milestone").prefetch_related("sources")
        return super().export(queryset=queryset, **kwargs)
