"""Reports due soon and overdue remind the enterprise, on working days, once per day and cause."""

import datetime as dt

from saas.workdays import SHANGHAI
from tenant_schema.awards.models import Report
from tenant_schema.awards.reminders import report_reminders_send
from tenant_schema.awards.tasks import report_reminders_send_task
from tenant_schema.notifications.models import Notification

MONDAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)
SUNDAY = dt.datetime(2026, 12, 6, 10, 0, tzinfo=SHANGHAI)


def test_overdue_and_due_soon_reports_remind_the_enterprise_once_a_day(award, enterprise_x):
    Report.objects.filter(award=award, kind="midterm").update(due_on=dt.date(2026, 12, 1))
    Report.objects.filter(award=award, kind="final").update(due_on=dt.date(2026, 12, 9))
    assert report_reminders_send(now=SUNDAY) == {"due_soon": 0, "overdue": 0}
    assert report_reminders_send(now=MONDAY) == {"due_soon": 1, "overdue": 1}
    assert report_reminders_send_task.run(now=MONDAY.isoformat()) == {"due_soon": 0, "overdue": 0}
    overdue = Notification.objects.get(user=enterprise_x.user, dedupe_key__startswith="awards:report-overdue")
    assert overdue.link == f"/awards/{award.pk}/"
    # The next working day it is overdue still: reminded again.
    assert report_reminders_send(now=MONDAY + dt.timedelta(days=1))["overdue"] == 1
