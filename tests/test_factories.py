"""The factories build what they say, through the services (a status nobody set by hand)."""

import pytest
from django_tenants.utils import schema_context

from tenant_schema.applications.models import Application, ApplicationEvent
from tenant_schema.demands.models import Demand, DemandEvent
from tenant_schema.enterprises.models import Enterprise
from tenant_schema.funding.models import Programme

from .conftest import ALPHA
from .factories import ApplicationFactory, DemandFactory, EnterpriseFactory, MemberFactory, ProgrammeFactory


@pytest.fixture
def in_alpha(tenant_a):
    with schema_context(ALPHA):
        yield


def test_an_enterprise_is_registered_pending_or_verified_by_the_park(db, in_alpha):
    pending, verified = EnterpriseFactory(), EnterpriseFactory(verified=True)
    assert pending.enterprise.status == Enterprise.Status.PENDING
    assert verified.enterprise.status == Enterprise.Status.VERIFIED
    assert pending.user.membership.enterprise == pending.enterprise
    assert pending.user.membership.role == "owner"


def test_a_programme_is_open_with_its_stages_unless_left_a_draft(db, in_alpha):
    assert ProgrammeFactory().status == Programme.Status.OPEN
    draft = ProgrammeFactory(opened=False)
    assert draft.status == Programme.Status.DRAFT and draft.stages.count() == 5


def test_an_application_is_a_draft_or_submitted_with_its_history(db, in_alpha):
    assert ApplicationFactory().status == Application.Status.DRAFT
    submitted = ApplicationFactory(submitted=True)
    assert submitted.status == Application.Status.IN_REVIEW and submitted.current_stage is not None
    assert list(ApplicationEvent.objects.filter(application=submitted).values_list("action", flat=True)) == [
        "submit"
    ]


def test_a_demand_is_filed_with_its_history(db, in_alpha):
    demand = DemandFactory()
    assert demand.status == Demand.Status.SUBMITTED
    assert list(DemandEvent.objects.filter(demand=demand).values_list("action", flat=True)) == ["file"]


def test_a_member_is_invited_into_the_owner_s_enterprise(db, in_alpha):
    registration = EnterpriseFactory()
    member = MemberFactory(registration=registration, email="colleague@example.cn")
    assert member.enterprise == registration.enterprise and member.role == "member"
    assert member.invited_by == registration.user and member.user.email == "colleague@example.cn"
