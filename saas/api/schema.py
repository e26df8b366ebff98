"""drf-spectacular hooks: the schema documents /api/v1/ only, and the one error shape on every operation."""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

from .middleware import CURRENT_PREFIX


def _model_field(field):
    """The model column a ModelSerializer's field reads directly, or None."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source or field.source == "*":
        return None
    try:
        return model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return None


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, with "" among the values of a read-only choice that may be blank.

    DRF drops `allow_blank` from a ModelSerializer field made read-only, so an output field over
    `CharField(choices=..., blank=True)` (an enterprise's industry, a demand's rating) was
    documented as one of its choices only, and a blank `URLField` as a URL, while responses
    carry "" until the value is set.
    """

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        column = _model_field(field) if field.read_only else None
        may_be_blank = isinstance(column, (models.CharField, models.TextField)) and column.blank
        if may_be_blank and isinstance(field, serializers.ChoiceField) and not field.allow_blank:
            field.allow_blank = True  # the field only reads: this changes the schema, not validation
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)  # a URL or email validator adds the `format`
        column = _model_field(field) if field.read_only else None
        if isinstance(column, (models.CharField, models.TextField)) and column.blank and "format" in schema:
            # A blank URL or email column (a Stripe checkout link not made yet) reads as "", not a URL.
            schema["anyOf"] = [{"format": schema.pop("format")}, {"maxLength": 0}]


class ErrorSerializer(serializers.Serializer):
    """Every API error (saas.api.exceptions)."""

    code = serializers.CharField(
        help_text=_(
            "A stable word for programs: invalid, parse_error, not_authenticated, authentication_failed, "
            "token_invalid, token_expired, token_revoked, permission_denied, not_found, method_not_allowed, "
            "transition_refused, conflict, throttled, tenant_suspended."
        )
    )
    message = serializers.CharField(
        help_text=_("For people, in the language of Accept-Language (Chinese by default).")
    )
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_(
            "Messages per field of a request that did not validate (nested as `stages.0.name`); else {}."
        ),
    )


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error has this shape.",
    "properties": {
        "code": {"type": "string", "example": "invalid"},
        "message": {
            "type": "string",
            "example": "Some fields are not valid: name. Correct them and send the request again.",
        },
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "example": {"name": ["This field is required."]},
        },
    },
    "required": ["code", "message", "fields"],
}

_ERRORS = {
    "400": "The request did not validate: `fields` holds the messages per field.",
    "401": "No credentials, or a token that is unknown on this site, expired or revoked (`code` says which).",
    "403": "Signed in, but this user may not do this.",
    "404": "No such object, or not one this user may see (the same answer for both).",
    "404-page": "No such page: `page` past the last one, or not a positive number.",
    "409": "The object is no longer in the state the action was offered from (a double click, a retry).",
    "429": "Too many requests; `Retry-After` says when to try again.",
}


def only_current_version(endpoints, **kwargs):
    """Drop the unversioned alias paths: integrators build on /api/v1/ alone."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(CURRENT_PREFIX)]


def document_errors(result, generator, request, public):
    """Give every operation the error responses it can answer, all with the Error schema."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            codes = ["400", "401", "403", "429"]
            parameters = operation.get("parameters", [])
            if "{" in operation.get("operationId", "") or any(p.get("in") == "path" for p in parameters):
                codes.append("404")
            elif any(p.get("in") == "query" and p.get("name") == "page" for p in parameters):
                # A paginated collection answers 404 for a page that does not exist (DRF's pagination).
                responses.setdefault("404", {"description": _ERRORS["404-page"]})
            if method in ("post", "put", "patch", "delete"):
                codes.append("409")
            for code in codes:
                responses.setdefault(code, {"description": _ERRORS[code]})
            for code, response in responses.items():
                if code.startswith("4"):
                    response["content"] = reference
    return result
