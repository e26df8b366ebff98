"""Reminders to enterprises of the reports their awards owe: a few working days before the due
date, and every working day once it has passed (the next tranche is held meanwhile).

Behind tenant_schema.awards.tasks. Every reminder goes through `notification_send` with a
dedupe key naming the report and the day it is about, so a second run the same day writes
nothing; runs only on working days (saas.workdays).
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from saas.workdays import SHANGHAI, is_working_day
from tenant_schema.enterprises.models import Membership
from tenant_schema.notifications.services import notification_send

from .models import REPORT_OWED, Award, Report

# "Due soon": within this many working days.
DUE_SOON_WORKING_DAYS = 3


def _working_days_ahead(day: dt.date, n: int) -> dt.date:
    while n:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def report_reminders_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind the enterprises of this schema of their reports due soon or overdue; returns how many (by kind)."""
    now = now or timezone.now()
    today = now.astimezone(SHANGHAI).date()
    sent = {"due_soon": 0, "overdue": 0}
    if not is_working_day(today):
        return sent
    horizon = _working_days_ahead(today, DUE_SOON_WORKING_DAYS)
    reports = (
        Report.objects.filter(
            status__in=REPORT_OWED,
            due_on__lte=horizon,
            award__status__in=[Award.Status.ACTIVE, Award.Status.IN_ACCEPTANCE],
        )
        .select_related("award__application__programme")
        .order_by("due_on", "pk")
    )
    with translation.override(settings.LANGUAGE_CODE):
        for report in reports:
            application = report.award.application
            user_ids = list(
                Membership.objects.filter(enterprise_id=application.enterprise_id).values_list(
                    "user_id", flat=True
                )
            )
            names = {
                "report": report.get_kind_display(),
                "programme": application.programme.title,
                "due": report.due_on.isoformat(),
            }
            if report.due_on < today:
                kind, key = "overdue", f"awards:report-overdue:{report.pk}:{today.isoformat()}"
                title = _("Overdue: the %(report)s of %(programme)s was due on %(due)s") % names
                body = _("Send it now: the next tranche of the award is held until the report arrives.")
            else:
                kind, key = "due_soon", f"awards:report-due:{report.pk}:{report.due_on.isoformat()}"
                title = _("Due on %(due)s: the %(report)s of %(programme)s") % names
                body = _("An overdue report holds the next tranche of the award.")
            sent[kind] += (
                notification_send(
                    user_ids=user_ids,
                    title=title,
                    body=body,
                    link=f"/awards/{report.award_id}/",
                    dedupe_key=key,
                )
                or 0
            )
    return sent
