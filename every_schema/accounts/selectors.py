"""Reads for accounts."""

from django.http import Http404

from .models import ApiToken
from .services import api_token_hash


def api_token_list_for_user(*, user):
    """The user's own tokens, newest first, revoked and expired ones included (marked as such)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_get_for_user(*, user, pk) -> ApiToken:
    """One of the user's own tokens; someone else's token is the same 404 as no token."""
    try:
        return api_token_list_for_user(user=user).get(pk=pk)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def api_token_find(*, secret: str) -> ApiToken | None:
    """The token whose secret this is, live or not (the caller says why a dead one is refused)."""
    return ApiToken.objects.filter(key_hash=api_token_hash(secret)).first()
