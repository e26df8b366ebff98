"""Who is told what about a demand (in-app + email through notifications), each once."""

from django.utils import timezone
from django.utils.translation import gettext as _

from saas.workdays import working_days_between
from tenant_schema.enterprises.models import Membership
from tenant_schema.notifications.services import notification_send

from . import workflow as wf
from .models import Demand, DemandEvent, Rating


def _enterprise_user_ids(demand: Demand) -> list[int]:
    return list(
        Membership.objects.filter(enterprise_id=demand.enterprise_id).values_list("user_id", flat=True)
    )


def demand_filed_notify(*, demand: Demand, event: DemandEvent) -> None:
    """A new demand goes to the park's administrators, who accept and route it."""
    from .selectors import park_admin_ids

    notification_send(
        user_ids=park_admin_ids(),
        title=_("New demand from %(enterprise)s: %(title)s")
        % {"enterprise": demand.enterprise.name, "title": demand.title},
        body=demand.get_category_display(),
        link=f"/park/demands/{demand.pk}/",
        dedupe_key=f"demand:{demand.pk}:event:{event.pk}",
    )


def demand_changed_notify(*, demand: Demand, transition) -> None:
    """The enterprise hears of every step the park takes; the handler of what is handed to them
    and of the enterprise's rating; the administrators of a reopening."""
    from .selectors import park_admin_ids

    event = demand.events.order_by("-pk").first()
    key = f"demand:{demand.pk}:event:{event.pk if event else 0}"
    title = _("Demand “%(title)s”: %(status)s") % {"title": demand.title, "status": demand.status_label}
    body_parts = [str(transition.label)]
    if event is not None and event.comment and event.is_public:
        body_parts.append(event.comment)
    body = "\n".join(body_parts)
    if transition.action != wf.RATE:
        notification_send(
            # Not the person who acted (an enterprise's own step is no news to itself).
            user_ids=[i for i in _enterprise_user_ids(demand) if event is None or i != event.actor_id],
            title=title,
            body=body,
            link=f"/demands/{demand.pk}/",
            dedupe_key=key,
        )
    staff = set()
    if transition.action in (wf.ACCEPT, wf.ASSIGN, wf.RATE, wf.CLOSE_UNRATED) and demand.handler_id:
        staff.add(demand.handler_id)
    if transition.action == wf.RATE and demand.rating == Rating.UNSATISFIED:
        staff.update(park_admin_ids())
    if event is not None and event.actor_id:
        staff.discard(event.actor_id)
    if staff:
        notification_send(
            user_ids=staff,
            title=title,
            body=body,
            link=f"/park/demands/{demand.pk}/",
            dedupe_key=f"{key}:staff",
        )


def overdue_message(*, demand: Demand, now) -> tuple[str, str]:
    due = demand.next_due_at
    days = abs(working_days_between(due, now)) if due else 0
    title = _("Overdue demand: %(title)s") % {"title": demand.title}
    body = _("%(enterprise)s · %(category)s · %(what)s was due %(due)s (%(days)d working days ago).") % {
        "enterprise": demand.enterprise.name,
        "category": demand.get_category_display(),
        "what": _("the first reply") if demand.first_replied_at is None else _("the resolution"),
        "due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "",
        "days": days,
    }
    return title, body
