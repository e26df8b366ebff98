"""Reviewers are reminded one working day before a stage falls due and daily while it is overdue;
the enterprise hears of every transition. Reminders are safe to run twice."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.applications.models import ApplicationEvent
from tenant_schema.applications.reminders import application_reminders_send
from tenant_schema.applications.tasks import reminders_send_all_task, reminders_send_task
from tenant_schema.notifications.models import Notification
from tenant_schema.notifications.services import notification_send
from tenant_schema.notifications.tasks import notification_email_task

from ..conftest import ALPHA, make_user, wait_until
from ..enterprises.conftest import register
from ..factories import ApplicationFactory
from .conftest import act, draft_for, make_programme

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def clock(monkeypatch):
    """The time the services see (history rows and due dates are stamped with it)."""
    state = {"now": at(2026, 10, 9, 9, 0)}
    monkeypatch.setattr("django.utils.timezone.now", lambda: state["now"])
    return state


def reminders_for(user, kind: str | None = None):
    keys = Notification.objects.filter(user=user, dedupe_key__startswith="reminder:")
    if kind:
        keys = keys.filter(dedupe_key__startswith=f"reminder:{kind}:")
    return list(keys.order_by("pk").values_list("dedupe_key", flat=True))


# ---------------------------------------------------------------------------
# In-process (rolled back): which stages are reminded, when and to whom.
# ---------------------------------------------------------------------------


@pytest.fixture
def submitted_on_friday(clock, in_alpha, enterprise_x):
    """Submitted Friday 9 October 2026: 受理 (3 working days) runs over make-up Saturday 10 October,
    Monday 12 and Tuesday 13, so it falls due on Tuesday 13 October at 17:30."""
    programme = make_programme(title="提醒测试项目")
    application = ApplicationFactory(registration=enterprise_x, programme=programme, submitted=True)
    application.refresh_from_db()
    assert application.stage_due_at == at(2026, 10, 13, 17, 30)
    return application


def test_the_due_soon_reminder_comes_one_working_day_before(submitted_on_friday, reviewer, park_admin, clock):
    application = submitted_on_friday
    stage = application.current_stage
    application_reminders_send(now=at(2026, 10, 12, 8, 20))  # Monday: due tomorrow
    assert reminders_for(reviewer) == [f"reminder:due-soon:{application.pk}:{stage.pk}:2026-10-13"]
    assert reminders_for(park_admin) == []  # 受理 is the reviewers' stage
    assert (
        reminders_for(application.applicant) == []
    )  # the enterprise is not reminded of the park's deadlines
    notification = Notification.objects.get(user=reviewer, dedupe_key__startswith="reminder:")
    assert (
        "青岛星海机械有限公司" in notification.title
        and notification.link == f"/park/applications/{application.pk}/"
    )


def test_no_reminder_for_a_stage_not_yet_due(submitted_on_friday, reviewer):
    # Friday itself, and make-up Saturday 10 October (a working day: Monday is next, due is Tuesday).
    for now in (at(2026, 10, 9, 10, 0), at(2026, 10, 10, 9, 0), at(2026, 10, 11, 9, 0)):
        assert application_reminders_send(now=now) == {"due_soon": 0, "overdue": 0}
    assert reminders_for(reviewer) == []


def test_running_twice_or_again_on_the_due_day_reminds_once(submitted_on_friday, reviewer):
    assert application_reminders_send(now=at(2026, 10, 12, 9, 20))["due_soon"] == 1
    assert application_reminders_send(now=at(2026, 10, 12, 9, 20))["due_soon"] == 0
    assert application_reminders_send(now=at(2026, 10, 13, 9, 20))["due_soon"] == 0  # same due date
    assert len(reminders_for(reviewer, "due-soon")) == 1


def test_overdue_is_reminded_daily_on_working_days_only(submitted_on_friday, reviewer):
    application = submitted_on_friday
    stage = application.current_stage
    for now in (
        at(2026, 10, 13, 17, 50),  # Tuesday, after 17:30
        at(2026, 10, 14, 8, 20),  # Wednesday
        at(2026, 10, 14, 15, 20),  # Wednesday again: nothing new
        at(2026, 10, 17, 8, 20),  # Saturday: no reminders
        at(2026, 10, 18, 8, 20),  # Sunday
        at(2026, 10, 19, 8, 20),  # Monday
    ):
        application_reminders_send(now=now)
    assert reminders_for(reviewer, "overdue") == [
        f"reminder:overdue:{application.pk}:{stage.pk}:{day}"
        for day in ("2026-10-13", "2026-10-14", "2026-10-19")
    ]


def test_a_due_date_after_a_weekend_is_announced_on_the_friday(clock, in_alpha, enterprise_x, reviewer):
    clock["now"] = at(2026, 10, 14, 9, 0)  # Wednesday: 受理 runs Thursday, Friday, Monday 19 October
    application = draft_for(enterprise_x, make_programme(title="跨周末项目"))
    application = act(application, "submit", enterprise_x.user)
    assert application_reminders_send(now=at(2026, 10, 15, 9, 0))["due_soon"] == 0  # Thursday
    assert application_reminders_send(now=at(2026, 10, 16, 9, 0))["due_soon"] == 1  # Friday
    assert reminders_for(reviewer) == [
        f"reminder:due-soon:{application.pk}:{application.current_stage_id}:2026-10-19"
    ]


def test_returned_and_finished_applications_are_not_reminded(submitted_on_friday, reviewer, clock):
    application = submitted_on_friday
    clock["now"] = at(2026, 10, 12, 9, 0)
    act(application, "return", reviewer, comment="请补充审计报告")  # the enterprise holds it now: no clock
    assert application_reminders_send(now=at(2026, 10, 20, 9, 0)) == {"due_soon": 0, "overdue": 0}
    assert reminders_for(reviewer) == []


def test_the_enterprise_is_told_of_every_transition(submitted_on_friday, reviewer, clock):
    application = submitted_on_friday
    owner = application.applicant
    clock["now"] = at(2026, 10, 12, 9, 0)
    act(application, "advance", reviewer)
    act(application, "return", reviewer, comment="请补充营业执照副本")
    act(application, "submit", owner)
    act(application, "advance", reviewer)
    # Every step of the park's; the owner's own submissions are no news to the owner (issue 20).
    events = list(
        ApplicationEvent.objects.filter(application=application).exclude(actor=owner).order_by("pk")
    )
    notifications = list(Notification.objects.filter(user=owner).order_by("pk"))
    assert [n.dedupe_key for n in notifications] == [
        f"application:{application.pk}:event:{e.pk}" for e in events
    ]
    assert len(notifications) == 3
    assert all(n.link == f"/applications/{application.pk}/" for n in notifications)
    assert "请补充营业执照副本" in notifications[1].body
    assert not Notification.objects.filter(user=reviewer).exists()


# ---------------------------------------------------------------------------
# A real worker: committed rows in a throwaway tenant, mail written to files.
# ---------------------------------------------------------------------------

SLUG = "remindrun"


def mails_to(mail_dir, address: str) -> int:
    return sum(path.read_text(errors="replace").count(f"To: {address}") for path in mail_dir.iterdir())


def test_a_real_worker_sends_the_overdue_reminder_once_when_the_task_runs_twice(
    committed_db, dropped_after, celery_worker_process, mail_dir, monkeypatch
):
    from public_schema.tenants.services import tenant_provision

    dropped_after.append(SLUG)
    tenant_provision(name="提醒测试园区", slug=SLUG, kind="park", admin_email=f"admin@{SLUG}.cn")
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(2026, 10, 9, 9, 0))
    with schema_context(SLUG):
        reviewers = [make_user(SLUG, role=roles.REVIEWER) for _ in range(2)]
        park_admin = make_user(SLUG, role=roles.PARK_ADMIN)
        registration = register(SLUG, name="胶州提醒测试有限公司")
        application = draft_for(registration, make_programme(title="逾期提醒测试"))
        application = act(application, "submit", registration.user)  # 受理 due Tuesday 13 October 17:30
    monkeypatch.undo()

    wednesday = at(2026, 10, 14, 8, 20).isoformat()
    key = f"reminder:overdue:{application.pk}:{application.current_stage_id}:2026-10-14"
    # Beat's fan-out, twice (it queues the task of every live tenant).
    reminders_send_all_task.apply_async(kwargs={"now": wednesday})
    reminders_send_all_task.apply_async(kwargs={"now": wednesday})
    with schema_context(SLUG):

        def all_emailed():
            rows = Notification.objects.filter(dedupe_key=key)
            return rows.count() == 2 and not rows.filter(emailed_at__isnull=True).exists()

        wait_until(all_emailed, timeout=60, message="both reviewers' reminders emailed")
        # This tenant's task a third time, then a sentinel mail behind it: the worker takes one
        # message at a time in order, so once the sentinel is mailed every run before it is done.
        reminders_send_task.apply_async(kwargs={"now": wednesday}, headers={"_schema_name": SLUG})
        sentinel = make_user(SLUG)
        notification_send(user_ids=[sentinel.pk], title="sentinel", dedupe_key="sentinel")
        wait_until(
            lambda: Notification.objects.filter(user=sentinel, emailed_at__isnull=False).exists(),
            timeout=60,
            message="the sentinel mail",
        )
        rows = Notification.objects.filter(dedupe_key__startswith="reminder:")
        assert sorted(rows.values_list("user_id", flat=True)) == sorted(r.pk for r in reviewers)
        assert set(rows.values_list("dedupe_key", flat=True)) == {key}
        # A redelivered email task sends nothing: the rows are stamped.
        assert notification_email_task(notification_ids=list(rows.values_list("pk", flat=True))) == 0
    for reviewer in reviewers:
        assert mails_to(mail_dir, reviewer.email) == 1
    assert mails_to(mail_dir, park_admin.email) == 0
    # The enterprise was told of its submission by email too (it may also have had other mail).
    assert mails_to(mail_dir, registration.user.email) >= 1


def test_the_fan_out_skips_suspended_tenants(committed_db, dropped_after):
    from public_schema.tenants.models import Tenant
    from public_schema.tenants.services import tenant_provision
    from tenant_schema.applications.reminders import reminder_schemas

    dropped_after.append("remindoff")
    tenant_provision(name="停用园区", slug="remindoff", kind="park", admin_email="admin@remindoff.cn")
    assert "remindoff" in reminder_schemas() and ALPHA in reminder_schemas()
    Tenant.objects.filter(schema_name="remindoff").update(status=Tenant.Status.SUSPENDED)
    assert "remindoff" not in reminder_schemas()
    assert "public" not in reminder_schemas()
