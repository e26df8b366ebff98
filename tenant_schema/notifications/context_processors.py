from django.db import connection

from .selectors import notification_unread_count


def unread_count(request):
    """`unread_notification_count` for the nav badge, counted only if a template uses it, and once.

    The hub (public schema) has no notifications table, and anonymous visitors have none.
    """
    cache: dict[str, int] = {}

    def count() -> int:
        if "n" not in cache:
            user = getattr(request, "user", None)
            if connection.schema_name == "public" or user is None:
                cache["n"] = 0
            else:
                cache["n"] = notification_unread_count(user=user)
        return cache["n"]

    return {"unread_notification_count": count}
