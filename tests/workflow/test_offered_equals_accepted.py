"""Offered ⇔ accepted: what pages and the API offer is exactly what the service accepts.

For every workflow, every state × stage kind (or holder) × role × action: the object is
put in that state in the database, `workflow.actions_for(user, obj)` is asked what it
offers, and the service is asked to apply each action with well-formed input inside a
savepoint that is rolled back afterwards. An offered action must be applied; an action
not offered must be refused (TransitionRefused, or the ValidationError of a precondition).
Unreachable combinations are walked too: the guard is the same function there.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from saas.workflow import WORKFLOWS, TransitionRefused
from tenant_schema.applications import workflow as application_wf
from tenant_schema.applications.models import Application
from tenant_schema.applications.services import application_transition
from tenant_schema.demands import workflow as demand_wf
from tenant_schema.demands.models import Demand
from tenant_schema.demands.services import demand_file, demand_transition
from tenant_schema.funding.services import programme_create, programme_open
from tenant_schema.programme_forms.demo import demo_guide

from ..applications.conftest import draft_for, make_programme, verified
from ..conftest import ALPHA, make_user
from ..enterprises.conftest import register

# A new workflow gets its walk (here or in test_billing_and_verification_walks.py), and its name added.
WALKED = {
    "application",
    "demand",
    "subscription",
    "payment",
    "voucher",
    "verification",
    "admission",
    "tenant_status",
}
# After an award (tenant_schema/awards): tests/workflow/test_awards_walks.py.
WALKED |= {"tranche", "award_report", "award", "recovery"}
# Expert review walks its own in test_expert_review_walk.py.
WALKED |= {"expert_assignment"}
# Network orders walk theirs in tests/network_orders/test_walks.py.
WALKED |= {"network_order", "network_order_payment"}
# Network demands walk theirs in tests/network_demands/test_walks.py.
WALKED |= {"network_demand", "network_demand_extension"}
# TO DO: network vouchers and claims have transition tests (tests/voucher_schemes/test_services.py)
# but no offered ⇔ accepted walk yet; listed so the registry check passes until it is written.
WALKED |= {"network_voucher", "voucher_claim"}


class _Undo(Exception):
    """Raised inside the savepoint after an accepted action, to roll it back."""


def _outcome(apply) -> str:
    try:
        with transaction.atomic():
            apply()
            raise _Undo
    except _Undo:
        return "accepted"
    except (TransitionRefused, PermissionDenied):  # a 409, or a service's early 403 naming who may
        return "refused"
    except ValidationError as error:
        return f"invalid: {error.messages}"


def _walk(workflow, state: str, obj, people: dict, apply) -> list[str]:
    """The disagreements for one object in one state: [] when offered ⇔ accepted for everyone."""
    disagreements = []
    for who, user in people.items():
        offered = {t.action for t in workflow.actions_for(user, obj)}
        for action in workflow.transitions:
            outcome = _outcome(lambda action=action, user=user: apply(action, user))
            if (action in offered) != (outcome == "accepted"):
                verdict = "offered but " + outcome if action in offered else "not offered but accepted"
                disagreements.append(f"{workflow.name} {state}, {who}, {action}: {verdict}")
    return disagreements


@pytest.fixture
def in_alpha(db, tenant_a):
    with schema_context(ALPHA):
        yield


def test_every_workflow_has_its_walk(db):
    autodiscover_modules("workflow")
    assert set(WORKFLOWS) <= WALKED, (
        f"Workflows without an offered ⇔ accepted walk: {sorted(set(WORKFLOWS) - WALKED)}"
    )


# ---------------------------------------------------------------------------
# Applications: every status × every stage of three programme shapes (and past the last)
# ---------------------------------------------------------------------------

SHAPES = {
    "full": None,  # the five default stages: 受理, 初审 (reviewer), 专家评审, 公示, 拨付 (administrator)
    "notice_last": [
        {"name": "初审", "public_name": "初审", "kind": "review", "role": "reviewer", "time_limit_days": 5},
        {"name": "评审", "public_name": "评审", "kind": "review", "role": "park_admin", "time_limit_days": 5},
        {"name": "公示", "public_name": "公示", "kind": "notice", "role": "park_admin", "time_limit_days": 5},
    ],
    "review_only": [
        {"name": "审核", "public_name": "审核", "kind": "review", "role": "park_admin", "time_limit_days": 5},
    ],
}


def _programme(shape: str, stages):
    if stages is None:
        return make_programme(title=f"走查项目 {shape}")
    now = timezone.now()
    return programme_open(
        programme=programme_create(
            actor=None,
            guide=demo_guide(),
            title=f"走查项目 {shape}",
            category="subsidy",
            budget=Decimal("1000000"),
            per_enterprise_cap=None,
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=30),
            stages=stages,
        )
    )


def test_applications_offer_exactly_what_the_service_accepts(in_alpha):
    owner = verified(register(ALPHA, name="青岛走查机械有限公司"))
    people = {
        "owner": owner.user,
        "other enterprise": register(ALPHA).user,
        "reviewer": make_user(ALPHA, role=roles.REVIEWER),
        "park administrator": make_user(ALPHA, role=roles.PARK_ADMIN),
    }
    inputs = {"comment": "走查意见", "amount": None}
    disagreements, walked = [], 0
    for shape, stages in SHAPES.items():
        programme = _programme(shape, stages)
        application = draft_for(owner, programme)
        for stage in [*programme.stages.all(), None]:
            for status in Application.Status.values:
                Application.objects.filter(pk=application.pk).update(
                    status=status,
                    current_stage=stage,
                    approved_amount=Decimal("50000.00"),
                )
                obj = Application.objects.select_related("programme", "current_stage").get(pk=application.pk)
                where = (
                    f"{status} at {shape}:{stage.name + '/' + stage.kind if stage else 'past the last stage'}"
                )

                def apply(action, user, pk=application.pk):
                    amount = "1000.00" if action == application_wf.APPROVE else inputs["amount"]
                    application_transition(
                        application_id=pk,
                        action=action,
                        actor=user,
                        comment=inputs["comment"],
                        amount=amount,
                    )

                disagreements += _walk(application_wf.APPLICATION_WORKFLOW, where, obj, people, apply)
                walked += 1
    assert walked == 7 * (6 + 4 + 2)
    assert disagreements == []


# ---------------------------------------------------------------------------
# Demands: every status × who holds it × extended or not
# ---------------------------------------------------------------------------


def test_demands_offer_exactly_what_the_service_accepts(in_alpha):
    owner = register(ALPHA, name="青岛走查食品有限公司")
    reviewer, other_reviewer = make_user(ALPHA, role=roles.REVIEWER), make_user(ALPHA, role=roles.REVIEWER)
    people = {
        "owner": owner.user,
        "other enterprise": register(ALPHA).user,
        "reviewer": reviewer,
        "other reviewer": other_reviewer,
        "park administrator": make_user(ALPHA, role=roles.PARK_ADMIN),
        "system": None,
    }
    demand = demand_file(
        enterprise=owner.enterprise,
        filer=owner.user,
        category="utilities",
        title="走查诉求",
        description="走查。",
    )
    now = timezone.now()
    disagreements, walked = [], 0
    for status in Demand.Status.values:
        for holder in (None, reviewer, other_reviewer):
            for extended in (False, True):
                Demand.objects.filter(pk=demand.pk).update(
                    status=status,
                    handler=holder,
                    department="",
                    extended_at=now if extended else None,
                    accepted_at=now,
                    clock_started_at=now,
                    first_reply_due_at=now + dt.timedelta(days=3),
                    resolution_due_at=now + dt.timedelta(days=7),
                    answered_at=now,
                    rating_due_at=now + dt.timedelta(days=7),
                )
                obj = Demand.objects.get(pk=demand.pk)
                where = f"{status}, held by {getattr(holder, 'email', 'nobody')}, {'extended' if extended else 'never extended'}"

                def apply(action, user):
                    demand_transition(
                        demand_id=demand.pk,
                        action=action,
                        actor=user,
                        comment="走查意见",
                        department="走查科" if action == demand_wf.ASSIGN else None,
                        rating="satisfied",
                        extension_days=1,
                    )

                disagreements += _walk(demand_wf.DEMAND_WORKFLOW, where, obj, people, apply)
                walked += 1
    assert walked == 6 * 3 * 2
    assert disagreements == []


# ---------------------------------------------------------------------------
# The two disagreements the old copies had, as the park administrator sees them
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "steps"),
    [
        ("notice_last", ["advance", "approve"]),  # on public notice, the programme's last stage
        ("review_only", ["approve"]),  # past the last stage: no notice, no disbursement stage
    ],
)
def test_the_pages_and_the_api_offer_disbursement_where_the_service_accepts_it(
    in_alpha, client_a, shape, steps
):
    owner = verified(register(ALPHA))
    reviewer, admin = make_user(ALPHA, role=roles.REVIEWER), make_user(ALPHA, role=roles.PARK_ADMIN)
    application = draft_for(owner, _programme(shape, SHAPES[shape]))
    application_transition(application_id=application.pk, action="submit", actor=owner.user)
    for step in steps:
        actor = reviewer if step == "advance" else admin
        application_transition(application_id=application.pk, action=step, actor=actor, amount="1000.00")
    client_a.force_login(admin)
    page = client_a.get(f"/park/applications/{application.pk}/")
    assert [t.action for t, _form in page.context["action_forms"]] == ["disburse"]
    api = client_a.get(f"/api/applications/{application.pk}/").json()
    assert [a["action"] for a in api["actions"]] == ["disburse"]
    paid = client_a.post(
        f"/park/applications/{application.pk}/act/disburse/",
        {"amount": "1000.00", "disbursed_on": "2026-05-08"},
    )
    assert paid.status_code == 302
    assert Application.objects.get(pk=application.pk).status == Application.Status.DISBURSED
