"""Reminders to the reviewers holding a stage: one working day before it falls due, and daily while overdue.

The service behind tenant_schema.applications.tasks (which only carries ids and schema names to it).
Every reminder goes through `notification_send` with a dedupe key naming the
application, the stage and the date it is about, so a second run the same day creates
no row and queues no mail (and `notification_email_task` stamps what it sent, so a
redelivered email task sends nothing either).
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from saas.workdays import SHANGHAI, is_working_day
from tenant_schema.notifications.models import Notification
from tenant_schema.notifications.services import notification_send

from .models import Application

S = Application.Status


def _next_working_day(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _reviewers_by_role(roles) -> dict[str, list[int]]:
    """Active users of each role (auth group of that name) in the current schema."""
    by_role: dict[str, list[int]] = defaultdict(list)
    rows = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=set(roles))
        .values_list("groups__name", "pk")
    )
    for role, user_id in rows:
        by_role[role].append(user_id)
    return by_role


def _planned(application: Application, *, now: dt.datetime, today: dt.date) -> tuple:
    """(application, stage, due, kind, dedupe key) of the reminder this application is due."""
    stage = application.current_stage
    due = timezone.localtime(application.stage_due_at, SHANGHAI)
    if application.stage_due_at < now:
        # One a working day while it stays overdue: the key carries today's date.
        return (
            application,
            stage,
            due,
            "overdue",
            f"reminder:overdue:{application.pk}:{stage.pk}:{today.isoformat()}",
        )
    # Once per due date: a resubmission that sets a new due date is reminded of again.
    return (
        application,
        stage,
        due,
        "due_soon",
        f"reminder:due-soon:{application.pk}:{stage.pk}:{due.date().isoformat()}",
    )


def _reminder_text(application: Application, stage, due: dt.datetime, kind: str) -> tuple[str, str]:
    names = {
        "programme": application.programme.title,
        "enterprise": application.enterprise.name,
        "stage": stage.name,
        "due": due.strftime("%Y-%m-%d %H:%M"),
    }
    if kind == "overdue":
        title = _("Overdue: %(enterprise)s, %(stage)s of %(programme)s") % names
        body = _("%(stage)s of this application was due on %(due)s and has not been completed.") % names
    else:
        title = _("Due soon: %(enterprise)s, %(stage)s of %(programme)s") % names
        body = _("%(stage)s of this application is due on %(due)s.") % names
    return title, body


def application_reminders_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind reviewers of the current schema's stages due by the next working day, or overdue.

    Runs only on working days (statutory holidays off, make-up workdays on): nobody is
    reminded on a Sunday of a deadline that cannot move before Monday, and a stage due on
    Monday is announced on the Friday before. A stage held by the enterprise (returned)
    or finished has no due date and is never reminded of. Returns how many reminders it
    sent, by kind (two overlapping runs may both count one that only one of them wrote).
    """
    now = now or timezone.now()
    today = now.astimezone(SHANGHAI).date()
    sent = {"due_soon": 0, "overdue": 0}
    if not is_working_day(today):
        return sent
    # Everything due before the end of the next working day, and not yet done.
    horizon = dt.datetime.combine(
        _next_working_day(today) + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI
    )
    applications = list(
        Application.objects.filter(
            status__in=[S.IN_REVIEW, S.APPROVED],
            current_stage__isnull=False,
            stage_due_at__isnull=False,
            stage_due_at__lt=horizon,
        )
        .select_related("programme", "enterprise", "current_stage")
        .order_by("stage_due_at", "pk")
    )
    if not applications:
        return sent
    reviewers = _reviewers_by_role(application.current_stage.role for application in applications)
    planned = [_planned(application, now=now, today=today) for application in applications]
    # Who already has which reminder (one query): a second run skips them without writing, and
    # the count reports only new ones. The unique (user, dedupe_key) in notification_send is
    # what guarantees once-only when two runs overlap; this is only the fast path.
    already = set(
        Notification.objects.filter(dedupe_key__in=[plan[4] for plan in planned]).values_list(
            "dedupe_key", "user_id"
        )
    )
    with translation.override(settings.LANGUAGE_CODE):
        for application, stage, due, kind, dedupe_key in planned:
            user_ids = [
                user_id for user_id in reviewers.get(stage.role, []) if (dedupe_key, user_id) not in already
            ]
            if not user_ids:
                continue
            title, body = _reminder_text(application, stage, due, kind)
            notification_send(
                user_ids=user_ids,
                title=title,
                body=body,
                link=f"/park/applications/{application.pk}/",
                dedupe_key=dedupe_key,
            )
            # notification_send's own count is always 0: bulk_create(ignore_conflicts=True) sets no pks.
            sent[kind] += len(user_ids)
    return sent


def reminder_schemas() -> list[str]:
    """Schemas whose reviewers are reminded: live tenants that are not suspended."""
    from public_schema.tenants.models import Tenant

    return list(
        Tenant.objects.live()
        .filter(status=Tenant.Status.ACTIVE)
        .order_by("pk")
        .values_list("schema_name", flat=True)
    )
