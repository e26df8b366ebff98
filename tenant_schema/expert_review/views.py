"""Pages of expert review. Thin: every fetch through the selectors' scoped helpers, every write a service.

- The expert's pages answer only the assigned expert (anyone else: the 404 of a page that is not
  there). The application itself (`case_application`) is a 404 until the expert has declared no
  conflict; other experts' sheets appear only after the expert's own is submitted.
- The park's pages are for park administrators (everyone else signed in: 404).
- The enterprise's page shows outcomes and public comments, never experts' names unless published.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from saas.workflow import TransitionRefused, expected_state_from
from tenant_schema.applications.selectors import application_answers, application_get_for_user
from tenant_schema.enterprises.forms import form_add_service_error
from tenant_schema.enterprises.models import Enterprise
from tenant_schema.enterprises.selectors import enterprise_of_user, user_is_park_admin

from . import workflow as wf
from .forms import ConfirmForm, DeclarationForm, ExpertForm, ScoresForm, ScoreSheetForm, TieForm
from .selectors import (
    assignment_get_cleared,
    assignment_get_for_expert,
    assignment_list_for_expert,
    expert_pool,
    expert_profile_of,
    panel_for_expert,
    review_outcomes_for_enterprise,
    review_stage_get_for_admin,
    review_stages_of_park,
    sheet_standings,
    sheet_views_for_admin,
)
from .services import (
    assignment_move,
    expert_add,
    expert_tie_declare,
    review_confirm,
    score_sheet_create,
    stage_assign_all,
)


def expert_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if expert_profile_of(request.user) is None:
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return wrapped


def park_admin_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not user_is_park_admin(request.user):
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return wrapped


# ---------------------------------------------------------------------------
# The expert
# ---------------------------------------------------------------------------


@expert_required
def expert_cases(request):
    cases = list(assignment_list_for_expert(user=request.user))
    return render(request, "expert_review/cases.html", {"cases": cases})


def _case_context(request, assignment, **extra):
    actions = wf.ASSIGNMENT_WORKFLOW.actions_for(request.user, assignment)
    return {
        "case": assignment,
        "actions": {t.action for t in actions},
        "declaration_form": extra.pop("declaration_form", None) or DeclarationForm(),
        "own_scores": _own_scores(assignment),
        "panel": panel_for_expert(assignment=assignment),
        **extra,
    }


def _own_scores(assignment):
    by_criterion = {s.criterion_id: s.points for s in assignment.scores.all()}
    return [(c, by_criterion.get(c.pk)) for c in assignment.sheet.criteria.all()]


@expert_required
def expert_case(request, pk):
    assignment = assignment_get_for_expert(user=request.user, pk=pk)
    return render(request, "expert_review/case.html", _case_context(request, assignment))


@expert_required
def expert_case_application(request, pk, scores_form=None, refused=None, status=200):
    assignment = assignment_get_cleared(user=request.user, pk=pk)
    application = assignment.application
    context = _case_context(
        request,
        assignment,
        application=application,
        answers=application_answers(application=application),
        documents=[a.document or a.file.name.rsplit("/", 1)[-1] for a in application.attachments.all()],
        scores_form=scores_form or ScoresForm(criteria=assignment.sheet.criteria.all()),
        refused=refused,
    )
    return render(request, "expert_review/case_application.html", context, status=status)


@expert_required
@require_POST
def expert_case_act(request, pk, action):
    assignment = assignment_get_for_expert(user=request.user, pk=pk)
    if action not in wf.ASSIGNMENT_WORKFLOW.transitions:
        raise Http404("No such action")
    expected = expected_state_from(request.POST, "expected_status")
    if action == wf.SUBMIT:
        assignment = assignment_get_cleared(user=request.user, pk=pk)
        form = ScoresForm(request.POST, criteria=assignment.sheet.criteria.all())
        if not form.is_valid():
            return expert_case_application(request, pk, scores_form=form, status=400)
        try:
            assignment_move(
                assignment_id=assignment.pk,
                action=action,
                actor=request.user,
                scores=form.scores(),
                public_comment=form.cleaned_data["public_comment"],
                internal_comment=form.cleaned_data["internal_comment"],
                **expected,
            )
        except TransitionRefused as refused:
            return expert_case_application(request, pk, scores_form=form, refused=refused.message, status=409)
        except ValidationError as error:
            form_add_service_error(form, error)
            return expert_case_application(request, pk, scores_form=form, status=400)
        messages.success(request, _("Your scores are submitted. The other experts' sheets are shown below."))
        return redirect("expert_review:case", pk=pk)
    form = DeclarationForm(request.POST)
    form.is_valid()
    try:
        assignment_move(
            assignment_id=assignment.pk,
            action=action,
            actor=request.user,
            comment=form.cleaned_data.get("comment", ""),
            **expected,
        )
    except TransitionRefused as refused:
        context = _case_context(
            request, assignment_get_for_expert(user=request.user, pk=pk), refused=refused.message
        )
        return render(request, "expert_review/case.html", context, status=409)
    except ValidationError as error:
        form_add_service_error(form, error)
        context = _case_context(request, assignment, declaration_form=form)
        return render(request, "expert_review/case.html", context, status=400)
    if action == wf.DECLARE_NONE:
        return redirect("expert_review:case_application", pk=pk)
    messages.success(request, _("You are recused from this case; it goes to another expert."))
    return redirect("expert_review:cases")


# ---------------------------------------------------------------------------
# The park
# ---------------------------------------------------------------------------


@park_admin_required
def park_overview(request):
    return render(request, "expert_review/park.html", {"stages": list(review_stages_of_park())})


@park_admin_required
def park_experts(request):
    form = ExpertForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                expert_add(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, _("The expert is in the pool."))
                return redirect("expert_review:experts")
        status = 400
    context = {
        "form": form,
        "experts": list(expert_pool()),
        "tie_form": TieForm(enterprises=Enterprise.objects.all()),
    }
    return render(request, "expert_review/experts.html", context, status=status)


@park_admin_required
@require_POST
def park_expert_tie(request, pk):
    expert = expert_pool().filter(pk=pk).first()
    if expert is None:
        raise Http404
    form = TieForm(request.POST, enterprises=Enterprise.objects.all())
    if form.is_valid():
        try:
            expert_tie_declare(actor=request.user, expert=expert, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request, _("The tie is recorded: this expert is kept off that enterprise's cases.")
            )
            return redirect("expert_review:experts")
    context = {"form": ExpertForm(), "experts": list(expert_pool()), "tie_form": form, "tie_expert": expert}
    return render(request, "expert_review/experts.html", context, status=400)


@park_admin_required
def park_sheet_new(request, stage_pk):
    stage = review_stage_get_for_admin(stage_pk=stage_pk)
    if hasattr(stage, "score_sheet"):
        return redirect("expert_review:stage", stage_pk=stage.pk)
    form = ScoreSheetForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                score_sheet_create(actor=request.user, stage=stage, **form.service_kwargs())
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(request, _("The score sheet is set."))
                return redirect("expert_review:stage", stage_pk=stage.pk)
        status = 400
    return render(request, "expert_review/sheet_new.html", {"stage": stage, "form": form}, status=status)


def _sheet_of(stage):
    sheet = getattr(stage, "score_sheet", None)
    if sheet is None:
        raise Http404
    return sheet


def _stage_page(request, stage, *, confirm_form=None, refused=None, status=200):
    sheet = _sheet_of(stage)
    standings = sheet_standings(sheet=sheet)
    rows = [(row, sheet_views_for_admin(standing=row)) for row in standings.rows]
    context = {
        "stage": stage,
        "sheet": sheet,
        "criteria": list(sheet.criteria.all()),
        "rows": rows,
        "confirm_form": confirm_form or ConfirmForm(),
        "refused": refused,
        "to_decide": [row for row in standings.rows if row.decision is None and row.ready],
    }
    return render(request, "expert_review/stage.html", context, status=status)


@park_admin_required
def park_stage(request, stage_pk):
    return _stage_page(request, review_stage_get_for_admin(stage_pk=stage_pk))


@park_admin_required
@require_POST
def park_stage_assign(request, stage_pk):
    stage = review_stage_get_for_admin(stage_pk=stage_pk)
    count = stage_assign_all(sheet=_sheet_of(stage), actor=request.user)
    messages.success(request, _("%(n)s expert(s) asked.") % {"n": count})
    return redirect("expert_review:stage", stage_pk=stage.pk)


@park_admin_required
@require_POST
def park_stage_confirm(request, stage_pk):
    stage = review_stage_get_for_admin(stage_pk=stage_pk)
    form = ConfirmForm(request.POST)
    form.is_valid()
    amounts = {
        key.removeprefix("amount_"): value
        for key, value in request.POST.items()
        if key.startswith("amount_") and value
    }
    try:
        decided = review_confirm(
            sheet=_sheet_of(stage),
            actor=request.user,
            amounts=amounts,
            comment=form.cleaned_data.get("comment", ""),
        )
    except (TransitionRefused, PermissionDenied) as refused:
        return _stage_page(request, stage, confirm_form=form, refused=str(refused), status=409)
    except ValidationError as error:
        return _stage_page(request, stage, confirm_form=form, refused="；".join(error.messages), status=400)
    messages.success(request, _("%(n)s outcome(s) confirmed.") % {"n": len(decided)})
    return redirect("expert_review:stage", stage_pk=stage.pk)


# ---------------------------------------------------------------------------
# The enterprise
# ---------------------------------------------------------------------------


@login_required
def enterprise_outcome(request, pk):
    """The enterprise's own application only (the park's staff have the stage page)."""
    enterprise = enterprise_of_user(user=request.user)
    if enterprise is None:
        raise Http404
    application = application_get_for_user(user=request.user, pk=pk)
    outcomes = review_outcomes_for_enterprise(application=application)
    return render(request, "expert_review/outcome.html", {"application": application, "outcomes": outcomes})
