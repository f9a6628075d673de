import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from govtracker.locking import ConcurrentEditError, OptimisticLockAdminMixin
from plans import permissions, services
from plans.drafting import draft_milestones
from plans.models import Editor, Jurisdiction, Milestone, Plan, ProgressUpdate, Source, today
from plans.resources import MilestoneResource, PlanResource, ProgressUpdateResource


class ScopedFormFieldsMixin:
    """Foreign-key choices limited to what the editor may edit, in forms and inlines.

    With autocomplete widgets the search already goes through the related admin's scoped
    queryset; the form field's queryset is what refuses a forged choice on save.
    """

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related is Jurisdiction and db_field.model is not Jurisdiction:
            kwargs["queryset"] = Jurisdiction.objects.editable_by(request.user)
        elif permissions.is_scoped(related):
            kwargs["queryset"] = permissions.editable_queryset(
                related._default_manager.all(), request.user
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class EditorScopedAdmin(ScopedFormFieldsMixin, SimpleHistoryAdmin):
    """An admin limited to the editor's jurisdictions (plans/permissions.py), with history.

    Lists, change pages, deletes, exports and history show only rows in scope; a change
    page outside it redirects to the admin index as for a missing row; a save that would
    put a row outside it is refused.
    """

    def get_queryset(self, request):
        return permissions.editable_queryset(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        if not super().has_add_permission(request):
            return False
        if permissions.is_scoped(self.model) or self.model is Source:
            return permissions.is_editor(request.user)
        return permissions.is_national_editor(request.user)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return permissions.is_scoped(self.model) or permissions.is_national_editor(request.user)
        return permissions.user_can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None:
            return permissions.is_scoped(self.model) or permissions.is_national_editor(request.user)
        return permissions.user_can_edit(request.user, obj)

    def save_model(self, request, obj, form, change):
        permissions.ensure_can_edit(request.user, obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            if inline_form.has_changed() and not inline_form.cleaned_data.get("DELETE"):
                permissions.ensure_can_edit(request.user, inline_form.instance)
        super().save_formset(request, form, formset, change)

    def history_view(self, request, object_id, extra_context=None):
        # simple-history falls back to the last historical version of a missing row;
        # an editor sees the history of rows in their scope only.
        if not permissions.is_national_editor(request.user):
            if self.get_object(request, unquote(object_id)) is None:
                return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history's revert saves without looking at the admin's queryset.
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method == "POST" and not self.has_change_permission(request, obj):
            raise PermissionDenied
        try:
            return super().history_form_view(request, object_id, version_id, extra_context)
        except ConcurrentEditError as error:
            # A save that raced past the form's version check, as changeform_view reports it.
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class SpreadsheetAdmin(ImportExportModelAdmin):
    """CSV/XLSX import (with its dry-run preview) and export, scoped to the editor, with
    a header-only template file to download."""

    formats = [CSV, XLSX]
    import_template_name = "admin/plans/import.html"

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_urls(self):
        return [
            path(
                "import-template.<str:extension>",
                self.admin_site.admin_view(self.import_template_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_import_template",
            ),
            *super().get_urls(),
        ]

    def import_template_view(self, request, extension):
        """An empty file with the import columns, to fill in."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        formats = {fmt().get_extension(): fmt for fmt in self.formats}
        if extension not in formats:
            raise Http404
        file_format = formats[extension]()
        resource = self.get_import_resource_classes(request)[0](user=request.user)
        dataset = resource.export(queryset=self.model._default_manager.none())
        response = HttpResponse(
            file_format.export_data(dataset), content_type=file_format.get_content_type()
        )
        filename = f"{self.opts.model_name}-template.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def get_import_context_data(self, **kwargs):
        context = super().get_import_context_data(**kwargs)
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_import_template"
        context["template_links"] = [
            (
                fmt().get_title().upper(),
                reverse(name, args=[fmt().get_extension()]),
            )
            for fmt in self.formats
        ]
        return context


@admin.register(Source)
class SourceAdmin(EditorScopedAdmin):
    list_display = ["title", "publisher", "published_on", "url"]
    list_filter = ["publisher"]
    search_fields = ["title", "title_en", "publisher", "citation", "url"]
    date_hierarchy = "published_on"
    # A URL typed without a scheme is taken as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Jurisdiction)
class JurisdictionAdmin(EditorScopedAdmin):
    list_display = ["code", "name_zh_hant", "name_zh_hans", "name_en", "level", "parent"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["code", "name_zh_hant", "name_zh_hans", "name_en"]
    autocomplete_fields = ["parent"]

    def get_search_results(self, request, queryset, search_term):
        # The autocomplete of a "jurisdiction" field offers only the editor's own.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("field_name") == "jurisdiction":
            queryset = queryset.filter(pk__in=Jurisdiction.objects.editable_by(request.user))
        return queryset, may_have_duplicates


class MilestoneInline(OptimisticLockAdminMixin, ScopedFormFieldsMixin, admin.StackedInline):
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


class DraftTextForm(forms.Form):
    text = forms.CharField(
        label=_("The plan's text"),
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100}),
        help_text=_(
            "Paste the plan's text (Chinese). Deadlines such as 到2022年底, 2025年底前 or "
            "2021年內 and counts such as 30項工作任務 are read from it."
        ),
    )


class DraftMilestoneForm(forms.Form):
    include = forms.BooleanField(label=_("save"), required=False)
    statement = forms.CharField(
        label=_("statement"), widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )
    deadline = forms.DateField(label=_("deadline"), required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=Milestone.Kind.choices)
    baseline_value = forms.DecimalField(label=_("baseline value"), required=False)
    target_value = forms.DecimalField(label=_("target value"), required=False)
    unit = forms.CharField(label=_("unit"), required=False, max_length=50)
    deadline_phrase = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("include") and not data.get("deadline"):
            self.add_error("deadline", _("Give the deadline of a milestone you save."))
        return data


DraftMilestoneFormSet = forms.formset_factory(DraftMilestoneForm, extra=0)


@admin.register(Plan)
class PlanAdmin(OptimisticLockAdminMixin, SpreadsheetAdmin, EditorScopedAdmin):
    resource_classes = [PlanResource]
    list_display = ["title", "jurisdiction", "kind", "issued_on", "start_year", "end_year"]
    list_filter = ["kind", "jurisdiction__level", "issued_on"]
    list_select_related = ["jurisdiction"]
    search_fields = ["title", "title_en", "slug", "issuing_body", "jurisdiction__name_zh_hant"]
    autocomplete_fields = ["jurisdiction", "sources"]
    prepopulated_fields = {"slug": ["title_en"]}
    date_hierarchy = "issued_on"
    inlines = [MilestoneInline]
    save_as = True
    change_form_template = "admin/plans/plan/change_form.html"
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

    def get_urls(self):
        return [
            path(
                "<path:object_id>/draft-milestones/",
                self.admin_site.admin_view(self.draft_milestones_view),
                name="plans_plan_draft_milestones",
            ),
            *super().get_urls(),
        ]

    def draft_milestones_view(self, request, object_id):
        """Paste a plan's text, review the candidate milestones read from it, save them.

        Three steps in one form: the text (GET), the candidates to edit (POST "read"), the
        save (POST "save", all or nothing through services.milestones_create_from_drafts).
        """
        plan = self.get_object(request, unquote(object_id))
        if plan is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, plan):
            raise PermissionDenied
        reading = request.method == "POST" and "_save" not in request.POST
        text_form = DraftTextForm(
            request.POST if reading else None, initial={"text": request.POST.get("text", "")}
        )
        formset = None
        if request.method == "POST" and "_save" in request.POST:
            formset = DraftMilestoneFormSet(request.POST, prefix="draft")
            if formset.is_valid():
                drafts = [
                    {
                        name: form.cleaned_data[name]
                        for name in ("statement", "deadline", "kind", "unit")
                    }
                    | {
                        "baseline_value": form.cleaned_data["baseline_value"],
                        "target_value": form.cleaned_data["target_value"],
                    }
                    for form in formset
                    if form.cleaned_data.get("include")
                ]
                try:
                    saved = services.milestones_create_from_drafts(
                        plan=plan, drafts=drafts, user=request.user
                    )
                except ValidationError as e:
                    messages.error(request, " ".join(e.messages))
                else:
                    self.message_user(
                        request,
                        ngettext(
                            "%(count)d milestone saved.",
                            "%(count)d milestones saved.",
                            len(saved),
                        )
                        % {"count": len(saved)},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:plans_plan_change", args=[plan.pk]))
        elif reading and text_form.is_valid():
            default = (
                datetime.date(plan.end_year, 12, 31) if plan.start_year == plan.end_year else None
            )
            candidates = draft_milestones(text_form.cleaned_data["text"], default_deadline=default)
            formset = DraftMilestoneFormSet(
                prefix="draft",
                initial=[{**c, "include": c["deadline"] is not None} for c in candidates],
            )
            if not candidates:
                messages.warning(request, _("No milestone could be read from this text."))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Draft milestones from text"),
            "opts": self.opts,
            "original": plan,
            "plan": plan,
            "text_form": text_form,
            "formset": formset,
        }
        return TemplateResponse(request, "admin/plans/plan/draft_milestones.html", context)


class ProgressUpdateInline(OptimisticLockAdminMixin, ScopedFormFieldsMixin, admin.StackedInline):
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
class MilestoneAdmin(OptimisticLockAdminMixin, SpreadsheetAdmin, EditorScopedAdmin):
    resource_classes = [MilestoneResource]
    list_display = ["__str__", "plan", "kind", "start_date", "deadline", "weight"]
    list_filter = ["kind", "deadline", "plan__jurisdiction__level"]
    list_select_related = ["plan"]
    search_fields = ["statement", "statement_en", "plan__title", "plan__title_en"]
    autocomplete_fields = ["plan", "parent"]
    date_hierarchy = "deadline"
    inlines = [ProgressUpdateInline]
    save_as = True

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


class PublicationStateFilter(admin.SimpleListFilter):
    title = _("publication")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return ProgressUpdate.State.choices

    def queryset(self, request, queryset):
        if self.value() == ProgressUpdate.State.DRAFT:
            return queryset.drafts()
        if self.value() == ProgressUpdate.State.SCHEDULED:
            return queryset.scheduled()
        if self.value() == ProgressUpdate.State.PUBLISHED:
            return queryset.published()
        return queryset


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(OptimisticLockAdminMixin, SpreadsheetAdmin, EditorScopedAdmin):
    resource_classes = [ProgressUpdateResource]
    list_display = [
        "milestone",
        "as_of",
        "percent_complete",
        "value",
        "delivered",
        "publication",
        "author",
    ]
    list_filter = [
        PublicationStateFilter,
        "delivered",
        "published_on",
        "as_of",
        "milestone__plan__jurisdiction__level",
    ]
    list_select_related = ["milestone", "author"]
    search_fields = ["narrative", "narrative_en", "milestone__statement", "milestone__plan__title"]
    autocomplete_fields = ["milestone", "sources"]
    readonly_fields = ["author", "created", "modified"]
    date_hierarchy = "as_of"
    actions = ["publish_now", "unpublish"]
    save_as = True

    @admin.display(description=_("publication"), ordering="published_on")
    def publication(self, update: ProgressUpdate) -> str:
        state = update.state
        if state == ProgressUpdate.State.DRAFT:
            return str(state.label)
        if state == ProgressUpdate.State.SCHEDULED:
            return _("scheduled for %(date)s") % {"date": update.published_on.isoformat()}
        return _("published on %(date)s") % {"date": update.published_on.isoformat()}

    @admin.action(description=_("Publish now"), permissions=["change"])
    def publish_now(self, request, queryset):
        count = services.updates_publish(updates=queryset, user=request.user, on=today())
        self.message_user(
            request,
            ngettext("%(count)d update published.", "%(count)d updates published.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = services.updates_unpublish(updates=queryset, user=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d update turned back into a draft.",
                "%(count)d updates turned back into drafts.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(Editor)
class EditorAdmin(admin.ModelAdmin):
    """Assigns editors to jurisdictions: superusers only."""

    list_display = ["user", "scope"]
    search_fields = ["user__username", "jurisdictions__name_zh_hant", "jurisdictions__code"]
    autocomplete_fields = ["user", "jurisdictions"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("user").prefetch_related("jurisdictions")
        )

    @admin.display(description=_("jurisdictions"))
    def scope(self, editor: Editor) -> str:
        return ", ".join(f"{j.code} {j.name}" for j in editor.jurisdictions.all())

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Admin access and the editors' model permissions come with the scope.
        services.editor_assign(user=form.instance.user, jurisdictions=[])
