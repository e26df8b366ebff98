"""Overdue demands escalate: the handler and the park's administrators are told every working day, once."""

import email
import time
from email.header import decode_header, make_header

import pytest
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.demands.models import Demand
from tenant_schema.demands.selectors import park_admin_ids
from tenant_schema.demands.services import demands_escalate_overdue
from tenant_schema.notifications.models import Notification

from ..conftest import make_user, wait_until
from ..enterprises.conftest import register
from .conftest import act, at, file_for


def overdue_notices(demand):
    return Notification.objects.filter(dedupe_key__startswith=f"demand:{demand.pk}:overdue:")


def test_overdue_demands_escalate_once_per_working_day(clock, enterprise_x, reviewer, park_admin):
    second_admin = make_user("alpha", role=roles.PARK_ADMIN)
    clock.set(at(2026, 9, 24, 10))
    demand = act(
        file_for(enterprise_x), "accept", park_admin, handler_id=reviewer.pk
    )  # first reply due 30 Sep
    clock.set(at(2026, 9, 30, 18))
    recipients = set(park_admin_ids()) | {reviewer.pk}  # the provisioned administrator too
    assert {park_admin.pk, second_admin.pk} < recipients
    n = len(recipients)
    demands_escalate_overdue()  # half an hour overdue: told the same evening
    assert overdue_notices(demand).count() == n
    clock.set(at(2026, 10, 8, 9))
    demands_escalate_overdue()
    demands_escalate_overdue()  # the job runs twice: still one notice each
    notices = overdue_notices(demand)
    today = notices.filter(dedupe_key=f"demand:{demand.pk}:overdue:2026-10-08")
    assert set(today.values_list("user_id", flat=True)) == recipients and today.count() == n
    assert notices.count() == 2 * n
    assert today.filter(user=reviewer).get().link == f"/park/demands/{demand.pk}/"
    clock.set(at(2026, 10, 11, 9))  # Sunday: no office, no reminder
    demands_escalate_overdue()
    assert overdue_notices(demand).count() == 2 * n
    clock.set(at(2026, 10, 10, 9))  # Saturday 10 October is a make-up workday: reminded
    demands_escalate_overdue()
    assert overdue_notices(demand).count() == 3 * n
    act(demand, "reply", reviewer, comment="已联系。")  # no longer overdue
    clock.set(at(2026, 10, 12, 9))
    demands_escalate_overdue()
    assert overdue_notices(demand).count() == 3 * n


def test_a_holiday_sends_nothing(clock, enterprise_x, reviewer):
    clock.set(at(2026, 9, 24, 10))
    demand = act(file_for(enterprise_x), "accept", reviewer)
    clock.set(at(2026, 10, 2, 9))  # National Day
    demands_escalate_overdue()
    assert overdue_notices(demand).count() == 0


@pytest.mark.worker
def test_the_overdue_reminder_is_sent_once_a_working_day_by_a_real_worker_even_if_the_task_runs_twice(
    committed_db, dropped_after, celery_worker_process, mail_dir, monkeypatch
):
    """Committed rows in a throwaway tenant (history is append-only), the task run twice by a real worker."""
    from public_schema.tenants.services import tenant_provision
    from tenant_schema.demands.tasks import demands_escalate_overdue_task

    dropped_after.append("demandduty")
    tenant_provision(name="诉求督办测试", slug="demandduty", kind="park", admin_email="admin@demandduty.cn")
    with schema_context("demandduty"):
        admin = make_user("demandduty", role=roles.PARK_ADMIN, email="duty-admin@demandduty.cn")
        handler = make_user("demandduty", role=roles.REVIEWER, email="duty-handler@demandduty.cn")
        registration = register("demandduty")
        moment = at(2026, 9, 24, 10)
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
        demand = file_for(registration, title="督办测试：用电增容迟迟未批")
        act(demand, "accept", admin, handler_id=handler.pk)
        monkeypatch.undo()
        assert Demand.objects.get(pk=demand.pk).first_reply_due_at == at(2026, 9, 30, 17, 30)
        provisioned_admin_ids = set(
            admin.__class__.objects.filter(groups__name=roles.PARK_ADMIN).values_list("pk", flat=True)
        )
    recipients = provisioned_admin_ids | {handler.pk}

    def run(moment):
        result = demands_escalate_overdue_task.apply_async(
            kwargs={"now": moment.isoformat()}, headers={"_schema_name": "demandduty"}
        )
        return result.get(timeout=60)

    def all_emailed():
        with schema_context("demandduty"):
            notices = overdue_notices(demand)
            return notices.count() and not notices.filter(emailed_at__isnull=True).exists()

    assert run(at(2026, 10, 8, 9)) == 1  # one overdue demand
    assert run(at(2026, 10, 8, 15)) == 1  # the same working day again: it is still overdue ...
    wait_until(all_emailed, message="the overdue notices to be emailed")
    assert run(at(2026, 10, 9, 9)) == 1  # the next working day: told again
    assert run(at(2026, 10, 9, 9)) == 1
    wait_until(all_emailed, message="the second day's notices to be emailed")

    # ... but each person was told once a day.
    with schema_context("demandduty"):
        keys = sorted(overdue_notices(demand).values_list("dedupe_key", flat=True))
    assert keys == sorted(
        [f"demand:{demand.pk}:overdue:2026-10-08"] * len(recipients)
        + [f"demand:{demand.pk}:overdue:2026-10-09"] * len(recipients)
    )

    with schema_context("demandduty"):
        overdue_titles = set(overdue_notices(demand).values_list("title", flat=True))
    assert len(overdue_titles) == 1 and "督办测试：用电增容迟迟未批" in overdue_titles.copy().pop()

    def overdue_mails():
        """Messages the worker wrote whose subject is this demand's overdue notice."""
        found = []
        for path in mail_dir.iterdir():
            for raw in path.read_text(errors="ignore").split("-" * 79):
                if not raw.strip():
                    continue
                message = email.message_from_string(raw.strip())
                subject = str(make_header(decode_header(message.get("Subject", ""))))
                if subject in overdue_titles:
                    found.append(message["To"])
        return found

    wait_until(lambda: len(overdue_mails()) >= 2 * len(recipients), message="the mails")
    time.sleep(1)  # nothing more arrives
    mails = overdue_mails()
    assert len(mails) == 2 * len(recipients) and len(set(mails)) == len(recipients)
