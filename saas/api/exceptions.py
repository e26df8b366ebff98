"""One shape for API errors: DRF's, with Django's ValidationError turned into a 400
and a refused workflow move (saas.workflow.TransitionRefused) into a 409."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django_ratelimit.exceptions import Ratelimited
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from saas.workflow import TransitionRefused


def api_exception_handler(exc, context):
    if isinstance(exc, TransitionRefused):
        # The move conflicts with the item's state or belongs to someone else: the message says which.
        set_rollback()
        return Response(
            {"detail": str(exc.message), "code": "transition_refused"}, status=status.HTTP_409_CONFLICT
        )
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
            detail=_("Too many submissions from your network in the last hour. Please wait an hour and try again."),
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return exception_handler(exc, context)
