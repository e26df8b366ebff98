"""One shape for every API error: {"code": ..., "message": ..., "fields": {field: [messages]}}.

`code` is a stable machine word (`invalid`, `not_authenticated`, `permission_denied`,
`not_found`, `method_not_allowed`, `transition_refused`, `throttled`, ...), `message` a
sentence for people in the language the client asked for (saas.api.middleware), and
`fields` the messages per field of a request that did not validate (nested fields as
`stages.0.name`; empty for every other error). Django's ValidationError becomes a 400,
Http404 and PermissionDenied their DRF twins, and a refused workflow move
(saas.workflow.TransitionRefused) a 409.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django_ratelimit.exceptions import Ratelimited
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from saas.workflow import TransitionRefused

# Keys of a validation error that belong to the request as a whole, not to one field.
_NON_FIELD_KEYS = ("non_field_errors", "detail")


def error_body(*, code: str, message: str, fields: dict | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def _flatten(detail, prefix="") -> dict[str, list[str]]:
    """{"stages": [{"name": ["required"]}]} -> {"stages.0.name": ["required"]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix: [str(item) for item in detail]} if detail else {}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix: [str(detail)]}


def _validation_body(exc: exceptions.ValidationError) -> dict:
    detail = exc.detail
    if not isinstance(detail, dict):
        messages = [str(m) for m in (detail if isinstance(detail, list) else [detail])]
        return error_body(code="invalid", message=" ".join(messages))
    fields = _flatten({key: value for key, value in detail.items() if key not in _NON_FIELD_KEYS})
    general = [message for key in _NON_FIELD_KEYS for message in _flatten(detail.get(key, [])).get("", [])]
    if general:
        message = " ".join(general)
    else:
        message = _("Some fields are not valid: %(fields)s. Correct them and send the request again.") % {
            "fields": ", ".join(fields)
        }
    return error_body(code="invalid", message=message, fields=fields)


def _code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return exc.default_code


def api_exception_handler(exc, context):
    if isinstance(exc, TransitionRefused):
        # The move conflicts with the item's state or belongs to someone else: the message says which.
        set_rollback()
        return Response(error_body(code=exc.code, message=str(exc.message)), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(
                {field: [str(m) for m in errors] for field, errors in exc.message_dict.items()}
            )
        else:
            exc = exceptions.ValidationError({"detail": exc.messages})
    elif isinstance(exc, Ratelimited):  # before PermissionDenied, which it subclasses
        exc = exceptions.Throttled(
            wait=3600,
            detail=_(
                "Too many submissions from your network in the last hour. Please wait an hour and try again."
            ),
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found. It does not exist on this site, or you may not see it."))
    elif isinstance(exc, PermissionDenied):
        message = str(exc) if exc.args else _("You may not do this.")
        exc = exceptions.PermissionDenied(message)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        if isinstance(detail, (dict, list)):  # an APIException raised with a dict: keep its parts as fields
            flat = _flatten(detail)
            message = " ".join(flat.pop("detail", []) or flat.pop("", []) or [str(exc.default_detail)])
            response.data = error_body(code=_code(exc), message=message, fields=flat)
        else:
            response.data = error_body(code=_code(exc), message=str(detail))
    return response


def referenced(*, field: str, lookup, pk, **kwargs):
    """The object a request body names by id, fetched through a scoped `lookup`; a 400 on `field` if none.

    A missing or hidden object named in the body is an invalid request, not a missing resource:
    the URL exists, so the answer is a field error, the same for "does not exist" and "not yours".
    An optional reference left out (`pk` None or empty) is None.
    """
    if pk in (None, ""):
        return None
    try:
        return lookup(pk=pk, **kwargs)
    except Http404:
        raise exceptions.ValidationError(
            {field: [_("No such item on this site, or not one you may use.")]}
        ) from None
