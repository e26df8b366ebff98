"""Pages of every site that need no feature app: shared media, rate-limit and error pages."""

import mimetypes
import posixpath
import sys

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from saas.attachments import shared_media_name, stored_file_response


@login_required
def media_serve(request, name):
    """Serve a file the current tenant shares with its signed-in users.

    The path is looked up under this schema's own prefix, so the same path on another
    tenant's host finds nothing there: a 404. Only names under PARKHUB_SHARED_MEDIA_PREFIX
    are served here; private files (import sheets, application attachments) are served
    by their apps' access-checked views, and are a 404 at this address, however the path
    is spelt (saas.attachments.shared_media_path).
    """
    stored = shared_media_name(name)
    if stored is None:
        raise Http404
    content_type, _encoding = mimetypes.guess_type(stored)
    return stored_file_response(
        storage=default_storage,
        name=stored,
        content_type=content_type or "application/octet-stream",
        filename=posixpath.basename(stored),
        inline=True,
    )


def too_many_requests(request, exception=None):
    """Over a limit of saas.ratelimits: say so, and when to try again."""
    message = _(
        "Too many submissions from your network in the last hour. Please wait an hour and try again; "
        "if you need to do this now, contact the park office."
    )
    response = render(request, "errors/too_many_requests.html", {"message": message}, status=429)
    response["Retry-After"] = "3600"
    return response


def server_error(request):
    """handler500: a database that cannot be reached is a 503 saying to try again, not a 500.

    While PostgreSQL restarts or fails over every request fails at its first query; the request
    was not carried out and a retry in a few seconds works (tests/faults/). Both pages are
    static templates: rendering them needs neither the database nor a request context.
    """
    error = sys.exc_info()[1]
    unreachable = isinstance(error, (OperationalError, InterfaceError)) or (
        isinstance(error, DatabaseError) and isinstance(error.__cause__, (OperationalError, InterfaceError))
    )
    if unreachable:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "5"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
