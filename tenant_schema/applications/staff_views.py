"""The park's application pages: the reviewers' work queue and the application with its actions.

Only park staff reach them (anyone else gets the 404 of a page that is not there). Every
fetch goes through tenant_schema.applications.selectors, every move through `application_transition`:
a refused move shows the service's message with a 409, a missing or bad field shows on the
action's form with a 400. The buttons offered are the workflow's `actions_for`, the very
check the service applies, so a button is there exactly when the service would accept it.
"""

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from public_schema.hub.awards import duplicate_awards_for, open_recoveries_for
from saas.workdays import working_days_between
from saas.workflow import TransitionRefused, expected_state_from
from tenant_schema.enterprises.forms import form_add_service_error
from tenant_schema.enterprises.views import park_staff_required
from tenant_schema.funding.models import Programme
from tenant_schema.funding.selectors import programme_awarded_total
from tenant_schema.programme_forms.selectors import application_form_context

from . import workflow as wf
from .attachments import attachment_response
from .models import Application
from .selectors import (
    application_answers,
    application_get_for_user,
    application_list_for_user,
    application_queue,
    application_search,
    application_timeline,
    applications_overdue,
    attachment_get_for_user,
)
from .services import application_transition

S = Application.Status
PAGE_SIZE = 25
TABS = [
    ("mine", gettext_lazy("Mine")),
    ("due_soon", gettext_lazy("Due soon")),
    ("overdue", gettext_lazy("Overdue")),
    ("all", gettext_lazy("All")),
]


# ---------------------------------------------------------------------------
# Forms (one per action; they parse, the service decides)
# ---------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": gettext_lazy("Enterprise or programme")}
        ),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status"))] + [c for c in S.choices if c[0] != S.DRAFT],
    )
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"),
        required=False,
        queryset=Programme.objects.none(),
        empty_label=gettext_lazy("Any programme"),
    )

    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort"),
        required=False,
        choices=[
            ("submitted", gettext_lazy("Newest submitted first")),
            ("due", gettext_lazy("Earliest due first")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.order_by("-opens_at", "pk")


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Optional. The enterprise sees it on its timeline."),
    )

    def service_kwargs(self) -> dict:
        return {"comment": self.cleaned_data.get("comment", "")}


class ReasonForm(CommentForm):
    """Return and reject owe the enterprise a reason; the service refuses an empty one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["comment"]
        field.label = _("Reason")
        field.help_text = _("Required. The enterprise reads it and, when returned, what to correct.")
        field.widget.attrs["required"] = "required"


class ReturnReasonForm(ReasonForm):
    """A return is no rejection: the enterprise corrects and resubmits (退回, not 驳回)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].label = _("Reason for return")


class RejectReasonForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].label = _("Reason for rejection")


class ApproveForm(CommentForm):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount awarded (CNY)"),
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )
    field_order = ["amount", "comment"]

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "amount": self.cleaned_data["amount"]}


class DisburseForm(ApproveForm):
    disbursed_on = forms.DateField(
        label=gettext_lazy("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    field_order = ["amount", "disbursed_on", "comment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = _("Amount paid (CNY)")

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "disbursed_on": self.cleaned_data["disbursed_on"]}


ACTION_FORMS: dict[str, type[CommentForm]] = {
    wf.ADVANCE: CommentForm,
    wf.RETURN: ReturnReasonForm,
    wf.APPROVE: ApproveForm,
    wf.REJECT: RejectReasonForm,
    wf.DISBURSE: DisburseForm,
}


def _action_form(action: str, application: Application, data=None) -> CommentForm:
    initial = {}
    if action == wf.APPROVE:
        initial["amount"] = application.requested_amount
    elif action == wf.DISBURSE:
        initial = {"amount": application.approved_amount, "disbursed_on": timezone.localdate()}
    form = ACTION_FORMS[action](data, initial=initial, auto_id=f"id_{action}_%s")
    if (
        action == wf.RETURN
    ):  # what to correct: the form's fields and the documents (tenant_schema.programme_forms)
        from tenant_schema.programme_forms.forms import add_to_fix_fields

        add_to_fix_fields(form, application)
    return form


# ---------------------------------------------------------------------------
# Due dates
# ---------------------------------------------------------------------------


@dataclass
class Due:
    at: dt.datetime
    state: str  # "overdue", "today", "soon", "later"
    working_days: int  # left (positive) or overdue (negative)

    @property
    def days_overdue(self) -> int:
        return -self.working_days


def due_of(due_at: dt.datetime | None, now: dt.datetime) -> Due | None:
    """Where a deadline stands in working days, as the enterprise's timeline counts them."""
    if due_at is None:
        return None
    days = working_days_between(now, due_at)
    if due_at < now:
        return Due(due_at, "overdue", min(days, 0))
    if days == 0:
        return Due(due_at, "today", 0)
    return Due(due_at, "soon" if due_at - now < dt.timedelta(days=2) else "later", days)


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------


@park_staff_required
def queue(request):
    """Tabs: mine (stages of my role), due soon, overdue, and all (with search and filters)."""
    now = timezone.now()
    tab = request.GET.get("tab", "mine")
    if tab not in dict(TABS):
        tab = "mine"
    filter_form = QueueFilterForm(request.GET or None)
    is_filtered = False
    if tab == "all":
        applications = application_list_for_user(user=request.user).exclude(status=S.DRAFT)
        if filter_form.is_valid():
            data = filter_form.cleaned_data
            applications = application_search(
                queryset=applications,
                search=data["q"].strip(),
                status=data["status"],
                programme=data["programme"].pk if data["programme"] else None,
            )
            if data["overdue"]:  # the whole park's, whoever's stage: the dashboard's "overdue now"
                applications = applications_overdue(queryset=applications, now=now)
            is_filtered = bool(data["q"].strip() or data["status"] or data["programme"] or data["overdue"])
        sort = filter_form.cleaned_data.get("sort") if filter_form.is_valid() else ""
        if sort == "due" or (not sort and filter_form.is_valid() and filter_form.cleaned_data["overdue"]):
            applications = applications.order_by(F("stage_due_at").asc(nulls_last=True), "pk")
        else:
            applications = applications.order_by("-submitted_at", "-pk")
    else:
        applications = application_queue(user=request.user, view=tab, now=now)
    applications = applications.select_related("programme", "enterprise", "current_stage")
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for application in rows:
        application.due = due_of(application.stage_due_at, now)
    counts = {
        view: application_queue(user=request.user, view=view, now=now).count()
        for view in ("mine", "due_soon", "overdue")
    }
    return render(
        request,
        "applications/staff/queue.html",
        {
            "tab": tab,
            "tabs": [(key, label, counts.get(key)) for key, label in TABS],
            "page": page,
            "applications": rows,
            "filter_form": filter_form,
            "is_filtered": is_filtered,
        },
    )


def _detail(
    request,
    application: Application,
    *,
    bound_form: CommentForm | None = None,
    bound_action: str = "",
    refused: str = "",
    status: int = 200,
):
    now = timezone.now()
    timeline = application_timeline(application=application, include_internal=True, now=now)
    # The workflow's own answer (the check the service applies), with a form on this page.
    offered = [
        transition
        for transition in wf.APPLICATION_WORKFLOW.actions_for(request.user, application)
        if transition.action in ACTION_FORMS
    ]
    action_forms = [
        (
            transition,
            bound_form
            if transition.action == bound_action and bound_form is not None
            else _action_form(transition.action, application),
        )
        for transition in offered
    ]
    if (
        bound_form is not None
        and bound_action not in {transition.action for transition in offered}
        and not refused
    ):
        # An action no longer on offer (a page left open while someone else moved it on): say why here.
        refused = " ".join(message for errors in bound_form.errors.values() for message in errors)
    programme = application.programme
    awarded = programme_awarded_total(programme=programme)
    labels = {action: transition.label for action, transition in wf.APPLICATION_WORKFLOW.transitions.items()}
    for event in timeline.events:
        event.action_label = labels.get(event.action, event.action)
    attachments = list(application.attachments.all())
    supplied = {attachment.document for attachment in attachments}
    return render(
        request,
        "applications/staff/detail.html",
        {
            "application": application,
            "enterprise": application.enterprise,
            "answers": application_answers(application=application),
            **application_form_context(application),
            "programme": programme,
            "timeline": timeline,
            "history": timeline.events,
            "due": due_of(application.stage_due_at, now)
            if application.status in (S.IN_REVIEW, S.APPROVED)
            else None,
            "action_forms": action_forms,
            "open_action": bound_action,
            "refused": refused,
            "budget_left": programme.budget - awarded,
            "attachments": attachments,
            "missing_documents": [
                name for name in programme.required_documents if name and name not in supplied
            ],
            "objections": list(application.objections.all()),
            # Awards of the same category to this enterprise by other sub-platforms within a year.
            "duplicate_awards": duplicate_awards_for(
                credit_code=application.enterprise.credit_code,
                category=programme.category,
                exclude_schema=connection.schema_name,
            )
            if application.status in (S.IN_REVIEW, S.APPROVED)
            else [],
            # Awards to this enterprise, here or elsewhere, with money being recovered (追回).
            "open_recoveries": open_recoveries_for(credit_code=application.enterprise.credit_code)
            if application.status in (S.IN_REVIEW, S.APPROVED)
            else [],
        },
        status=status,
    )


@park_staff_required
def application_detail(request, pk):
    application = application_get_for_user(user=request.user, pk=pk)
    return _detail(request, application)


SUCCESS_MESSAGES = {
    wf.ADVANCE: gettext_lazy("Passed on to “%(stage)s”."),
    wf.RETURN: gettext_lazy("Returned to the enterprise with your reason."),
    wf.APPROVE: gettext_lazy("Approved: %(amount)s yuan."),
    wf.REJECT: gettext_lazy("Rejected; the enterprise sees your reason."),
    wf.DISBURSE: gettext_lazy("Disbursement of %(amount)s yuan recorded."),
}


@require_POST
@park_staff_required
def application_act(request, pk, action):
    application = application_get_for_user(user=request.user, pk=pk)
    if action not in ACTION_FORMS:
        raise Http404("No such action")
    form = _action_form(action, application, request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():  # the return and what it points at, together
                application = application_transition(
                    application_id=application.pk,
                    action=action,
                    actor=request.user,
                    **form.service_kwargs(),
                    **expected_state_from(request.POST, "expected_status", "expected_stage"),
                )
                if action == wf.RETURN:
                    from tenant_schema.programme_forms.services import filed_form_mark_to_fix

                    filed_form_mark_to_fix(
                        application=application,
                        fields=form.cleaned_data.get("to_fix_fields") or [],
                        documents=form.cleaned_data.get("to_fix_documents") or [],
                    )
        except TransitionRefused as refused:
            # The page again as it is now (a stale action: someone moved it on), with the reason.
            return _detail(
                request,
                application_get_for_user(user=request.user, pk=pk),
                bound_form=form,
                bound_action=action,
                refused=str(refused.message),
                status=409,
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            stage = application.current_stage
            messages.success(
                request,
                SUCCESS_MESSAGES[action]
                % {
                    "stage": stage.name if stage else "",
                    "amount": application.disbursed_amount
                    if action == wf.DISBURSE
                    else application.approved_amount,
                },
            )
            return redirect("applications_staff:detail", pk=application.pk)
    application = application_get_for_user(user=request.user, pk=pk)
    return _detail(request, application, bound_form=form, bound_action=action, status=400)


@park_staff_required
def attachment_download(request, pk, attachment_pk):
    attachment = attachment_get_for_user(user=request.user, application_pk=pk, attachment_pk=attachment_pk)
    return attachment_response(attachment=attachment)
