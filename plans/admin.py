from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from govtracker.locking import OptimisticLockAdminMixin
from plans.models import Jurisdiction, Milestone, Plan, ProgressUpdate, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "published_on", "url"]
    list_filter = ["publisher"]
    search_fields = ["title", "title_en", "publisher", "citation", "url"]
    date_hierarchy = "published_on"
    # A URL typed without a scheme is taken as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh_hant", "name_zh_hans", "name_en", "level", "parent"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["code", "name_zh_hant", "name_zh_hans", "name_en"]
    autocomplete_fields = ["parent"]


class MilestoneInline(OptimisticLockAdminMixin, admin.StackedInline):
    model = Milestone
    extra = 0
    fields = [
        ("position", "kind", "weight"),
        "statement",
        "statement_en",
        ("start_date", "deadline"),
        ("baseline_value", "target_value", "unit"),
        "parent",
    ]
    autocomplete_fields = ["parent"]
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(OptimisticLockAdminMixin, admin.ModelAdmin):
    list_display = ["title", "jurisdiction", "kind", "issued_on", "start_year", "end_year"]
    list_filter = ["kind", "jurisdiction__level", "issued_on"]
    list_select_related = ["jurisdiction"]
    search_fields = ["title", "title_en", "slug", "issuing_body", "jurisdiction__name_zh_hant"]
    autocomplete_fields = ["jurisdiction", "sources"]
    prepopulated_fields = {"slug": ["title_en"]}
    date_hierarchy = "issued_on"
    inlines = [MilestoneInline]
    fieldsets = [
        (None, {"fields": ["title", "title_en", "slug", "jurisdiction", "kind"]}),
        (
            _("Issue and period"),
            {
                "fields": [
                    "issuing_body",
                    "issuing_body_en",
                    "issued_on",
                    ("start_year", "end_year"),
                ]
            },
        ),
        (_("Summary and sources"), {"fields": ["summary", "summary_en", "sources"]}),
    ]


class ProgressUpdateInline(OptimisticLockAdminMixin, admin.StackedInline):
    model = ProgressUpdate
    extra = 0
    fields = [
        ("as_of", "published_on"),
        ("percent_complete", "value", "delivered"),
        "narrative",
        "narrative_en",
        "sources",
    ]
    autocomplete_fields = ["sources"]


@admin.register(Milestone)
class MilestoneAdmin(OptimisticLockAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "plan", "kind", "start_date", "deadline", "weight"]
    list_filter = ["kind", "deadline", "plan__jurisdiction__level"]
    list_select_related = ["plan"]
    search_fields = ["statement", "statement_en", "plan__title", "plan__title_en"]
    autocomplete_fields = ["plan", "parent"]
    date_hierarchy = "deadline"
    inlines = [ProgressUpdateInline]

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            update = getattr(inline_form, "instance", None)
            if (
                isinstance(update, ProgressUpdate)
                and inline_form.has_changed()
                and update.author_id is None
            ):
                update.author = request.user
        super().save_formset(request, form, formset, change)


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(OptimisticLockAdminMixin, admin.ModelAdmin):
    list_display = [
        "milestone",
        "as_of",
        "percent_complete",
        "value",
        "delivered",
        "published_on",
        "author",
    ]
    list_filter = ["delivered", "published_on", "as_of", "milestone__plan__jurisdiction__level"]
    list_select_related = ["milestone", "author"]
    search_fields = ["narrative", "narrative_en", "milestone__statement", "milestone__plan__title"]
    autocomplete_fields = ["milestone", "sources"]
    readonly_fields = ["author", "created", "modified"]
    date_hierarchy = "as_of"

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)
