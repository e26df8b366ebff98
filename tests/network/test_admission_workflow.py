"""The pool (入库) workflow: offered ⇔ accepted for every status × person × action, and its walk as people live it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.network import workflow as wf
from public_schema.network.models import AdmissionHistory, InstitutionProfile
from public_schema.network.selectors import admission_timeline, institution_profile_of
from public_schema.network.services import admission_transition
from saas.workflow import StaleAction, TransitionRefused

from ..conftest import ALPHA, INST_A, INST_B, make_user
from ..workflow.test_offered_equals_accepted import _outcome
from .conftest import pool_step, profile_complete

S = InstitutionProfile.Status


@pytest.mark.parametrize("complete", [True, False], ids=["complete profile", "incomplete profile"])
def test_the_pool_offers_exactly_what_the_service_accepts(inst_a, inst_admin_a, hub_operator, complete):
    if complete:
        profile_complete(inst_a, inst_admin_a)
    profile = institution_profile_of(tenant=inst_a)
    # Each person acts on the site they belong to: the actor rules check the schema too.
    people = {
        "institution admin": (inst_admin_a, INST_A),
        "institution staff": (make_user(INST_A, role=roles.INSTITUTION_STAFF), INST_A),
        "another institution's admin": (make_user(INST_B, role=roles.INSTITUTION_ADMIN), INST_B),
        "hub operator": (hub_operator, "public"),
        "park administrator": (make_user(ALPHA, role=roles.PARK_ADMIN), ALPHA),
    }
    disagreements, walked = [], 0
    for status in S.values:
        InstitutionProfile.objects.filter(pk=profile.pk).update(status=status)
        for who, (user, schema) in people.items():
            with schema_context(schema):
                obj = InstitutionProfile.objects.select_related("tenant").get(pk=profile.pk)
                offered = {t.action for t in wf.ADMISSION_WORKFLOW.actions_for(user, obj)}
                for action in wf.ADMISSION_WORKFLOW.transitions:
                    outcome = _outcome(
                        lambda action=action, user=user: admission_transition(
                            profile_id=profile.pk, action=action, actor=user, comment="走查理由"
                        )
                    )
                    if (action in offered) != (outcome == "accepted"):
                        verdict = (
                            "offered but " + outcome if action in offered else "not offered but accepted"
                        )
                        disagreements.append(f"{status}, {who}, {action}: {verdict}")
            walked += 1
    assert walked == len(S.values) * len(people)
    assert disagreements == []
    connection.set_schema_to_public()


def test_an_institution_applies_and_follows_its_review_to_admission(inst_a, inst_admin_a, hub_operator):
    profile_complete(inst_a, inst_admin_a)
    pool_step(inst_a, wf.SUBMIT, inst_admin_a)
    pool_step(inst_a, wf.REVIEW, hub_operator)
    timeline = admission_timeline(profile=institution_profile_of(tenant=inst_a))
    assert [(step["key"], step["state"]) for step in timeline] == [
        ("draft", "done"),
        ("submitted", "done"),
        ("reviewing", "current"),
        ("admitted", "todo"),
    ]
    profile = pool_step(inst_a, wf.ADMIT, hub_operator)
    assert profile.status == S.ADMITTED and profile.admitted_at is not None
    history = list(AdmissionHistory.objects.filter(profile=profile).order_by("created_at", "pk"))
    assert [(h.action, h.from_status, h.to_status) for h in history] == [
        ("submit", "draft", "submitted"),
        ("review", "submitted", "reviewing"),
        ("admit", "reviewing", "admitted"),
    ]
    # The institution's own steps name its person; the hub's name the operator's account.
    assert history[0].actor is None and inst_admin_a.email in history[0].actor_label
    assert history[2].actor == hub_operator


def test_a_refusal_carries_its_reason_to_the_institution_which_may_apply_again(
    inst_a, inst_admin_a, hub_operator
):
    profile_complete(inst_a, inst_admin_a)
    pool_step(inst_a, wf.SUBMIT, inst_admin_a)
    pool_step(inst_a, wf.REVIEW, hub_operator)
    with pytest.raises(ValidationError):
        pool_step(inst_a, wf.REFUSE, hub_operator)  # no reason given
    profile = pool_step(inst_a, wf.REFUSE, hub_operator, comment="缺少近三年服务案例")
    assert profile.status == S.REFUSED and profile.status_reason == "缺少近三年服务案例"
    timeline = admission_timeline(profile=profile)
    assert timeline[-1]["key"] == "refused" and timeline[-1]["note"] == "缺少近三年服务案例"
    profile = pool_step(inst_a, wf.SUBMIT, inst_admin_a)
    assert profile.status == S.SUBMITTED and profile.status_reason == ""


def test_suspension_reinstatement_and_removal(inst_a, inst_admin_a, hub_operator):
    profile_complete(inst_a, inst_admin_a)
    for action in (wf.SUBMIT, wf.REVIEW, wf.ADMIT):
        pool_step(inst_a, action, inst_admin_a if action == wf.SUBMIT else hub_operator)
    assert pool_step(inst_a, wf.SUSPEND, hub_operator, comment="服务投诉待核查").status == S.SUSPENDED
    assert pool_step(inst_a, wf.REINSTATE, hub_operator).status == S.ADMITTED
    profile = pool_step(inst_a, wf.REMOVE, hub_operator, comment="连续两年评价不合格")
    assert profile.status == S.REMOVED and profile.status_reason == "连续两年评价不合格"
    with pytest.raises(TransitionRefused):
        pool_step(inst_a, wf.SUBMIT, inst_admin_a)


def test_an_incomplete_profile_cannot_be_submitted(inst_a, inst_admin_a):
    with pytest.raises(ValidationError) as raised:
        pool_step(inst_a, wf.SUBMIT, inst_admin_a)
    assert "credit_code" in raised.value.message_dict


def test_a_repeated_action_is_stale_not_a_second_move(inst_a, inst_admin_a, hub_operator):
    profile_complete(inst_a, inst_admin_a)
    pool_step(inst_a, wf.SUBMIT, inst_admin_a)
    profile = pool_step(inst_a, wf.REVIEW, hub_operator)
    with pytest.raises(StaleAction):
        admission_transition(
            profile_id=profile.pk, action=wf.REVIEW, actor=hub_operator, expected={"status": S.SUBMITTED}
        )
