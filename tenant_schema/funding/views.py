"""The park's programme pages: list, create, edit, stage editor, open and close.

Park administrators manage programmes; reviewers may look. Anyone else gets the 404 of a
page that is not there. Views read through tenant_schema.funding.selectors and write through
tenant_schema.funding.services, whose ValidationErrors are shown on the form fields they name.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenant_schema.enterprises.forms import form_add_service_error
from tenant_schema.enterprises.selectors import user_is_park_admin
from tenant_schema.enterprises.views import park_staff_required

from .forms import ProgrammeForm, stage_formset
from .models import Programme
from .selectors import (
    programme_application_counts,
    programme_awarded_total,
    programme_get,
    programme_list_for_staff,
    programme_stages_locked,
)
from .services import (
    programme_close,
    programme_create,
    programme_open,
    programme_stages_replace,
    programme_update,
)

# Application statuses in the order a park reads them (drafts are the enterprises' own business).
STATUS_ORDER = ["in_review", "returned", "approved", "disbursed", "rejected", "withdrawn"]


def _require_park_admin(user) -> None:
    if not user_is_park_admin(user):
        raise PermissionDenied(_("Only a park administrator can change programmes."))


def _status_counts(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    from tenant_schema.applications.models import Application

    labels = dict(Application.Status.choices)
    return [(status, labels[status], counts[status]) for status in STATUS_ORDER if counts.get(status)]


@park_staff_required
def programme_list(request):
    programmes = list(programme_list_for_staff())
    counts = programme_application_counts(programme_ids=[programme.pk for programme in programmes])
    for programme in programmes:
        programme.status_counts = _status_counts(counts[programme.pk])
        programme.application_total = sum(
            n for status, n in counts[programme.pk].items() if status != "draft"
        )
        programme.awarded_percent = (
            min(100, int(programme.awarded_total * 100 / programme.budget)) if programme.budget else 0
        )
    return render(
        request,
        "funding/programme_list.html",
        {"programmes": programmes, "can_change": user_is_park_admin(request.user)},
    )


@park_staff_required
def programme_detail(request, pk):
    programme = programme_get(pk=pk)
    counts = programme_application_counts(programme_ids=[programme.pk])[programme.pk]
    awarded = programme_awarded_total(programme=programme)
    return render(
        request,
        "funding/programme_detail.html",
        {
            "programme": programme,
            "stages": programme.stages.all(),
            "status_counts": _status_counts(counts),
            "awarded": awarded,
            "budget_left": programme.budget - awarded,
            "stages_locked": programme_stages_locked(programme=programme),
            "can_change": user_is_park_admin(request.user),
        },
    )


@park_staff_required
def programme_new(request):
    """A new programme starts as a draft with the five default stages (受理 → 初审 → 专家评审 → 公示 → 拨付)."""
    _require_park_admin(request.user)
    form = ProgrammeForm.for_programme(None, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request,
                _("“%(title)s” is created as a draft with the default stages. Check them, then open it.")
                % {"title": programme.title},
            )
            return redirect("funding:programme_detail", pk=programme.pk)
    return render(request, "funding/programme_form.html", {"programme": None, "form": form})


@park_staff_required
def programme_edit(request, pk):
    programme = programme_get(pk=pk)
    _require_park_admin(request.user)
    form = ProgrammeForm.for_programme(programme, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_update(programme=programme, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("Programme saved."))
            return redirect("funding:programme_detail", pk=programme.pk)
    return render(request, "funding/programme_form.html", {"programme": programme, "form": form})


@park_staff_required
def programme_stages(request, pk):
    """The stage editor; once an application has been submitted the stages are shown read-only."""
    programme = programme_get(pk=pk)
    can_change = user_is_park_admin(request.user)
    locked = programme_stages_locked(programme=programme)
    formset = stage_formset(programme, request.POST if request.method == "POST" else None)
    service_errors: list[str] = []
    status = 200
    if request.method == "POST":
        _require_park_admin(request.user)
        if locked:
            status = 409  # the page says why, as the service would
        elif formset.is_valid():
            try:
                programme_stages_replace(programme=programme, stages=formset.stages())
            except ValidationError as error:
                service_errors = error.messages
                status = 400
            else:
                messages.success(request, _("Stages saved."))
                return redirect("funding:programme_detail", pk=programme.pk)
        else:
            status = 400
        locked = locked or programme_stages_locked(programme=programme)
    return render(
        request,
        "funding/programme_stages.html",
        {
            "programme": programme,
            "stages": programme.stages.all(),
            "formset": formset,
            "service_errors": service_errors,
            "locked": locked,
            "can_change": can_change and not locked,
        },
        status=status,
    )


@require_POST
@park_staff_required
def programme_open_view(request, pk):
    programme = programme_get(pk=pk)
    _require_park_admin(request.user)
    try:
        programme_open(programme=programme)
    except ValidationError as error:  # no guide (申兑指南) yet: write it first
        for message in error.messages:
            messages.error(request, message)
        return redirect("programme_forms:guide", pk=programme.pk)
    messages.success(request, _("“%(title)s” is open for applications.") % {"title": programme.title})
    return redirect("funding:programme_detail", pk=programme.pk)


@require_POST
@park_staff_required
def programme_close_view(request, pk):
    programme = programme_get(pk=pk)
    _require_park_admin(request.user)
    if programme.status != Programme.Status.CLOSED:
        programme_close(programme=programme)
    messages.success(
        request,
        _("“%(title)s” is closed: no new submissions; applications under review carry on.")
        % {"title": programme.title},
    )
    return redirect("funding:programme_detail", pk=programme.pk)
