"""An award of park A at its disbursement stage (after 公示), planned in tranches by the services."""

import datetime as dt

import pytest
from django.utils import timezone

from tenant_schema.awards.services import award_plan

from ..applications.conftest import (  # noqa: F401  (fixtures re-exported)
    act,
    draft_for,
    enterprise_x,
    in_alpha,
    make_programme,
    park_admin,
    private_media,
    programme,
    reviewer,
)


def approved_at_disbursement(owner, programme, reviewer, admin, amount="100000.00"):  # noqa: F811
    """submit → 初审 → 专家评审 → approve (公示) → 拨付, through the application workflow."""
    application = draft_for(owner, programme, amount=amount)
    act(application, "submit", owner.user)
    act(application, "advance", reviewer)
    act(application, "advance", reviewer)
    act(application, "approve", admin, amount=amount)
    return act(application, "advance", admin)


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def three_tranches(amount=(30000, 50000, 20000)):
    signing, milestone, acceptance = amount
    return [
        {"amount": str(signing), "condition": "signing", "due_on": days(5)},
        {
            "amount": str(milestone),
            "condition": "milestone",
            "milestone": "设备安装调试完成",
            "due_on": days(90),
        },
        {"amount": str(acceptance), "condition": "acceptance", "due_on": days(200)},
    ]


@pytest.fixture
def award(db, in_alpha, enterprise_x, programme, reviewer, park_admin):  # noqa: F811
    application = approved_at_disbursement(enterprise_x, programme, reviewer, park_admin)
    return award_plan(
        application_id=application.pk,
        actor=park_admin,
        tranches=three_tranches(),
        reports=[{"kind": "midterm", "due_on": days(60)}, {"kind": "final", "due_on": days(180)}],
    )
