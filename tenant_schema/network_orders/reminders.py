"""Reminders of an institution's time limits: acceptance (2 working days) and delivery (the product's).

Run in each schema by tasks.reminders_send_task. Only seller-side copies are reminded (the
institution holds the deadline); one notice per order, deadline and day, however often the
task runs (notification_send's dedupe key names the order, the limit and the date).
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from saas.workdays import is_working_day, working_days_between
from tenant_schema.notifications.services import notification_send

from .models import NetworkOrder
from .services import evaluation_publish
from .workflow import INSTITUTION_ROLES

S = NetworkOrder.Status
REMIND_WITHIN_WORKING_DAYS = 1


def _institution_staff_ids() -> list[int]:
    User = get_user_model()
    return list(
        User.objects.filter(groups__name__in=INSTITUTION_ROLES, is_active=True)
        .distinct()
        .values_list("pk", flat=True)
    )


def order_reminders_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Notify the institution's staff of orders to accept or deliver by the next working day, or overdue."""
    now = now or timezone.now()
    sent = {"acceptance": 0, "delivery": 0}
    # Deadlines pass without a step: the published on-time figures are brought up to date here.
    evaluation_publish(now=now)
    staff = _institution_staff_ids()
    if not staff or not is_working_day(timezone.localdate(now)):  # nobody at the desk to read it
        return sent
    today = timezone.localdate(now).isoformat()
    open_orders = NetworkOrder.objects.filter(
        side=NetworkOrder.Side.SELLER, status__in=(S.PLACED, S.ACCEPTED)
    )
    for order in open_orders:
        due = order.due_at
        if due is None or working_days_between(now, due) > REMIND_WITHIN_WORKING_DAYS:
            continue
        limit = "acceptance" if order.status == S.PLACED else "delivery"
        overdue = due < now
        if limit == "acceptance":
            title = (
                _("Overdue: accept or refuse “%(name)s”")
                if overdue
                else _("Accept or refuse “%(name)s” by %(due)s")
            )
        else:
            title = _("Overdue: deliver “%(name)s”") if overdue else _("Deliver “%(name)s” by %(due)s")
        title = title % {
            "name": order.product_name,
            "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
        }
        new = notification_send(
            user_ids=staff,
            title=title,
            body=order.enterprise_name,
            link=f"/orders/{order.pk}/",
            dedupe_key=f"network-order:{order.reference}:{limit}:{today}",
        )
        if new:
            sent[limit] += 1
            stamp = "acceptance_reminded_at" if limit == "acceptance" else "delivery_reminded_at"
            NetworkOrder.objects.filter(pk=order.pk).update(**{stamp: now})
    return sent
