from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import Http404

from every_schema.accounts import roles


def is_hub_operator(user) -> bool:
    return (
        connection.schema_name == "public"
        and user.is_authenticated
        and (user.is_superuser or user.has_role(roles.HUB_OPERATOR))
    )


def hub_operator_required(view):
    """Hub pages: sign in first; signed-in people who are not operators get a 404, as if nothing were here."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_hub_operator(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
