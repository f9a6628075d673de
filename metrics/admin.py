from django.contrib import admin

from metrics.models import Indicator, IndicatorTarget, Observation
from metrics.resources import ObservationResource
from plans.admin import EditorScopedAdmin, ScopedFormFieldsMixin, SpreadsheetAdmin


class IndicatorTargetInline(ScopedFormFieldsMixin, admin.TabularInline):
    model = IndicatorTarget
    extra = 0
    autocomplete_fields = ["jurisdiction", "source"]


@admin.register(Indicator)
class IndicatorAdmin(EditorScopedAdmin):
    list_display = ["name", "slug", "unit", "denominator", "direction"]
    list_filter = ["unit", "direction"]
    search_fields = ["name", "name_en", "slug", "scope", "scope_en"]
    autocomplete_fields = ["sources"]
    inlines = [IndicatorTargetInline]


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(EditorScopedAdmin):
    list_display = ["indicator", "jurisdiction", "value", "due_on"]
    list_filter = ["due_on", "indicator"]
    list_select_related = ["indicator", "jurisdiction"]
    search_fields = ["indicator__name", "indicator__name_en", "jurisdiction__name_zh_hant"]
    autocomplete_fields = ["indicator", "jurisdiction", "source"]


@admin.register(Observation)
class ObservationAdmin(SpreadsheetAdmin, EditorScopedAdmin):
    resource_classes = [ObservationResource]
    list_display = ["indicator", "jurisdiction", "as_of", "value", "numerator", "denominator"]
    list_filter = ["indicator", "as_of", "jurisdiction__level"]
    list_select_related = ["indicator", "jurisdiction"]
    search_fields = ["indicator__name", "indicator__name_en", "jurisdiction__name_zh_hant"]
    autocomplete_fields = ["indicator", "jurisdiction", "source"]
    date_hierarchy = "as_of"
    save_as = True
