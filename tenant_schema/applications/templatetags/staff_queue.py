"""The reviewer's queue counts for the home page, without the home view having to know about applications."""

from django import template

from tenant_schema.enterprises.selectors import user_is_park_staff

from ..selectors import application_queue

register = template.Library()


@register.simple_tag
def staff_queue_counts(user) -> dict | None:
    """{"mine": n, "due_soon": n, "overdue": n} for park staff, None for anyone else."""
    if not user_is_park_staff(user):
        return None
    return {view: application_queue(user=user, view=view).count() for view in ("mine", "due_soon", "overdue")}
