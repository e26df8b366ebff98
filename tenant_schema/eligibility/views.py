"""Policy matching pages.

Enterprises: their match report (and its PDF), and declining a 免申即享 application.
Park staff: a programme's rules editor, its enterprises by outcome, and the push; an overview
of every open programme with how many enterprises qualify. Pages of the other side are the
same 404 as a page that is not there.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tenant_schema.enterprises.selectors import enterprise_of_user, user_is_park_admin
from tenant_schema.enterprises.views import park_staff_required
from tenant_schema.funding.selectors import programme_get, programme_list_open

from .forms import ConditionFormSet, RulesForm, condition_initial
from .models import PushRun
from .rules import (
    CANNOT_TELL,
    DOES_NOT_QUALIFY,
    MET,
    NOT_MET,
    QUALIFIES,
    UNKNOWN,
    rules_render,
    rules_validate,
)
from .selectors import (
    auto_application_get_for_enterprise,
    match_report,
    programme_matches,
    programme_pushed_ids,
    programmes_outcome_counts,
    push_run_latest,
)
from .services import auto_application_decline, programme_rules_set, push_start

OUTCOME_LABELS = {  # in the order the qualifying page shows them
    QUALIFIES: gettext_lazy("Qualifies"),
    CANNOT_TELL: gettext_lazy("Cannot tell: data missing"),
    DOES_NOT_QUALIFY: gettext_lazy("Does not qualify"),
}
QUALIFYING_PAGE_SIZE = 50
CONDITION_LABELS = {
    MET: gettext_lazy("Met"),
    NOT_MET: gettext_lazy("Not met"),
    UNKNOWN: gettext_lazy("Data missing"),
}


def enterprise_required(view):
    """Signed-in people of an enterprise only; anyone else gets the 404 of a page that is not there."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        enterprise = enterprise_of_user(user=request.user)
        if enterprise is None:
            raise Http404("No such page")
        return view(request, enterprise, *args, **kwargs)

    return wrapped


@enterprise_required
def report(request, enterprise):
    return render(
        request,
        "matching/report.html",
        {
            "enterprise": enterprise,
            "report": match_report(enterprise=enterprise),
            "outcome_labels": OUTCOME_LABELS,
            "condition_labels": CONDITION_LABELS,
        },
    )


@enterprise_required
def report_pdf(request, enterprise):
    from .pdf import match_report_pdf

    content = match_report_pdf(
        enterprise=enterprise,
        report=match_report(enterprise=enterprise),
        outcome_labels=OUTCOME_LABELS,
        condition_labels=CONDITION_LABELS,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="policy-match-report.pdf"'
    return response


@require_POST
@enterprise_required
def auto_decline(request, enterprise, pk):
    auto = auto_application_get_for_enterprise(enterprise=enterprise, pk=pk)
    try:
        auto_application_decline(auto_application=auto, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Declined. The park will not make this application for you again."))
    return redirect("matching:report")


# Park pages ----------------------------------------------------------------------------------


@park_staff_required
def rules_edit(request, pk):
    """The rules editor: combine with all / any, one row per condition, and the 免申即享 flag."""
    programme = programme_get(pk=pk)
    can_change = user_is_park_admin(request.user)
    stored = rules_validate(programme.eligibility_rules)
    data = request.POST if request.method == "POST" else None
    form = RulesForm(
        data, initial={"combine": stored["combine"], "no_application_needed": programme.no_application_needed}
    )
    formset = ConditionFormSet(
        data, initial=[condition_initial(c) for c in stored["conditions"]], prefix="conditions"
    )
    rule_errors: list[str] = []
    status = 200
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied(_("Only a park administrator can change programmes."))
        if form.is_valid() and formset.is_valid():
            conditions = [c for c in (f.condition() for f in formset) if c is not None]
            try:
                programme_rules_set(
                    programme=programme,
                    rules={"combine": form.cleaned_data["combine"], "conditions": conditions}
                    if conditions
                    else {},
                    no_application_needed=form.cleaned_data["no_application_needed"],
                )
            except ValidationError as error:
                errors = (
                    error.message_dict
                    if hasattr(error, "error_dict")
                    else {"eligibility_rules": error.messages}
                )
                rule_errors = [m for messages_ in errors.values() for m in messages_]
                status = 400
            else:
                messages.success(request, _("Eligibility rules saved."))
                return redirect("matching:rules", pk=programme.pk)
        else:
            status = 400
        programme.refresh_from_db()
    return render(
        request,
        "matching/rules.html",
        {
            "programme": programme,
            "form": form,
            "formset": formset,
            "rule_errors": rule_errors,
            "rules_text": rules_render(programme.eligibility_rules),
            "can_change": can_change,
        },
        status=status,
    )


@park_staff_required
def qualifying(request, pk):
    """A programme's enterprises by outcome, counted at the top, a page at a time; and the push.

    Qualifying first: a park clerk wants to know who qualifies, then who might once their
    data is complete (and which data), and only then who does not and why.
    """
    programme = programme_get(pk=pk)
    outcome = request.GET.get("outcome")
    if outcome not in OUTCOME_LABELS:
        outcome = QUALIFIES
    # The qualifying rows need no words; the others say which conditions fail or lack data.
    matches = programme_matches(programme=programme, outcomes=(outcome,), explain=outcome != QUALIFIES)
    page = Paginator(matches, QUALIFYING_PAGE_SIZE).get_page(request.GET.get("page"))
    pushed = (
        programme_pushed_ids(programme=programme, among=[m.enterprise.pk for m in page])
        if outcome == QUALIFIES
        else set()
    )
    run = push_run_latest(programme=programme)
    return render(
        request,
        "matching/qualifying.html",
        {
            "programme": programme,
            "outcome": outcome,
            "tabs": [(o, OUTCOME_LABELS[o], matches.counts[o]) for o in OUTCOME_LABELS],
            "page": page,
            "rows": [(m, m.enterprise.pk in pushed) for m in page],
            "rules_text": rules_render(programme.eligibility_rules),
            "run": run,
            "running": run is not None and run.status != PushRun.Status.DONE,
            "can_change": user_is_park_admin(request.user),
        },
    )


@park_staff_required
def overview(request):
    """Every open programme with how many enterprises qualify and how many cannot be told (data missing)."""
    programmes = list(programme_list_open())
    counts = programmes_outcome_counts(programmes=programmes)
    return render(
        request,
        "matching/overview.html",
        {
            "rows": [(programme, counts[programme.pk]) for programme in programmes],
            "can_change": user_is_park_admin(request.user),
        },
    )


@require_POST
@park_staff_required
def push(request, pk):
    programme = programme_get(pk=pk)
    if not user_is_park_admin(request.user):
        raise PermissionDenied(_("Only a park administrator can push a programme."))
    try:
        push_start(programme=programme, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Sending to the qualifying enterprises; each is told once."))
    return redirect("matching:qualifying", pk=programme.pk)
