"""Pages after an award: the enterprise's awards (paid, next, reports, recovery), one award's page for
everyone who may see it (its actions offered by the workflows), and the park's list and plan form.

Every award is fetched through `award_get_for_user` (another's is a 404); every step goes
through a service, and a refused one shows the page again with the reason (409 / 400).
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from saas.attachments import ACCEPT, attachment_response
from saas.workflow import TransitionRefused
from tenant_schema.enterprises.selectors import enterprise_of_user, user_is_park_staff

from . import workflow as wf
from .models import Recovery, Report, ReportAttachment, Tranche
from .selectors import (
    approved_without_plan,
    award_get_for_user,
    award_list_for_user,
    award_summary,
    programme_money,
    user_is_park_admin,
)
from .services import (
    award_acceptance_reviewers_set,
    award_plan,
    award_transition,
    recovery_open,
    recovery_transition,
    report_attachment_add,
    report_review,
    report_submit,
    tranche_pay,
)


def _staff_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not user_is_park_staff(request.user):
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


@login_required
def award_list(request):
    """An enterprise's awards; acceptance reviewers' awards to review. Staff go to the park's list."""
    if user_is_park_staff(request.user):
        return redirect("awards:park_list")
    awards = award_list_for_user(user=request.user)
    if enterprise_of_user(user=request.user) is None and not awards.exists():
        raise Http404("No such page")
    rows = [(award, award_summary(award=award)) for award in awards]
    return render(request, "awards/award_list.html", {"rows": rows})


def _history(award):
    entries = [(e.created_at, str(_("Award")), e) for e in award.history.all()]
    for tranche in award.tranches.all():
        entries += [
            (e.created_at, _("Tranche %(n)s") % {"n": tranche.position}, e) for e in tranche.history.all()
        ]
    for report in award.reports.all():
        entries += [(e.created_at, report.get_kind_display(), e) for e in report.history.all()]
    for recovery in award.recoveries.all():
        entries += [(e.created_at, str(_("Recovery")), e) for e in recovery.history.all()]
    return [
        {"subject": subject, "entry": entry}
        for _at, subject, entry in sorted(entries, key=lambda x: (x[0], x[2].pk))
    ]


def _page(request, award, *, status=200, error=""):
    user = request.user
    staff = user_is_park_staff(user)
    tranches = [
        {
            "tranche": t,
            "offered": [a.action for a in wf.TRANCHE_WORKFLOW.actions_for(user, t)],
            "hold": wf.tranche_hold(t),
        }
        for t in award.tranches.all()
    ]
    reports = [
        {
            "report": r,
            "offered": [a.action for a in wf.REPORT_WORKFLOW.actions_for(user, r)],
            "overdue": r.status in ("due", "returned") and r.due_on < timezone.localdate(),
        }
        for r in award.reports.all()
    ]
    recoveries = [
        {"recovery": r, "offered": [a.action for a in wf.RECOVERY_WORKFLOW.actions_for(user, r)]}
        for r in award.recoveries.all()
    ]
    context = {
        "award": award,
        "application": award.application,
        "summary": award_summary(award=award),
        "tranches": tranches,
        "reports": reports,
        "recoveries": recoveries,
        "award_actions": [a.action for a in wf.AWARD_WORKFLOW.actions_for(user, award)],
        "is_admin": user_is_park_admin(user),
        "staff": staff,
        "money": programme_money(programme_id=award.application.programme_id) if staff else None,
        "reasons": Recovery.Reason.choices,
        "history": _history(award) if staff else [h for h in _history(award) if h["entry"].is_public],
        "error": error,
        "accept_files": ACCEPT,
        "today": timezone.localdate().isoformat(),
        "candidates": _reviewer_candidates(award) if user_is_park_admin(user) else [],
    }
    return render(request, "awards/award_detail.html", context, status=status)


def _reviewer_candidates(award):
    from django.contrib.auth import get_user_model

    from tenant_schema.enterprises.models import Membership

    members = Membership.objects.values_list("user_id", flat=True)
    return get_user_model().objects.filter(is_active=True).exclude(pk__in=members).order_by("email")[:200]


@login_required
def award_detail(request, pk):
    return _page(request, award_get_for_user(user=request.user, pk=pk))


def _step(request, award):
    post, user = request.POST, request.user
    target, action = post.get("target", ""), post.get("action", "")
    expected = post.get("expected_status") or None
    comment = post.get("comment", "")
    if target == "tranche":
        tranche = award.tranches.filter(pk=post.get("id") or 0).first()
        if tranche is None:
            raise Http404
        tranche_pay(
            tranche_id=tranche.pk,
            actor=user,
            paid_on=post.get("paid_on") or None,
            reference=post.get("reference", ""),
            expected_status=expected,
        )
    elif target == "report":
        report = award.reports.filter(pk=post.get("id") or 0).first()
        if report is None:
            raise Http404
        if action == "upload":
            for upload in request.FILES.getlist("files"):
                report_attachment_add(report=report, actor=user, upload=upload)
        elif action == wf.SUBMIT:
            for upload in request.FILES.getlist("files"):
                report_attachment_add(report=report, actor=user, upload=upload)
            report_submit(
                report_id=report.pk, actor=user, text=post.get("text", ""), expected_status=expected
            )
        else:
            report_review(
                report_id=report.pk, action=action, actor=user, comment=comment, expected_status=expected
            )
    elif target == "award":
        if action == "reviewers":
            award_acceptance_reviewers_set(
                award=award,
                actor=user,
                reviewer_ids=[int(v) for v in post.getlist("reviewers") if v.isdigit()],
            )
        else:
            award_transition(
                award_id=award.pk, action=action, actor=user, comment=comment, expected_status=expected
            )
    elif target == "recovery_open":
        recovery_open(
            award_id=award.pk,
            actor=user,
            reason=post.get("reason", ""),
            explanation=post.get("explanation", ""),
            amount_due=post.get("amount_due", ""),
            deadline=post.get("deadline", ""),
        )
    elif target == "recovery":
        recovery = award.recoveries.filter(pk=post.get("id") or 0).first()
        if recovery is None:
            raise Http404
        recovery_transition(
            recovery_id=recovery.pk,
            action=action,
            actor=user,
            comment=comment,
            amount=post.get("amount") or None,
            paid_on=post.get("paid_on") or None,
            reference=post.get("reference", ""),
            expected_status=expected,
        )
    else:
        raise Http404


@login_required
@require_POST
def award_act(request, pk):
    """One step on the award or one of its tranches, reports or recoveries, named by `target` and `action`."""
    award = award_get_for_user(user=request.user, pk=pk)
    try:
        with transaction.atomic():  # a report's files and its sending stand or fall together
            _step(request, award)
    except PermissionDenied as refused:
        return _page(request, award_get_for_user(user=request.user, pk=pk), status=403, error=str(refused))
    except TransitionRefused as refused:
        return _page(
            request, award_get_for_user(user=request.user, pk=pk), status=409, error=str(refused.message)
        )
    except ValidationError as invalid:
        return _page(
            request,
            award_get_for_user(user=request.user, pk=pk),
            status=400,
            error=" ".join(invalid.messages),
        )
    messages.success(request, _("Saved."))
    return redirect("awards:detail", pk=pk)


@_staff_required
def park_award_list(request):
    """Approved awards still to plan, and every award with what is paid and what holds it."""
    awards = award_list_for_user(user=request.user)
    rows = [(award, award_summary(award=award)) for award in awards[:200]]
    return render(
        request,
        "awards/park_list.html",
        {
            "rows": rows,
            "to_plan": approved_without_plan()[:200],
            "is_admin": user_is_park_admin(request.user),
        },
    )


def _plan_rows(post) -> tuple[list[dict], list[dict]]:
    tranches = []
    for index in range(1, 7):
        amount = (post.get(f"amount_{index}") or "").strip()
        if amount:
            tranches.append(
                {
                    "amount": amount,
                    "condition": post.get(f"condition_{index}", ""),
                    "milestone": post.get(f"milestone_{index}", ""),
                    "due_on": post.get(f"due_on_{index}", ""),
                }
            )
    reports = [
        {"kind": kind, "due_on": post.get(f"report_{kind}")}
        for kind in Report.Kind.values
        if post.get(f"report_{kind}")
    ]
    return tranches, reports


@_staff_required
def park_award_plan(request, application_pk):
    """The payment plan of an approved award: up to six tranches, and the reports it owes."""
    application = approved_without_plan().filter(pk=application_pk).first()
    if application is None:
        raise Http404("No award to plan")
    if not user_is_park_admin(request.user):
        raise PermissionDenied(_("Only a park administrator can plan an award."))
    error, status = "", 200
    if request.method == "POST":
        tranches, reports = _plan_rows(request.POST)
        try:
            award = award_plan(
                application_id=application.pk, actor=request.user, tranches=tranches, reports=reports
            )
        except ValidationError as invalid:
            error, status = " ".join(invalid.messages), 400
        else:
            messages.success(request, _("Saved."))
            return redirect("awards:detail", pk=award.pk)
    soon = timezone.localdate() + dt.timedelta(days=10)
    return render(
        request,
        "awards/plan_form.html",
        {
            "application": application,
            "conditions": Tranche.Condition.choices,
            "rows": range(1, 7),
            "error": error,
            "soon": soon.isoformat(),
            "post": request.POST,
            "kinds": Report.Kind.choices,
        },
        status=status,
    )


@login_required
def report_file(request, pk, file_pk):
    """A report's file, for whoever may see the award (the enterprise, the park's staff, its acceptance reviewers)."""
    award = award_get_for_user(user=request.user, pk=pk)
    attachment = ReportAttachment.objects.filter(pk=file_pk, report__award=award).first()
    if attachment is None:
        raise Http404("No such file")
    return attachment_response(attachment=attachment)
