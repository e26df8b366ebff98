from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import Notification


def notification_list_for_user(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def notification_unread_count(*, user) -> int:
    """Unread notifications: as counted when the user was loaded for this request (every_schema.accounts.backends), else now."""
    if not user.is_authenticated:
        return 0
    counted = getattr(user, "unread_notification_count", None)
    if counted is not None:
        return counted
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def unread_count_subquery(user_ref: str = "pk"):
    """The unread count as an expression, for loading it in the same query as the user."""
    unread = (
        Notification.objects.filter(user=OuterRef(user_ref), read_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread), 0)
