"""Who may edit what: one set of rules for the admin, spreadsheet import and the API.

An editor edits the jurisdictions of their scope (plans.models.Editor) and everything under
them; a scope with the national jurisdiction, or a superuser, edits everything. Plans,
milestones, progress updates, observations and indicator targets belong to the jurisdiction
they are about (`jurisdiction_of`). Reference data that belongs to no jurisdiction —
jurisdictions themselves, indicators, sources — is changed by national editors only,
though any editor may add a source to cite it.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from plans.models import Jurisdiction, Milestone, Plan, ProgressUpdate, Source

# How each scoped model reaches its jurisdiction, as a lookup path.
JURISDICTION_PATHS: dict[str, str] = {
    "plans.plan": "jurisdiction",
    "plans.milestone": "plan__jurisdiction",
    "plans.progressupdate": "milestone__plan__jurisdiction",
    "metrics.observation": "jurisdiction",
    "metrics.indicatortarget": "jurisdiction",
}

OUT_OF_SCOPE_MESSAGE = _("You may only edit the jurisdictions assigned to you.")


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def is_scoped(model: type[models.Model]) -> bool:
    """Rows of this model belong to a jurisdiction."""
    return _label(model) in JURISDICTION_PATHS


def is_editor(user) -> bool:
    """The user edits something: a superuser or a user with an editor scope."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or Jurisdiction.objects.filter(editor_scopes__user=user).exists()


def is_national_editor(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return (
        user.is_superuser
        or Jurisdiction.objects.filter(
            editor_scopes__user=user, level=Jurisdiction.Level.NATIONAL
        ).exists()
    )


def editable_jurisdictions(user):
    return Jurisdiction.objects.editable_by(user)


def user_can_edit_jurisdiction(user, jurisdiction: Jurisdiction | None) -> bool:
    if jurisdiction is None:
        return False
    return editable_jurisdictions(user).filter(pk=jurisdiction.pk).exists()


def jurisdiction_of(obj) -> Jurisdiction | None:
    """The jurisdiction a Plan, Milestone, ProgressUpdate, Observation or IndicatorTarget
    is about (saved or not); None for anything else or when it is not set yet."""
    if isinstance(obj, Jurisdiction):
        return obj
    path = JURISDICTION_PATHS.get(_label(type(obj)))
    if path is None:
        return None
    current = obj
    for name in path.split("__"):
        field = current._meta.get_field(name)
        # An unsaved parent (an admin inline on an add page) is attached but has no id.
        if not field.is_cached(current) and getattr(current, field.attname) is None:
            return None
        current = getattr(current, name)
        if current is None:
            return None
    return current


def jurisdiction_of_data(model: type[models.Model], data: dict) -> Jurisdiction | None:
    """The jurisdiction a row of `model` would belong to with `data` (validated data of a
    form or a serializer: related objects, not ids)."""
    if _label(model) in ("plans.plan", "metrics.observation", "metrics.indicatortarget"):
        return data.get("jurisdiction")
    if _label(model) == "plans.milestone":
        plan: Plan | None = data.get("plan")
        return plan.jurisdiction if plan else None
    if _label(model) == "plans.progressupdate":
        milestone: Milestone | None = data.get("milestone")
        return milestone.plan.jurisdiction if milestone else None
    return None


def user_can_edit(user, obj) -> bool:
    """May `user` change or delete `obj` (or create it, when it is unsaved)?"""
    if not is_editor(user):
        return False
    if is_scoped(type(obj)):
        return user_can_edit_jurisdiction(user, jurisdiction_of(obj))
    if _label(type(obj)) == "plans.source" and obj.pk is None:
        return True  # any editor may cite a new source
    return is_national_editor(user)


def ensure_can_edit(user, obj) -> None:
    """Raise PermissionDenied (a 403 in views and the API) unless `user` may edit `obj`."""
    if not user_can_edit(user, obj):
        raise PermissionDenied(OUT_OF_SCOPE_MESSAGE)


def editable_queryset(queryset, user):
    """`queryset` narrowed to the rows `user` edits (all rows for unscoped models)."""
    if is_scoped(queryset.model):
        path = JURISDICTION_PATHS[_label(queryset.model)]
        return queryset.filter(**{f"{path}__in": editable_jurisdictions(user)})
    return queryset


class IsEditorForObjectJurisdiction(permissions.BasePermission):
    """DRF permission: everyone reads; editors write within their jurisdictions.

    `has_permission` lets safe methods through and requires an editor for writes;
    `has_object_permission` refuses a write to a row outside the editor's scope. A create
    or an update that would *move* a row has no object to check against yet: call
    `ensure_can_edit_data` in `perform_create`/`perform_update` (or use
    `EditorScopedWriteMixin`, which does).
    """

    message = OUT_OF_SCOPE_MESSAGE

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return is_editor(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return user_can_edit(request.user, obj)


def ensure_can_edit_data(user, model: type[models.Model], data: dict, instance=None) -> None:
    """Refuse a create or update whose resulting row would lie outside the user's scope.

    For an update, the fields not in `data` keep the instance's values.
    """
    if instance is not None:
        ensure_can_edit(user, instance)
        merged = {
            name: data.get(name, getattr(instance, name, None))
            for name in ("jurisdiction", "plan", "milestone")
            if hasattr(instance, f"{name}_id")
        }
    else:
        merged = data
    if is_scoped(model):
        if not user_can_edit_jurisdiction(user, jurisdiction_of_data(model, merged)):
            raise PermissionDenied(OUT_OF_SCOPE_MESSAGE)
    elif instance is None and model is Source:
        if not is_editor(user):
            raise PermissionDenied(OUT_OF_SCOPE_MESSAGE)
    elif not is_national_editor(user):
        raise PermissionDenied(OUT_OF_SCOPE_MESSAGE)


class EditorScopedWriteMixin:
    """For DRF ModelViewSets: checks the scope of the row a create or update produces.

    With `permission_classes = [IsEditorForObjectJurisdiction]` this refuses, with a 403,
    every write outside the editor's jurisdictions: to an existing row outside them
    (object permission) and a create or move into one (here). It also records the
    request's user as the author of new progress updates.
    """

    def perform_create(self, serializer):
        model = serializer.Meta.model
        self._ensure(model, serializer.validated_data)
        extra = {}
        if model is ProgressUpdate and "author" not in serializer.validated_data:
            extra["author"] = self.request.user
        serializer.save(**extra)

    def perform_update(self, serializer):
        self._ensure(serializer.Meta.model, serializer.validated_data, serializer.instance)
        serializer.save()

    def _ensure(self, model, data, instance=None):
        try:
            ensure_can_edit_data(self.request.user, model, data, instance=instance)
        except PermissionDenied as e:
            # DRF answers its own PermissionDenied with our message (a 403).
            raise exceptions.PermissionDenied(str(e)) from e
