"""Demand pages: the enterprise files and follows its demands; the park's staff work a queue,
accept, assign, reply, answer and extend, watch the supervision list and the figures.

Views stay thin: every read through a selector that scopes it (the same 404 for "not
yours" and "does not exist"), every write through a service. A refused transition is
shown on the demand's page with HTTP 409; a service's ValidationError with 400.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from saas.attachments import attachment_response
from saas.workflow import TransitionRefused, expected_state_from
from tenant_schema.enterprises.forms import form_add_service_error
from tenant_schema.enterprises.selectors import enterprise_of_user, user_is_park_admin, user_is_park_staff
from tenant_schema.enterprises.views import park_staff_required

from . import workflow as wf
from .forms import AcceptForm, CategoryPolicyForm, CommentForm, DemandFileForm, ExtendForm, RateForm
from .models import Category, Demand
from .selectors import (
    QUEUE_VIEWS,
    RAG_LABELS,
    category_policy_list,
    demand_attachment_get_for_user,
    demand_figures,
    demand_get_for_user,
    demand_list_for_user,
    demand_queue,
    demand_queue_counts,
    demand_search,
    demand_supervision_list,
    demand_timeline,
    park_staff_list,
)
from .services import category_limits, category_policy_set, demand_file, demand_transition

PAGE_SIZE = 25
CORRECT_THE_FORM = gettext_lazy("Not saved: correct what the form below points out.")
# What a person reads once an action went through: a sentence, not the action's name and a tick.
DONE_MESSAGES = {
    wf.ACCEPT: gettext_lazy("The demand is accepted; its time limits run from now."),
    wf.ASSIGN: gettext_lazy("The demand is assigned."),
    wf.REPLY: gettext_lazy("Your reply is sent to the enterprise."),
    wf.ANSWER: gettext_lazy("Your answer is sent; the enterprise can now rate it."),
    wf.EXTEND: gettext_lazy("The time limit is extended; the enterprise sees the reason."),
    wf.RATE: gettext_lazy("Thank you for your rating."),
}


def _own_enterprise(request):
    enterprise = enterprise_of_user(user=request.user)
    if enterprise is None:
        raise Http404("No enterprise")
    return enterprise


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# ---------------------------------------------------------------------------
# The enterprise's pages
# ---------------------------------------------------------------------------


@login_required
def demand_list(request):
    if user_is_park_staff(request.user) and enterprise_of_user(user=request.user) is None:
        return redirect("demands:queue")
    enterprise = _own_enterprise(request)
    demands = demand_list_for_user(user=request.user).order_by("-created_at", "-pk")
    return render(
        request, "demands/demand_list.html", {"enterprise": enterprise, "page": _page(request, demands)}
    )


@login_required
def demand_new(request):
    enterprise = _own_enterprise(request)
    form = DemandFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            demand = demand_file(
                enterprise=enterprise,
                filer=request.user,
                category=data["category"],
                title=data["title"],
                description=data["description"],
                uploads=data["attachments"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request, _("Your demand is filed. The park will accept it and tell you who handles it.")
            )
            return redirect("demands:detail", pk=demand.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "demands/demand_form.html", {"form": form, "enterprise": enterprise}, status=status
    )


def _detail_context(request, demand: Demand, **extra) -> dict:
    staff = user_is_park_staff(request.user)
    actions = [t.action for t in wf.DEMAND_WORKFLOW.actions_for(request.user, demand)]
    context = {
        "demand": demand,
        "timeline": demand_timeline(demand=demand, include_internal=staff),
        "actions": actions,
        "is_staff_view": staff,
        "rag_label": RAG_LABELS.get(demand.rag, ""),
        "rate_form": RateForm(),
        "accept_form": AcceptForm(
            staff=park_staff_list(),
            initial={"handler": demand.handler_id or request.user.pk, "department": demand.department},
        ),
        "reply_form": CommentForm(auto_id="id_reply_%s"),
        "answer_form": CommentForm(auto_id="id_answer_%s"),
        "extend_form": ExtendForm(),
        "now": timezone.now(),
    }
    if demand.status == Demand.Status.SUBMITTED:
        # Before acceptance no deadline runs yet; say which ones will (the category's limits).
        reply_days, resolution_days, _department = category_limits(category=demand.category)
        context["limits_once_accepted"] = {"reply": reply_days, "resolution": resolution_days}
    context.update(extra)
    return context


@login_required
def demand_detail(request, pk):
    demand = demand_get_for_user(user=request.user, pk=pk)
    if user_is_park_staff(request.user) and demand.enterprise_id != getattr(
        enterprise_of_user(user=request.user), "pk", None
    ):
        return redirect("demands:park_detail", pk=demand.pk)
    return render(request, "demands/demand_detail.html", _detail_context(request, demand))


@login_required
def attachment_download(request, pk, attachment_pk):
    attachment = demand_attachment_get_for_user(user=request.user, demand_pk=pk, attachment_pk=attachment_pk)
    return attachment_response(attachment=attachment)


@require_POST
@login_required
def demand_act(request, pk, action):
    """Every workflow action of the pages, for the enterprise (rate) and the staff (the rest)."""
    demand = demand_get_for_user(user=request.user, pk=pk)
    if action not in wf.DEMAND_WORKFLOW.transitions or action == wf.CLOSE_UNRATED:
        raise Http404("No such action")
    staff_page = user_is_park_staff(request.user) and action != wf.RATE
    kwargs = {}
    form = None
    if action == wf.RATE:
        form = RateForm(request.POST)
    elif action in (wf.ACCEPT, wf.ASSIGN):
        form = AcceptForm(request.POST, staff=park_staff_list())
    elif action in (wf.REPLY, wf.ANSWER):
        form = CommentForm(request.POST)
    elif action == wf.EXTEND:
        form = ExtendForm(request.POST)
    error, status = "", 200
    if form.is_valid():
        data = form.cleaned_data
        if action in (wf.ACCEPT, wf.ASSIGN):
            kwargs = {"handler_id": data.get("handler"), "department": data.get("department")}
        else:
            kwargs = {key: data[key] for key in ("comment", "rating", "extension_days") if key in data}
        try:
            demand_transition(
                demand_id=demand.pk,
                action=action,
                actor=request.user,
                **kwargs,
                **expected_state_from(request.POST, "expected_status"),
            )
        except TransitionRefused as refused:
            error, status = str(refused.message), 409
        except ValidationError as invalid:
            # The reason is shown once, on the form; the banner only points to it.
            form_add_service_error(form, invalid)
            error, status = str(CORRECT_THE_FORM), 400
        else:
            messages.success(request, str(DONE_MESSAGES[action]))
            return redirect("demands:park_detail" if staff_page else "demands:detail", pk=demand.pk)
    else:
        error, status = str(CORRECT_THE_FORM), 400
    demand = demand_get_for_user(user=request.user, pk=pk)
    form_name = {
        wf.RATE: "rate_form",
        wf.ACCEPT: "accept_form",
        wf.ASSIGN: "accept_form",
        wf.REPLY: "reply_form",
        wf.ANSWER: "answer_form",
        wf.EXTEND: "extend_form",
    }[action]
    template = "demands/park_detail.html" if staff_page else "demands/demand_detail.html"
    return render(
        request, template, _detail_context(request, demand, error=error, **{form_name: form}), status=status
    )


# ---------------------------------------------------------------------------
# The park's pages
# ---------------------------------------------------------------------------


@park_staff_required
def queue(request):
    view = request.GET.get("view") or "mine"
    if view not in QUEUE_VIEWS:
        view = "mine"
    demands = demand_queue(user=request.user, view=view)
    counts = demand_queue_counts(user=request.user)
    search, category = request.GET.get("q", "").strip(), request.GET.get("category", "")
    demands = demand_search(
        queryset=demands, search=search, category=category if category in Category.values else ""
    )
    return render(
        request,
        "demands/queue.html",
        {
            "view": view,
            "tabs": [(key, label, counts.get(key)) for key, label in QUEUE_VIEWS.items()],
            "page": _page(request, demands),
            "q": search,
            "category": category,
            "categories": Category.choices,
            "rag_labels": RAG_LABELS,
        },
    )


@park_staff_required
def park_detail(request, pk):
    demand = demand_get_for_user(user=request.user, pk=pk)
    return render(request, "demands/park_detail.html", _detail_context(request, demand))


@park_staff_required
def supervision(request):
    demands = demand_supervision_list()
    return render(
        request, "demands/supervision.html", {"page": _page(request, demands), "now": timezone.now()}
    )


@park_staff_required
def figures(request):
    by = request.GET.get("by", "category")
    by = by if by in ("category", "month") else "category"
    year = request.GET.get("year", "")
    report = demand_figures(by=by, year=int(year) if year.isdigit() else None)
    return render(request, "demands/figures.html", {"report": report, "by": by, "year": year})


@park_staff_required
def limits(request):
    """Each category's time limits; administrators change them, reviewers read them."""
    can_change = user_is_park_admin(request.user)
    error_form = None
    if request.method == "POST":
        if not can_change:
            raise Http404("No such page")
        form = CategoryPolicyForm(request.POST)
        if form.is_valid():
            try:
                category_policy_set(**form.cleaned_data)
            except ValidationError as error:
                form_add_service_error(form, error)
                error_form = form
            else:
                messages.success(request, _("Time limits saved."))
                return redirect("demands:limits")
        else:
            error_form = form
    rows = []
    for label, policy in category_policy_list():
        value = policy.category
        form = CategoryPolicyForm(
            initial={
                "category": value,
                "first_reply_days": policy.first_reply_days,
                "resolution_days": policy.resolution_days,
                "department": policy.department,
            },
            auto_id=f"id_{value}_%s",
        )
        if error_form is not None and error_form.data.get("category") == value:
            form = error_form
        rows.append((label, form))
    return render(
        request,
        "demands/limits.html",
        {"rows": rows, "can_change": can_change},
        status=400 if error_form else 200,
    )
