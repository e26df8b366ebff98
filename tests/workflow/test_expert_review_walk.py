"""Offered ⇔ accepted for the expert's case (tenant_schema.expert_review.workflow).

Every status × whether the review still runs (at the stage, undecided / decided / moved on) ×
person × action, through the one service the pages and the API call, assignment_move.
"""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.applications.models import Application
from tenant_schema.expert_review import workflow as wf
from tenant_schema.expert_review.models import Assignment, ReviewDecision
from tenant_schema.expert_review.services import assignment_move, assignments_make

from ..applications.conftest import make_programme
from ..conftest import ALPHA, make_user
from ..enterprises.conftest import register
from ..expert_review.conftest import at_expert_stage, make_experts, make_sheet
from ..factories import verified
from .test_offered_equals_accepted import _walk


@pytest.fixture
def in_alpha(db, tenant_a):
    with schema_context(ALPHA):
        yield


def test_expert_cases_offer_exactly_what_the_service_accepts(in_alpha):
    admin, reviewer = make_user(ALPHA, role=roles.PARK_ADMIN), make_user(ALPHA, role=roles.REVIEWER)
    programme = make_programme(title="走查专家评审")
    sheet = make_sheet(programme, admin, experts_per_application=2)
    make_experts(admin, 3)
    owner = verified(register(ALPHA, name="青岛走查评审有限公司"))
    application = at_expert_stage(owner, programme, reviewer)
    mine, theirs = assignments_make(sheet=sheet, application=application, actor=admin)
    people = {
        "the expert": mine.expert.user,
        "another expert": theirs.expert.user,
        "park administrator": admin,
        "reviewer": reviewer,
        "the enterprise": owner.user,
        "system": None,
    }
    scores = {c.pk: c.max_points for c in sheet.criteria.all()}
    notice = programme.stages.get(name="公示")
    disagreements, walked = [], 0
    for situation in ("running", "decided", "moved on"):
        if situation == "decided":
            ReviewDecision.objects.create(
                sheet=sheet,
                application=application,
                outcome="passed",
                average=Decimal("90"),
                spread=0,
                sheets=1,
            )
        if situation == "moved on":
            Application.objects.filter(pk=application.pk).update(status="approved", current_stage=notice)
        for status in Assignment.Status.values:
            Assignment.objects.filter(pk=mine.pk).update(status=status)
            obj = Assignment.objects.select_related("expert", "sheet", "application").get(pk=mine.pk)

            def apply(action, user):
                assignment_move(
                    assignment_id=mine.pk, action=action, actor=user, comment="走查：亲属任职", scores=scores
                )

            disagreements += _walk(wf.ASSIGNMENT_WORKFLOW, f"{status}, {situation}", obj, people, apply)
            walked += 1
    assert walked == 4 * 3
    assert disagreements == []
