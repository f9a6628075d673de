"""The OpenAPI schema (drf-spectacular): every operation also describes the errors it can
answer with (400, 401, 403 for writes, 404, 429 with Retry-After, 409 for a change
of a versioned object).

Kept apart from govtracker/api.py: drf-spectacular imports DRF's views, which read the
REST_FRAMEWORK settings that name the classes of govtracker/api.py.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import renderers, serializers
from rest_framework.permissions import SAFE_METHODS

from govtracker.locking import OptimisticLockSerializerMixin


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in the request's language."))


class ValidationErrorSerializer(serializers.Serializer):
    """Per-field messages: {"field": ["message", …], "non_field_errors": […]}."""


class ValidationErrorExtension(OpenApiSerializerExtension):
    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema, direction):
        message = build_basic_type(OpenApiTypes.STR)
        return {
            "type": "object",
            "description": str(
                _(
                    "Each invalid field (or query parameter) with its messages; "
                    "non_field_errors for the object as a whole; detail for a body "
                    "that could not be read."
                )
            ),
            "additionalProperties": {
                "oneOf": [message, {"type": "array", "items": message}],
            },
        }


ERROR_RESPONSES = {
    "400": (ValidationErrorSerializer, _("Invalid input: see the message for each field.")),
    "401": (ErrorSerializer, _("Not authenticated, or the token is invalid.")),
    "403": (ErrorSerializer, _("Authenticated, but not allowed to do this.")),
    "404": (ErrorSerializer, _("No such object or page.")),
    "429": (ErrorSerializer, _("Too many requests: wait for Retry-After seconds.")),
}
# Only for changes of a versioned object (govtracker/locking.py).
CONFLICT = (
    ErrorSerializer,
    _("Someone else saved the object after the version you sent: read it again."),
)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema plus the error responses every operation can give."""

    def map_renderers(self, attribute):
        # The browsable API is a convenience for people, not a format clients negotiate.
        return [
            getattr(renderer, attribute)
            for renderer in self.view.get_renderers()
            if not isinstance(renderer, renderers.BrowsableAPIRenderer)
        ]

    def get_auth(self):
        # Reading is public: say so, so that clients (and schemathesis) know a read needs
        # no credentials. A token or a session still works, and shows an editor's drafts.
        auth = super().get_auth()
        if self.method in SAFE_METHODS and {} not in auth:
            auth.append({})
        return auth

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, (serializer, description) in ERROR_RESPONSES.items():
            if code == "403" and self.method in SAFE_METHODS:
                continue
            if code not in responses:
                response = self._get_response_for_code(
                    serializer, code, media_types=["application/json"], direction=direction
                )
                response["description"] = str(description)
                responses[code] = response
        if self._changes_a_versioned_object():
            serializer, description = CONFLICT
            response = self._get_response_for_code(
                serializer, "409", media_types=["application/json"], direction=direction
            )
            response["description"] = str(description)
            responses["409"] = response
        return responses

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._changes_a_versioned_object():
            if_match = OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description=_(
                    'The version you read, in quotes ("3"), if the body does not send it.'
                ),
            )
            parameters = [*parameters, if_match]
        return parameters

    def _changes_a_versioned_object(self) -> bool:
        return self.method in ("PUT", "PATCH") and isinstance(
            self.get_request_serializer(), OptimisticLockSerializerMixin
        )

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        if status_code == "429":
            headers["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": str(_("Seconds to wait before the next request.")),
            }
        return headers
