"""Pages of the notifications app: the signed-in person's own list, opening one, marking them read.

Every fetch is scoped to request.user: another person's notification is the same 404 as
one that does not exist.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import Notification
from .selectors import notification_list_for_user, notification_unread_count
from .services import notification_mark_read

PAGE_SIZE = 30


def _notification_get_for_user(*, user, pk) -> Notification:
    try:
        return notification_list_for_user(user=user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404("No such notification") from None


@login_required
def notification_list(request):
    """Newest first; unread ones are highlighted until opened or marked read."""
    page = Paginator(notification_list_for_user(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "notifications": page.object_list,
            "unread": notification_unread_count(user=request.user),
        },
    )


@login_required
def notification_open(request, pk):
    """Mark one read and go to what it is about (only a path on this site; otherwise back to the list)."""
    notification = _notification_get_for_user(user=request.user, pk=pk)
    notification_mark_read(user=request.user, notification_ids=[notification.pk])
    link = notification.link
    if (
        link
        and link.startswith("/")
        and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()})
    ):
        return redirect(link)
    return redirect("notifications:list")


@require_POST
@login_required
def notification_mark_all_read(request):
    notification_mark_read(user=request.user)
    return redirect("notifications:list")
