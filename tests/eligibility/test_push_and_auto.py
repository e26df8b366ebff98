"""Push reaches exactly the qualifying enterprises once; 免申即享 makes exactly one application each."""

import pytest
from django.core.exceptions import ValidationError

from tenant_schema.applications.models import Application
from tenant_schema.eligibility.models import AutoApplication, PushDelivery, PushRun
from tenant_schema.eligibility.services import (
    SYSTEM_ACTOR_EMAIL,
    auto_application_decline,
    auto_applications_create,
    programme_rules_set,
    push_run_execute,
    push_start,
)
from tenant_schema.enterprises.models import Membership
from tenant_schema.notifications.models import Notification

from .conftest import RD_RULES, make_programme, profiled


def _push_notices(programme):
    return Notification.objects.filter(dedupe_key=f"programme:{programme.pk}:push")


def test_push_reaches_exactly_the_qualifying_enterprises_once_even_when_retried(park):
    programme = make_programme(title="研发投入奖励")
    programme_rules_set(programme=programme, rules=RD_RULES)
    run = push_start(programme=programme, actor=None)

    push_run_execute(run_id=run.pk, batch_size=1)
    PushRun.objects.filter(pk=run.pk).update(
        status=PushRun.Status.RUNNING
    )  # as if the worker died before the end
    push_run_execute(run_id=run.pk, batch_size=1)  # the retried task
    second = push_run_execute(run_id=push_start(programme=programme, actor=None).pk)  # the park presses again

    qualifying = park["qualifies"].enterprise
    assert list(PushDelivery.objects.filter(programme=programme).values_list("enterprise_id", flat=True)) == [
        qualifying.pk
    ]
    assert list(_push_notices(programme).values_list("user_id", flat=True)) == [park["qualifies"].user.pk]
    run.refresh_from_db()
    assert (run.status, run.sent, run.total, run.percent) == ("done", 1, 1, 100)
    assert (second.sent, second.total) == (0, 0)


def test_push_reaches_a_newly_qualifying_enterprise_on_the_next_push_only(park):
    programme = make_programme()
    programme_rules_set(programme=programme, rules=RD_RULES)
    push_run_execute(run_id=push_start(programme=programme, actor=None).pk)
    late = profiled(
        "青岛后来居上有限公司", above_designated_size=True, figures={2025: {"revenue": 100, "rd_spend": 5}}
    )
    run = push_run_execute(run_id=push_start(programme=programme, actor=None).pk)
    assert run.sent == 1
    assert set(_push_notices(programme).values_list("user_id", flat=True)) == {
        park["qualifies"].user.pk,
        late.user.pk,
    }


def test_only_an_open_programme_is_pushed(db, in_alpha):
    from tenant_schema.funding.services import programme_close

    programme = programme_close(programme=make_programme())
    with pytest.raises(ValidationError):
        push_start(programme=programme, actor=None)


@pytest.fixture
def auto_programme(park):
    programme = make_programme(title="规上研发企业免申即享奖励", cap="50000.00")
    programme_rules_set(programme=programme, rules=RD_RULES, no_application_needed=True)
    return programme


def test_no_application_needed_creates_one_application_per_qualifying_enterprise_past_intake(
    park, auto_programme
):
    assert auto_applications_create(programme_id=auto_programme.pk) == 1
    assert auto_applications_create(programme_id=auto_programme.pk) == 0  # a second run

    (application,) = Application.objects.filter(programme=auto_programme)
    assert application.enterprise == park["qualifies"].enterprise
    assert application.status == Application.Status.IN_REVIEW
    assert application.current_stage.name == "初审"
    assert str(application.requested_amount) == "50000.00"
    events = list(application.events.order_by("pk"))
    assert [(e.action, e.actor.email) for e in events] == [
        ("submit", park["qualifies"].user.email),
        ("advance", SYSTEM_ACTOR_EMAIL),
    ]
    assert (
        Notification.objects.filter(
            user=park["qualifies"].user, dedupe_key__startswith="auto-application:"
        ).count()
        == 1
    )
    assert AutoApplication.objects.filter(programme=auto_programme).count() == 1


def test_an_enterprise_declines_and_is_not_asked_again(park, auto_programme):
    auto_applications_create(programme_id=auto_programme.pk)
    auto = AutoApplication.objects.get(programme=auto_programme)
    auto_application_decline(auto_application=auto, actor=park["qualifies"].user)
    auto.refresh_from_db()
    assert auto.status == AutoApplication.Status.DECLINED
    assert auto.application.status == Application.Status.WITHDRAWN
    assert auto_applications_create(programme_id=auto_programme.pk) == 0
    assert Application.objects.filter(programme=auto_programme).count() == 1


def test_an_enterprise_that_already_applied_gets_no_second_application(park, auto_programme):
    from ..applications.conftest import draft_for

    draft_for(park["qualifies"], auto_programme, amount="10000.00")
    assert auto_applications_create(programme_id=auto_programme.pk) == 0
    auto = AutoApplication.objects.get(programme=auto_programme)
    assert auto.status == AutoApplication.Status.SKIPPED and auto.reason  # the service's own message
    assert Application.objects.filter(programme=auto_programme).count() == 1


def test_the_system_account_cannot_sign_in(park, auto_programme):
    auto_applications_create(programme_id=auto_programme.pk)
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.get(email=SYSTEM_ACTOR_EMAIL).has_usable_password()
    assert not Membership.objects.filter(user__email=SYSTEM_ACTOR_EMAIL).exists()
