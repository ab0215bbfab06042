"""OpenAPI generation: document the error responses every operation may give."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

DETAIL = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})
ERRORS = {
    "400": OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Invalid input: field name (or non_field_errors) to a list of messages.",
    ),
    "401": OpenApiResponse(DETAIL, description="Not signed in / no valid token."),
    "403": OpenApiResponse(DETAIL, description="Not allowed for this account."),
    "404": OpenApiResponse(DETAIL, description="No such object, or not visible to you."),
}


class PortalAutoSchema(AutoSchema):
    def get_tags(self):
        # /api/v1/updates/{id}/submit/ -> "updates"
        return [self.path.split("/")[3]]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in ERRORS.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses


class KnoxTokenScheme(OpenApiAuthenticationExtension):
    """Describe the token header (``Authorization: Token <key>``) in the schema."""

    target_class = "tasks.api.tokens.ReadOnlyKnoxAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token authentication: "Token " followed by the key.',
        }
