"""Spreadsheet import and export of observations (see plans/resources.py for the rules)."""

from import_export import fields

from metrics.models import Indicator, Observation
from plans.models import Jurisdiction, Source
from plans.resources import DATE, EditorScopedResource, NaturalKeyWidget


class ObservationResource(EditorScopedResource):
    """An observation is identified by its indicator, jurisdiction and date; the
    percentage is computed again from numerator and denominator when both are given."""

    indicator = fields.Field(
        attribute="indicator",
        column_name="indicator",
        widget=NaturalKeyWidget(Indicator, field="slug"),
    )
    jurisdiction = fields.Field(
        attribute="jurisdiction",
        column_name="jurisdiction",
        widget=NaturalKeyWidget(Jurisdiction, field="code"),
    )
    source = fields.Field(
        attribute="source", column_name="source", widget=NaturalKeyWidget(Source, field="pk")
    )

    class Meta:
        model = Observation
        import_id_fields = ["indicator", "jurisdiction", "as_of"]
        fields = [
            "indicator",
            "jurisdiction",
            "as_of",
            "value",
            "numerator",
            "denominator",
            "source",
            "note",
        ]
        export_order = fields
        widgets = {"as_of": DATE}

    def export(self, queryset=None, **kwargs):
        if queryset is not None:
            queryset = queryset.select_related("indicator", "jurisdiction", "source")
        return super().export(queryset=queryset, **kwargs)
