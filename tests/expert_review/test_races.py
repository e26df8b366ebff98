"""Real threads, committed rows: experts submitting at once, and a sheet arriving while the administrator confirms.

In a throwaway tenant dropped afterwards (history rows are append-only).
"""

import threading
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connections
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from saas.workflow import TransitionRefused
from tenant_schema.expert_review import workflow as wf
from tenant_schema.expert_review.models import Assignment, AssignmentEvent, ReviewDecision, Score
from tenant_schema.expert_review.services import assignment_move, assignments_make, review_confirm

from ..applications.conftest import make_programme
from ..conftest import make_user
from ..enterprises.conftest import register
from ..factories import verified
from .conftest import at_expert_stage, make_experts, make_sheet

SCHEMA = "reviewrace"


def _run_together(*jobs):
    barrier, outcomes = threading.Barrier(len(jobs)), {}

    def run(name, job):
        try:
            with schema_context(SCHEMA):
                barrier.wait()
                job()
                outcomes[name] = "ok"
        except (ValidationError, TransitionRefused) as error:
            outcomes[name] = type(error).__name__
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(name, job)) for name, job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _scores(sheet):
    return {c.pk: c.max_points for c in sheet.criteria.all()}


def test_experts_submitting_at_once_and_a_confirm_racing_the_last_sheet(committed_db, dropped_after):
    from public_schema.tenants.services import tenant_provision

    dropped_after.append(SCHEMA)
    tenant_provision(name="评审并发", slug=SCHEMA, kind="park", admin_email="admin@reviewrace.cn")
    with schema_context(SCHEMA):
        admin = make_user(SCHEMA, role=roles.PARK_ADMIN)
        reviewer = make_user(SCHEMA, role=roles.REVIEWER)
        programme = make_programme(budget="10000000.00", cap="200000.00", title="并发评审测试")
        sheet = make_sheet(programme, admin, threshold="50")
        make_experts(admin, 3)
        first = at_expert_stage(verified(register(SCHEMA)), programme, reviewer)
        panel = assignments_make(sheet=sheet, application=first, actor=admin)
        for assignment in panel:
            assignment_move(assignment_id=assignment.pk, action=wf.DECLARE_NONE, actor=assignment.expert.user)

    # Three experts submit at the same instant: all three sheets are kept, once each.
    outcomes = _run_together(
        *[
            (
                a.pk,
                lambda a=a: assignment_move(
                    assignment_id=a.pk, action=wf.SUBMIT, actor=a.expert.user, scores=_scores(sheet)
                ),
            )
            for a in panel
        ]
    )
    assert list(outcomes.values()) == ["ok"] * 3
    with schema_context(SCHEMA):
        assert Assignment.objects.filter(application=first, status="submitted").count() == 3
        assert Score.objects.filter(assignment__application=first).count() == 3 * 3
        assert AssignmentEvent.objects.filter(assignment__application=first, action="submit").count() == 3

    # The administrator confirms while the last expert's sheet arrives, round after round:
    # the sheet is either counted in the decision, or the confirm finds the panel unfinished.
    with schema_context(SCHEMA):
        review_confirm(sheet=sheet, actor=admin)  # the first application decided, out of the way
    seen = set()
    for _round in range(6):
        with schema_context(SCHEMA):
            application = at_expert_stage(verified(register(SCHEMA)), programme, reviewer)
            panel = assignments_make(sheet=sheet, application=application, actor=admin)
            for assignment in panel:
                assignment_move(
                    assignment_id=assignment.pk, action=wf.DECLARE_NONE, actor=assignment.expert.user
                )
            for assignment in panel[:2]:
                assignment_move(
                    assignment_id=assignment.pk,
                    action=wf.SUBMIT,
                    actor=assignment.expert.user,
                    scores=_scores(sheet),
                )
            last = panel[2]
        outcomes = _run_together(
            (
                "sheet",
                lambda last=last: assignment_move(
                    assignment_id=last.pk, action=wf.SUBMIT, actor=last.expert.user, scores=_scores(sheet)
                ),
            ),
            ("confirm", lambda: review_confirm(sheet=sheet, actor=admin)),
        )
        seen.add((outcomes["sheet"], outcomes["confirm"]))
        with schema_context(SCHEMA):
            submitted = Assignment.objects.filter(application=application, status="submitted")
            decision = ReviewDecision.objects.filter(application=application).first()
            if outcomes["confirm"] == "ok":
                # Confirmed after the sheet: it is counted; never a decision on two sheets with a third accepted.
                assert outcomes["sheet"] == "ok"
                assert decision.sheets == submitted.count() == 3
                assert decision.average == Decimal("100.00")
            else:
                assert decision is None and outcomes["sheet"] == "ok"
                assert submitted.count() == 3
                review_confirm(sheet=sheet, actor=admin)
            assert ReviewDecision.objects.filter(application=application).count() == 1
            assert AssignmentEvent.objects.filter(assignment=last, action="submit").count() == 1
    assert seen <= {("ok", "ok"), ("ok", "ValidationError")}
