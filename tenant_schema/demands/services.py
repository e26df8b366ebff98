"""Writes for demands. Every change of status goes through `demand_transition`.

Filing creates the demand and its first history row; everything after that is a
transition of tenant_schema/demands/workflow.py applied by saas.workflow.transition_apply (lock the
row, check the move and the actor, save, write the history row, notify on commit).
The scheduled jobs — closing unrated answers, escalating overdue demands — call the
same service or notification_send, and are safe to run twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saas.attachments import upload_checked
from saas.signals import transition_announce
from saas.workdays import SHANGHAI, is_working_day, working_days_after, working_days_between
from saas.workflow import Transition, TransitionRefused, transition_apply
from tenant_schema.enterprises.models import Enterprise, Membership
from tenant_schema.enterprises.selectors import user_is_park_staff

from . import workflow as wf
from .models import (
    DEFAULT_FIRST_REPLY_DAYS,
    DEFAULT_RESOLUTION_DAYS,
    MAX_RESOLUTION_DAYS,
    RATING_WINDOW_DAYS,
    Category,
    CategoryPolicy,
    Demand,
    DemandAttachment,
    DemandEvent,
    Rating,
)

S = Demand.Status
User = get_user_model()
MAX_ATTACHMENTS = 10


# ---------------------------------------------------------------------------
# Time limits per category
# ---------------------------------------------------------------------------


def category_limits(*, category: str) -> tuple[int, int, str]:
    """(first reply days, resolution days, default department) for a category; 3 and 15 unless the park set others."""
    policy = CategoryPolicy.objects.filter(category=category).first()
    if policy is None:
        return DEFAULT_FIRST_REPLY_DAYS, DEFAULT_RESOLUTION_DAYS, ""
    return policy.first_reply_days, policy.resolution_days, policy.department


def category_policy_set(
    *, category: str, first_reply_days: int, resolution_days: int, department: str = ""
) -> CategoryPolicy:
    """Set a category's time limits; they apply to demands accepted from now on, not to running clocks."""
    if category not in Category.values:
        raise ValidationError({"category": _("Choose a category from the list.")})
    errors = {}
    if not 1 <= int(first_reply_days) <= MAX_RESOLUTION_DAYS:
        errors["first_reply_days"] = _("Between 1 and %(max)d working days.") % {"max": MAX_RESOLUTION_DAYS}
    if not 1 <= int(resolution_days) <= MAX_RESOLUTION_DAYS:
        errors["resolution_days"] = _("Between 1 and %(max)d working days.") % {"max": MAX_RESOLUTION_DAYS}
    elif int(first_reply_days) > int(resolution_days):
        errors["first_reply_days"] = _("The first reply cannot be due after the resolution.")
    if errors:
        raise ValidationError(errors)
    policy, _created = CategoryPolicy.objects.update_or_create(
        category=category,
        defaults={
            "first_reply_days": int(first_reply_days),
            "resolution_days": int(resolution_days),
            "department": (department or "").strip()[:100],
        },
    )
    return policy


# ---------------------------------------------------------------------------
# Filing and attachments
# ---------------------------------------------------------------------------


def _is_member(user, enterprise_id: int) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and Membership.objects.filter(user=user, enterprise_id=enterprise_id).exists()
    )


def _attach(demand: Demand, actor, upload, content_type: str) -> DemandAttachment:
    attachment = DemandAttachment(demand=demand)
    attachment.store(upload, content_type=content_type, uploaded_by=actor)
    return attachment


def demand_file(
    *, enterprise: Enterprise, filer, category: str, title: str, description: str, uploads=()
) -> Demand:
    """An enterprise's people file a demand; the park's administrators are told at once.

    Filing is not a move between states, so it writes its history row here rather than
    through transition_apply; the clock starts only when the park accepts the demand.
    """
    if not _is_member(filer, enterprise.pk):
        raise ValidationError(_("Only the enterprise's own people can file its demands."))
    title, description = (title or "").strip(), (description or "").strip()
    errors = {}
    if category not in Category.values:
        errors["category"] = _("Choose a category from the list.")
    if not title:
        errors["title"] = _("Say in a few words what the problem is.")
    elif len(title) > 200:
        errors["title"] = _("Keep the title under 200 characters; put the details in the description.")
    if not description:
        errors["description"] = _("Describe the problem, so the park can route it to the right department.")
    uploads = list(uploads or [])
    if len(uploads) > MAX_ATTACHMENTS:
        errors["attachments"] = _("At most %(count)d files.") % {"count": MAX_ATTACHMENTS}
    if errors:
        raise ValidationError(errors)
    checked = [(upload, upload_checked(upload, field="attachments")) for upload in uploads]
    with transaction.atomic():
        demand = Demand.objects.create(
            enterprise=enterprise, filer=filer, category=category, title=title, description=description
        )
        for upload, content_type in checked:
            _attach(demand, filer, upload, content_type)
        event = DemandEvent.objects.create(
            demand=demand, actor=filer, action=wf.FILE, from_status="", to_status=demand.status
        )
        transition_announce(
            model=Demand,
            instance=demand,
            action=wf.FILE,
            from_status="",
            to_status=demand.status,
            actor=filer,
        )
        from .notices import demand_filed_notify

        demand_filed_notify(demand=demand, event=event)
    return demand


def demand_attachment_add(*, demand: Demand, actor, upload) -> DemandAttachment:
    """The enterprise adds a file to a demand that is still open (a closed one is history).

    Anyone else is refused for who they are (PermissionDenied, a 403): the park's staff, who
    read the demand, were told 400 as if their file were at fault (found by the route matrix).
    """
    if not _is_member(actor, demand.enterprise_id):
        raise PermissionDenied(_("Only the enterprise's own people can add files to its demand."))
    if demand.status == S.CLOSED:
        raise ValidationError(_("This demand is closed; file a new one if the problem came back."))
    if demand.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("At most %(count)d files.") % {"count": MAX_ATTACHMENTS}})
    content_type = upload_checked(upload, field="attachments")
    with transaction.atomic():
        return _attach(demand, actor, upload, content_type)


# ---------------------------------------------------------------------------
# The one transition service
# ---------------------------------------------------------------------------


def _staff_handler(handler_id) -> User:
    handler = User.objects.filter(pk=handler_id, is_active=True).first() if handler_id else None
    if handler is None or not user_is_park_staff(handler):
        raise ValidationError({"handler": _("Choose a handler among the park's staff.")})
    return handler


@dataclass(frozen=True)
class _DemandMove:
    """What one demand_transition call was given: the inputs of its change step."""

    now: object
    actor: object
    text: str
    handler_id: int | None
    department: str | None
    rating: str
    extension_days: int | None


def _change_accept_or_assign(
    demand: Demand, action: str, move: _DemandMove, fields: list, extra: dict
) -> None:
    if action == wf.ASSIGN and move.handler_id is None and move.department is None:
        raise ValidationError({"handler": _("Choose a handler or a department.")})
    before = (demand.handler_id, demand.department)
    if move.handler_id is not None:
        demand.handler = _staff_handler(move.handler_id)
    elif action == wf.ACCEPT and demand.handler_id is None:
        demand.handler = move.actor
    first_reply_days, resolution_days, default_department = category_limits(category=demand.category)
    if move.department is not None:
        demand.department = move.department.strip()[:100]
    elif action == wf.ACCEPT and not demand.department:
        demand.department = default_department
    if action == wf.ASSIGN and (demand.handler_id, demand.department) == before:
        # Assigning keeps the status, so a repeat (a double-click) would pass the expected
        # state; with nothing to change it is refused rather than recorded twice.
        raise ValidationError({"handler": _("The demand is already assigned that way; nothing changed.")})
    fields += ["handler", "department"]
    extra.update(handler=demand.handler, department=demand.department)
    if action == wf.ACCEPT:
        demand.accepted_at = demand.clock_started_at = move.now
        demand.first_reply_due_at = working_days_after(move.now, first_reply_days)
        demand.resolution_due_at = working_days_after(move.now, resolution_days)
        fields += ["accepted_at", "clock_started_at", "first_reply_due_at", "resolution_due_at"]
        extra["due_at"] = demand.first_reply_due_at
    else:
        extra["due_at"] = demand.resolution_due_at


def _change_reply(demand: Demand, action: str, move: _DemandMove, fields: list, extra: dict) -> None:
    if demand.first_replied_at is None:
        demand.first_replied_at = move.now
        fields.append("first_replied_at")
    extra["due_at"] = demand.resolution_due_at


def _change_answer(demand: Demand, action: str, move: _DemandMove, fields: list, extra: dict) -> None:
    demand.answer = move.text
    demand.answered_at = move.now
    if demand.first_replied_at is None:
        demand.first_replied_at = move.now
    demand.rating_due_at = working_days_after(move.now, RATING_WINDOW_DAYS)
    # A new answer waits for a new rating; earlier ratings stay in the history.
    demand.rating, demand.rating_comment, demand.rated_at = "", "", None
    fields += [
        "answer",
        "answered_at",
        "first_replied_at",
        "rating_due_at",
        "rating",
        "rating_comment",
        "rated_at",
    ]
    extra["due_at"] = demand.rating_due_at


def _change_extend(demand: Demand, action: str, move: _DemandMove, fields: list, extra: dict) -> None:
    """Once only (the workflow's precondition); never past 30 working days from the clock start."""
    try:
        days = int(move.extension_days)
    except (TypeError, ValueError):
        raise ValidationError({"extension_days": _("Give the number of working days to add.")}) from None
    if days < 1:
        raise ValidationError({"extension_days": _("Give the number of working days to add.")})
    new_due = working_days_after(demand.resolution_due_at, days)
    total = working_days_between(demand.clock_started_at, new_due)
    if total > MAX_RESOLUTION_DAYS:
        allowed = MAX_RESOLUTION_DAYS - working_days_between(
            demand.clock_started_at, demand.resolution_due_at
        )
        raise ValidationError(
            {
                "extension_days": _(
                    "A demand must be resolved within %(max)d working days in all; "
                    "at most %(left)d more working days can be added."
                )
                % {"max": MAX_RESOLUTION_DAYS, "left": max(allowed, 0)}
            }
        )
    demand.resolution_due_at = new_due
    demand.extended_at = move.now
    demand.extension_reason = move.text
    fields += ["resolution_due_at", "extended_at", "extension_reason"]
    extra["due_at"] = new_due


def _change_rate(demand: Demand, action: str, move: _DemandMove, fields: list, extra: dict) -> None:
    rating, text, now = move.rating, move.text, move.now
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose satisfied, basically satisfied or unsatisfied.")})
    if rating == Rating.UNSATISFIED and not text:
        raise ValidationError({"comment": _("Tell the park what is still wrong, so it can handle it again.")})
    demand.rating, demand.rating_comment, demand.rated_at = rating, text, now
    fields += ["rating", "rating_comment", "rated_at"]
    if rating == Rating.UNSATISFIED:
        _first, resolution_days, _department = category_limits(category=demand.category)
        demand.status = S.REOPENED
        demand.reopen_count += 1
        demand.clock_started_at = now
        demand.resolution_due_at = working_days_after(now, resolution_days)
        demand.rating_due_at = None
        fields += ["reopen_count", "clock_started_at", "resolution_due_at", "rating_due_at"]
        extra["due_at"] = demand.resolution_due_at
    else:
        demand.status = S.CLOSED
        demand.closed_at = now
        demand.rating_due_at = None
        fields += ["closed_at", "rating_due_at"]
    extra["rating"] = rating


def _change_close_unrated(demand: Demand, action: str, move: _DemandMove, fields: list, extra: dict) -> None:
    demand.closed_without_rating = True
    demand.closed_at = move.now
    demand.rating_due_at = None
    fields += ["closed_without_rating", "closed_at", "rating_due_at"]


# What each action changes beside the status (the workflow's table says which status).
_DEMAND_CHANGES = {
    wf.ACCEPT: _change_accept_or_assign,
    wf.ASSIGN: _change_accept_or_assign,
    wf.REPLY: _change_reply,
    wf.ANSWER: _change_answer,
    wf.EXTEND: _change_extend,
    wf.RATE: _change_rate,
    wf.CLOSE_UNRATED: _change_close_unrated,
}


def demand_transition(
    *,
    demand_id: int,
    action: str,
    actor,
    comment: str = "",
    handler_id: int | None = None,
    department: str | None = None,
    rating: str = "",
    extension_days: int | None = None,
    expected_status: str | None = None,
) -> Demand:
    """Apply one workflow action to a demand, or refuse it with a message a clerk understands.

    `expected_status` is the status the action was offered from; when the demand has moved
    on since (a double-click, a second tab), the action is refused (StaleAction, 409).

    - accept: starts the clock — first reply and resolution due in the category's working days.
    - reply: the first reply to the enterprise (the comment); answer: the answer (the comment).
    - extend: once per demand, with a reason; never more than 30 working days from the clock start.
    - rate: satisfied or basically satisfied closes; unsatisfied (with a comment) reopens with a
      fresh resolution deadline.
    - close_unrated: the scheduled job, when the enterprise stayed silent for 5 working days.
    """
    now = timezone.now()

    move = _DemandMove(
        now=now,
        actor=actor,
        text=(comment or "").strip(),
        handler_id=handler_id,
        department=department,
        rating=rating,
        extension_days=extension_days,
    )

    def change(demand: Demand, transition: Transition) -> dict:
        fields = ["updated_at"]
        extra: dict = {}
        step = _DEMAND_CHANGES.get(transition.action)
        if step is not None:
            step(demand, transition.action, move, fields, extra)
        return {"update_fields": fields, **extra}

    def history(demand: Demand, transition: Transition, from_status: str, extra: dict) -> DemandEvent:
        return DemandEvent.objects.create(
            demand=demand,
            actor=actor,
            action=transition.action,
            from_status=from_status,
            to_status=demand.status,
            comment=extra.get("comment", ""),
            is_public=transition.public,
            due_at=extra.get("due_at"),
            handler=extra.get("handler"),
            department=extra.get("department", ""),
            rating=extra.get("rating", ""),
        )

    def notify(demand: Demand, transition: Transition) -> None:
        from .notices import demand_changed_notify

        demand_changed_notify(demand=demand, transition=transition)

    return transition_apply(
        model=Demand,
        pk=demand_id,
        workflow=wf.DEMAND_WORKFLOW,
        action=action,
        actor=actor,
        change=change,
        history=history,
        notify=notify,
        comment=comment,
        expected={"status": expected_status} if expected_status else None,
    )


# ---------------------------------------------------------------------------
# Scheduled jobs (each safe to run twice, or twice at once)
# ---------------------------------------------------------------------------


def demands_close_unrated(*, now: dt.datetime | None = None) -> int:
    """Close answered demands whose 5 working days to rate have passed, as "closed without rating".

    A second run finds them closed already; one the enterprise rated in the meantime is
    refused by the transition service under the row lock, and skipped.
    """
    now = now or timezone.now()
    closed = 0
    due = Demand.objects.filter(status=S.ANSWERED, rating_due_at__lt=now).values_list("pk", flat=True)
    for pk in list(due):
        try:
            demand_transition(demand_id=pk, action=wf.CLOSE_UNRATED, actor=None)
        except TransitionRefused:
            continue
        closed += 1
    return closed


def demands_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """On each working day, tell the handler and the park's administrators of every overdue demand.

    The notification's dedupe key carries the date, so a second run the same day sends
    nothing and the next working day sends again. Returns how many overdue demands there were.
    """
    from tenant_schema.notifications.services import notification_send

    from .notices import overdue_message
    from .selectors import demand_supervision_list, park_admin_ids

    now = now or timezone.now()
    today = now.astimezone(SHANGHAI).date()
    if not is_working_day(today):
        return 0
    admins = park_admin_ids()
    overdue = 0
    for demand in demand_supervision_list(now=now):
        overdue += 1
        recipients = set(admins)
        if demand.handler_id:
            recipients.add(demand.handler_id)
        title, body = overdue_message(demand=demand, now=now)
        notification_send(
            user_ids=recipients,
            title=title,
            body=body,
            link=f"/park/demands/{demand.pk}/",
            dedupe_key=f"demand:{demand.pk}:overdue:{today.isoformat()}",
        )
    return overdue


def demand_deadlines_recount(*, previous) -> int:
    """Recount the open demands' deadlines that `previous.year`'s schedule made, after the hub changed it.

    Each deadline keeps its length in working days from its own clock start, extensions
    included (saas.workdays.deadline_recount). Returns how many demands moved.
    """
    from saas.workdays import deadline_recount

    clocks = {
        "first_reply_due_at": "clock_started_at",
        "resolution_due_at": "clock_started_at",
        "rating_due_at": "answered_at",
    }
    moved = []
    for demand in Demand.objects.exclude(status=Demand.Status.CLOSED).only(
        "pk", *clocks, *set(clocks.values())
    ):
        changed = False
        for due_field, start_field in clocks.items():
            recounted = deadline_recount(
                start=getattr(demand, start_field), due=getattr(demand, due_field), previous=previous
            )
            if recounted is not None:
                setattr(demand, due_field, recounted)
                changed = True
        if changed:
            demand.updated_at = timezone.now()
            moved.append(demand)
    Demand.objects.bulk_update(moved, [*clocks, "updated_at"], batch_size=500)
    return len(moved)
