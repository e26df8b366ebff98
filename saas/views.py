"""Pages every tenant site has: its home page and its private media."""

import mimetypes

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils._os import safe_join

from accounts import roles
from enterprises.selectors import enterprise_list_for_user, user_is_park_staff


def tenant_home(request):
    if connection.schema_name == "public":
        return redirect("hub:home")
    user = request.user
    context = {"user_roles": []}
    if user.is_authenticated:
        context["user_roles"] = [
            roles.ROLE_NAMES[name] for name in user.groups.values_list("name", flat=True) if name in roles.ROLE_NAMES
        ]
        if user_is_park_staff(user):
            context["pending_enterprise_count"] = enterprise_list_for_user(user=user, status="pending").count()
    return render(request, "home.html", context)


@login_required
def media_serve(request, name):
    """Serve an upload of the current tenant only: the path is looked up under this schema's prefix.

    The same path on another tenant's host looks in that tenant's folder and finds
    nothing, so it is a 404 there. Apps with finer rules (attachments) serve their
    files through their own access-checked views.
    """
    try:
        full_path = safe_join(default_storage.location, name)
    except Exception:
        raise Http404 from None
    if not default_storage.exists(name):
        raise Http404
    content_type, _encoding = mimetypes.guess_type(full_path)
    return FileResponse(open(full_path, "rb"), content_type=content_type or "application/octet-stream")
