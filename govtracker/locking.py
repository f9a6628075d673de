"""Optimistic locking: a save based on an out-of-date copy of a row is refused.

Two editors open the same milestone; the first saves; the second, still holding the old
version, must not silently overwrite the first one's work. Each versioned row counts its
saves in `version`; saving an existing row is a conditional UPDATE ("... WHERE id = %s AND
version = <the version this copy was loaded at>") and raises `ConcurrentEditError` when no
row matched. The admin and the API carry the version the editor saw through the form or the
request and turn the error into a clear message (a form error, HTTP 409).

Pieces to plug in:
- models: inherit `VersionedModel` (adds the `version` field).
- admin: `OptimisticLockAdminMixin` before `admin.ModelAdmin` / `admin.StackedInline`.
- DRF: `OptimisticLockSerializerMixin` before `serializers.ModelSerializer`; clients send
  the `version` they read (in the body, or as `If-Match: "<version>"`); a stale one is 409.
"""

import hashlib
import re

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import APIException


def stale_message(instance: models.Model) -> str:
    return _(
        "Someone else saved this %(object)s after you opened it, so your changes were not "
        "saved. Reload the page to see the current version, then make your changes again."
    ) % {"object": instance._meta.verbose_name}


class ConcurrentEditError(Exception):
    """The row changed (or was deleted) after this copy of it was loaded."""

    def __init__(self, instance: models.Model):
        self.instance = instance
        super().__init__(
            f"{type(instance).__name__} {instance.pk} is no longer at version {instance.version}"
        )

    @property
    def message(self) -> str:
        return stale_message(self.instance)


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_(
            "How many times this row has been saved. A save based on an older version is "
            "refused, so that no editor overwrites another's changes unknowingly."
        ),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Only infrastructure here, no business rule: claim the row at the version this copy
        # was loaded at, then save. The claiming UPDATE holds the row lock until the
        # transaction ends, so no other save can slip in between the check and the write.
        # (Deserialization, as in backup_import and loaddata, saves "raw" and skips this.)
        if self._state.adding or kwargs.get("force_insert"):
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        loaded_version = self.version
        try:
            with transaction.atomic(using=using):
                claimed = (
                    type(self)
                    ._base_manager.using(using)
                    .filter(pk=self.pk, version=loaded_version)
                    .update(version=models.F("version") + 1)
                )
                if not claimed:
                    raise ConcurrentEditError(self)
                self.version = loaded_version + 1
                super().save(*args, **kwargs)
        except BaseException:
            self.version = loaded_version  # the transaction rolled the claim back
            raise


class OptimisticLockForm(forms.ModelForm):
    """A model form that carries the version the editor saw in a hidden field."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self._is_existing_row() and getattr(self.instance, "_history", None) is not None:
            # django-simple-history's revert form: an old version of the row, whose values
            # are saved over the row as it is now. It is checked against, and claims, the
            # row's current version; the old one would never match.
            self.instance.version = (
                type(self.instance)
                ._base_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
                or self.instance.version
            )
        if self._is_existing_row():
            self.fields["version"].initial = self.instance.version

    def _is_existing_row(self) -> bool:
        return self.instance.pk is not None and not self.instance._state.adding

    def clean(self):
        cleaned_data = super().clean()
        if self._is_existing_row():
            # self.instance was read from the database for this request: its version is the
            # current one. A form opened before another editor's save carries an older one.
            if cleaned_data.get("version") != self.instance.version:
                raise ValidationError(stale_message(self.instance), code="stale")
        return cleaned_data


class OptimisticLockAdminMixin:
    """For a ModelAdmin or an inline of a VersionedModel: stale saves become errors.

    The form checks the version (a form error that keeps the editor's input); a save that
    races past the check is stopped by the conditional UPDATE and reported as a message.
    """

    form = OptimisticLockForm

    def get_exclude(self, request, obj=None):
        # The model field is not editable; the form's own hidden `version` field stands in.
        return [*(super().get_exclude(request, obj) or []), "version"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if "version" in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "version"]}), *rest]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConcurrentEditError as error:
            # The admin's transaction has rolled back everything this request wrote.
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class VersionConflict(APIException):
    status_code = 409
    default_detail = _(
        "Someone else saved this object after you read it, so your changes were not saved. "
        "Read it again and send your changes with its current version."
    )
    default_code = "version_conflict"


# `"3"`, or an ETag of the API's read of the object, `"3.<hash of the body>"`
# (govtracker/api.py): the version is what is compared.
_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d+)(?:\.[0-9a-f]+)?"?\s*$')


def version_etag(version: int, body: bytes) -> str:
    """The ETag of an API read of a versioned object: `"<version>.<hash of the body>"`.
    If-Match takes it back for its version (_IF_MATCH); the body's hash keeps
    If-None-Match true to the body, whose computed status moves without a new version."""
    digest = hashlib.md5(body, usedforsecurity=False).hexdigest()
    return f'"{version}.{digest}"'


class OptimisticLockSerializerMixin:
    """For a ModelSerializer of a VersionedModel.

    Adds a `version` field (read: the current version; write: the version the client edited).
    An update must name that version, in the body or as `If-Match: "<version>"`; missing is
    a 400, stale is a 409 (`VersionConflict`), and nothing is written.
    """

    def get_fields(self):
        fields = super().get_fields()
        fields["version"] = serializers.IntegerField(
            min_value=1,
            required=False,
            help_text=_("The version you read. Updates must send it; a stale one is refused."),
        )
        return fields

    def _version_from_if_match(self) -> int | None:
        request = self.context.get("request")
        header = request.headers.get("If-Match") if request is not None else None
        if not header:
            return None
        match = _IF_MATCH.match(header)
        if not match:
            raise serializers.ValidationError(
                {"version": _('If-Match must be a version in quotes, e.g. "3".')}
            )
        return int(match.group(1))

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None:
            expected = attrs.pop("version", None)
            if expected is None:
                expected = self._version_from_if_match()
            if expected is None:
                raise serializers.ValidationError(
                    {
                        "version": _(
                            "Send the version you edited (the `version` field or an "
                            "If-Match header), so that no one's changes are overwritten."
                        )
                    }
                )
            if expected != self.instance.version:
                raise VersionConflict()
            self._expected_version = expected
        else:
            attrs.pop("version", None)  # a new row starts at version 1
        return attrs

    def update(self, instance, validated_data):
        instance.version = self._expected_version
        try:
            with transaction.atomic(using=router.db_for_write(type(instance))):
                return super().update(instance, validated_data)
        except ConcurrentEditError as error:
            raise VersionConflict() from error
