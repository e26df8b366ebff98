"""Enterprise-facing and public pages: open programmes, applying, the timeline, the public notice.

Views stay thin: every read goes through a selector that scopes it to the user (the same
404 for "not yours" and "does not exist"), every write through a service. A refused
transition (TransitionRefused) is shown on the application's page with HTTP 409; a
service's ValidationError (a missing document, a file that is not what it claims) with 400.

The reviewers' pages live in staff_views.py; park staff who open these pages are sent there
(or get the 404 of a page that is not theirs): an enterprise's page is for its own people.
"""

import datetime as dt
from decimal import Decimal
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from saas.attachments import ACCEPT, MAX_ATTACHMENT_BYTES, attachment_response
from saas.ratelimits import limit_posts
from saas.workflow import TransitionRefused, expected_state_from
from tenant_schema.eligibility.selectors import programme_eligibility
from tenant_schema.enterprises.models import Enterprise
from tenant_schema.enterprises.selectors import enterprise_of_user, user_is_park_staff
from tenant_schema.funding.models import Stage
from tenant_schema.funding.selectors import programme_get_open, programme_list_open
from tenant_schema.programme_forms.selectors import guide_of

from . import workflow as wf
from .attachments import EDITABLE, attachment_add, attachment_remove
from .models import ANSWER_FIELDS, Application
from .page_cache import clocks_change_at, enterprise_page, page_render
from .selectors import (
    application_detail_for_enterprise,
    application_get_for_enterprise,
    application_list_for_enterprise,
    application_list_for_user,
    attachment_get_for_user,
    due_clock,
    public_notice_get,
    public_notice_list,
)
from .services import application_create, application_transition, application_update, objection_file

S = Application.Status


# ---------------------------------------------------------------------------
# Forms: they check input; the services decide and write.
# ---------------------------------------------------------------------------


class ApplicationForm(forms.Form):
    requested_amount = forms.DecimalField(
        label=gettext_lazy("Amount requested (yuan)"),
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        if programme.per_enterprise_cap is not None:
            self.fields["requested_amount"].help_text = _("At most %(cap)s yuan per enterprise.") % {
                "cap": programme.per_enterprise_cap
            }
        for key, label in ANSWER_FIELDS:
            self.fields[key] = forms.CharField(
                label=label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
            )

    def answers(self) -> dict:
        return {
            key: self.cleaned_data[key].strip()
            for key, _label in ANSWER_FIELDS
            if self.cleaned_data[key].strip()
        }


class ObjectionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=50)
    contact = forms.CharField(
        label=gettext_lazy("Phone or email"),
        max_length=100,
        help_text=gettext_lazy("Only the park sees it, to reply to you."),
    )
    text = forms.CharField(
        label=gettext_lazy("Your objection"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )


def _form_add_service_error(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# ---------------------------------------------------------------------------
# Access
# ---------------------------------------------------------------------------


def _staff_page(kwargs) -> str:
    """Where park staff belong instead: the reviewers' page of this application, or their work queue."""
    try:
        if "pk" in kwargs:
            return reverse("applications_staff:detail", kwargs={"pk": kwargs["pk"]})
        return reverse("applications_staff:queue")
    except NoReverseMatch:  # the staff pages are not mounted on this site
        return reverse("home")


def enterprise_member_required(view):
    """Signed-in people of an enterprise only; park staff are sent to their own pages, anyone else gets a 404."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        enterprise = enterprise_of_user(user=request.user)
        if enterprise is None:
            if user_is_park_staff(request.user) and request.method == "GET" and set(kwargs) <= {"pk"}:
                return redirect(_staff_page(kwargs))
            raise Http404("No enterprise")
        request.enterprise = enterprise
        return view(request, *args, **kwargs)

    return wrapped


def _own_application(request, pk) -> Application:
    return application_get_for_enterprise(enterprise=request.enterprise, pk=pk)


# ---------------------------------------------------------------------------
# Programmes
# ---------------------------------------------------------------------------


def _days_left(moment) -> int:
    return (timezone.localtime(moment).date() - timezone.localdate()).days


def _live_applications_by_programme(user) -> dict:
    """The enterprise's live application per programme, so a programme links to it instead of "Apply"."""
    if not user.is_authenticated or enterprise_of_user(user=user) is None:
        return {}
    live = application_list_for_user(user=user).exclude(status__in=[S.WITHDRAWN, S.REJECTED])
    return {application.programme_id: application for application in live}


def _applicant(user) -> dict:
    """Whether to offer "Apply": to visitors (who sign in first) and to a verified enterprise's people."""
    enterprise = enterprise_of_user(user=user)
    return {
        "may_apply": not user.is_authenticated
        or (enterprise is not None and enterprise.status == Enterprise.Status.VERIFIED),
        "awaiting_verification": enterprise is not None and enterprise.status != Enterprise.Status.VERIFIED,
    }


def programme_list(request):
    """Open programmes, soonest closing first. Anyone may read them; applying needs an enterprise account."""
    mine = _live_applications_by_programme(request.user)
    rows = [
        {
            "programme": programme,
            "days_left": _days_left(programme.closes_at),
            "application": mine.get(programme.pk),
        }
        for programme in programme_list_open()
    ]
    return render(request, "applications/programme_list.html", {"rows": rows, **_applicant(request.user)})


def programme_detail(request, pk):
    """A programme's terms, who may apply (in words) and, for a signed-in enterprise, whether it may."""
    programme = programme_get_open(pk=pk)
    return render(
        request,
        "applications/programme_detail.html",
        {
            "programme": programme,
            "stages": list(programme.stages.all()),
            "days_left": _days_left(programme.closes_at),
            "application": _live_applications_by_programme(request.user).get(programme.pk),
            "guide": guide_of(programme),
            "eligibility": programme_eligibility(
                programme=programme, enterprise=enterprise_of_user(user=request.user)
            ),
            **_applicant(request.user),
        },
    )


# ---------------------------------------------------------------------------
# The enterprise's applications
# ---------------------------------------------------------------------------


def _list_parts(request) -> tuple[dict, dt.datetime]:
    now = timezone.now()
    applications = list(application_list_for_enterprise(enterprise=request.enterprise))
    rows = [{"application": a, "clock": due_clock(due_at=a.stage_due_at, now=now)} for a in applications]
    content = page_render(
        "applications/_application_list.html", {"rows": rows, "enterprise": request.enterprise}
    )
    return {"content": content}, clocks_change_at(now, [a.stage_due_at for a in applications])


@enterprise_member_required
def application_list(request):
    """The enterprise's applications with where each one is; kept until one of them changes (page_cache)."""
    return enterprise_page(
        request,
        page="list",
        template="applications/application_list.html",
        build=lambda: _list_parts(request),
    )


@enterprise_member_required
def application_new(request, programme_id):
    programme = programme_get_open(pk=programme_id)
    existing = _live_applications_by_programme(request.user).get(programme.pk)
    if existing is not None:
        messages.info(request, _("Your enterprise already has an application for this programme."))
        return redirect("applications:detail", pk=existing.pk)
    form = ApplicationForm(request.POST or None, programme=programme)
    # Shown up front; the service refuses an unverified enterprise whatever the page shows.
    verified = request.enterprise.status == Enterprise.Status.VERIFIED
    status = 400 if request.method == "POST" else 200  # a POST that comes back here was refused
    if request.method == "POST" and form.is_valid():
        try:
            application = application_create(
                programme_id=programme.pk,
                enterprise=request.enterprise,
                applicant=request.user,
                requested_amount=form.cleaned_data["requested_amount"],
                answers=form.answers(),
            )
        except ValidationError as error:
            _form_add_service_error(form, error)
        else:
            if request.POST.get("and_submit"):
                return _submit_after_save(request, application)
            from tenant_schema.programme_forms.selectors import form_latest

            if form_latest(programme) is not None:  # the programme's own form comes next
                messages.success(request, _("Draft saved. Now fill in the programme's application form."))
                return redirect("programme_forms:fill", pk=application.pk)
            messages.success(request, _("Draft saved. Attach the documents, then submit it."))
            return redirect("applications:detail", pk=application.pk)
    return render(
        request,
        "applications/application_form.html",
        {"form": form, "programme": programme, "verified": verified},
        status=status,
    )


@enterprise_member_required
def application_edit(request, pk):
    application = _own_application(request, pk)
    if application.status not in EDITABLE:
        messages.error(request, _("Only a draft or a returned application can be edited."))
        return redirect("applications:detail", pk=application.pk)
    initial = {"requested_amount": application.requested_amount, **(application.answers or {})}
    form = ApplicationForm(request.POST or None, programme=application.programme, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            application_update(
                application=application,
                actor=request.user,
                requested_amount=form.cleaned_data["requested_amount"],
                answers=form.answers(),
            )
        except ValidationError as error:
            _form_add_service_error(form, error)
        else:
            if request.POST.get("and_submit"):
                return _submit_after_save(request, application)
            messages.success(request, _("Your changes are saved."))
            return redirect("applications:detail", pk=application.pk)
    return render(
        request,
        "applications/application_form.html",
        {"form": form, "programme": application.programme, "application": application},
    )


def _submit_after_save(request, application: Application):
    """ "Submit to the park" on the form: saved a moment ago, now sent, the same move as the page's button.

    Refused (documents still missing, the programme closed meanwhile): the draft is kept
    and its page says why.
    """
    resubmitting = application.status == S.RETURNED
    try:
        application_transition(application_id=application.pk, action=wf.SUBMIT, actor=request.user)
    except (TransitionRefused, ValidationError) as error:
        text = str(error.message) if isinstance(error, TransitionRefused) else _error_text(error)
        messages.error(request, _("Your draft is saved but was not sent: %(reason)s") % {"reason": text})
    else:
        if resubmitting:
            messages.success(request, _("Sent back to the park. It continues at the stage that returned it."))
        else:
            messages.success(request, _("Submitted. The park now has it; follow every stage here."))
    return redirect("applications:detail", pk=application.pk)


def _detail_parts(
    request, application: Application, *, error: str = "", upload_document=None
) -> tuple[dict, dt.datetime]:
    now = timezone.now()
    detail = application_detail_for_enterprise(
        application=application, enterprise=request.enterprise, user=request.user, now=now
    )
    from tenant_schema.programme_forms.selectors import application_form_context

    content = page_render(
        "applications/_application_detail.html",
        {
            **detail,
            **application_form_context(application),
            "programme": application.programme,
            "error": error,
            "upload_document": upload_document,
            "accept": ACCEPT,
            "max_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024),
        },
    )
    return {"title": application.programme.title, "content": content}, clocks_change_at(
        now, [application.stage_due_at]
    )


def _detail(request, application: Application, *, status: int, error: str = "", upload_document=None):
    """The page again after a refused action or upload, with the error (never kept)."""
    return enterprise_page(
        request,
        page=f"detail:{application.pk}",
        template="applications/application_detail.html",
        build=lambda: _detail_parts(request, application, error=error, upload_document=upload_document),
        kept=False,
        status=status,
    )


@enterprise_member_required
def application_detail(request, pk):
    """The timeline: every stage with its dates, who holds it now, comments, and what the enterprise can do.

    Kept until the application changes (page_cache); the scoped fetch runs only to build it.
    """
    return enterprise_page(
        request,
        page=f"detail:{pk}",
        template="applications/application_detail.html",
        build=lambda: _detail_parts(request, _own_application(request, pk)),
    )


def _error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


@require_POST
@enterprise_member_required
def application_submit(request, pk):
    application = _own_application(request, pk)
    resubmitting = application.status == S.RETURNED
    try:
        application_transition(
            application_id=application.pk,
            action=wf.SUBMIT,
            actor=request.user,
            **expected_state_from(request.POST, "expected_status", "expected_stage"),
        )
    except TransitionRefused as refused:
        # The page as it is now (a double-click: the first one submitted it), with why.
        return _detail(request, _own_application(request, pk), status=409, error=str(refused.message))
    except ValidationError as error:
        return _detail(request, application, status=400, error=_error_text(error))
    if resubmitting:
        messages.success(request, _("Sent back to the park. It continues at the stage that returned it."))
    else:
        messages.success(request, _("Submitted. The park now has it; follow every stage here."))
    return redirect("applications:detail", pk=application.pk)


@enterprise_member_required
def application_withdraw(request, pk):
    """Withdrawing cannot be undone, so it asks first (a page of its own: no script needed)."""
    application = _own_application(request, pk)
    if request.method == "POST":
        was_draft = application.status == S.DRAFT
        try:
            application_transition(
                application_id=application.pk,
                action=wf.WITHDRAW,
                actor=request.user,
                comment=request.POST.get("comment", "")[:1000],
                **expected_state_from(request.POST, "expected_status", "expected_stage"),
            )
        except TransitionRefused as refused:
            return _detail(request, _own_application(request, pk), status=409, error=str(refused.message))
        except ValidationError as error:
            return _detail(request, application, status=400, error=_error_text(error))
        if was_draft:  # never sent: gone from the list (its history row stays)
            messages.success(request, _("The draft is deleted."))
            return redirect("applications:list")
        messages.success(request, _("The application was withdrawn."))
        return redirect("applications:detail", pk=application.pk)
    if wf.WITHDRAW not in {t.action for t in wf.APPLICATION_WORKFLOW.actions_for(request.user, application)}:
        return redirect("applications:detail", pk=application.pk)
    return render(request, "applications/application_withdraw.html", {"application": application})


@require_POST
@enterprise_member_required
def attachment_upload(request, pk):
    application = _own_application(request, pk)
    document = request.POST.get("document", "")
    upload = request.FILES.get("file")
    if upload is None:
        return _detail(
            request, application, status=400, error=_("Choose a file first."), upload_document=document
        )
    try:
        attachment = attachment_add(
            application=application, actor=request.user, upload=upload, document=document
        )
    except ValidationError as error:
        message = _("“%(name)s” was not added: %(reason)s") % {
            "name": upload.name,
            "reason": _error_text(error),
        }
        return _detail(request, application, status=400, error=message, upload_document=document)
    messages.success(request, _("“%(name)s” added.") % {"name": attachment.original_name})
    return redirect(reverse("applications:detail", kwargs={"pk": application.pk}) + "#documents")


@require_POST
@enterprise_member_required
def attachment_delete(request, pk, attachment_id):
    attachment = attachment_get_for_user(user=request.user, application_pk=pk, attachment_pk=attachment_id)
    try:
        attachment_remove(attachment=attachment, actor=request.user)
    except ValidationError as error:
        return _detail(request, attachment.application, status=400, error=_error_text(error))
    messages.success(request, _("“%(name)s” removed.") % {"name": attachment.original_name})
    return redirect(reverse("applications:detail", kwargs={"pk": pk}) + "#documents")


@login_required
def attachment_download(request, pk, attachment_id):
    """The file, to whoever may see the application (its enterprise, or the park's staff); 404 otherwise."""
    attachment = attachment_get_for_user(user=request.user, application_pk=pk, attachment_pk=attachment_id)
    return attachment_response(attachment=attachment)


# ---------------------------------------------------------------------------
# Public notice (公示): no sign-in
# ---------------------------------------------------------------------------


def notice_list(request):
    """Awards on public notice now: programme, enterprise name, amount and the notice dates, nothing private."""
    return render(request, "applications/notice_list.html", {"awards": list(public_notice_list())})


@limit_posts("objection")
def objection_new(request, application_id):
    """Anyone may object to an award while it is on notice; afterwards the form says the period is over."""
    award = public_notice_get(pk=application_id)
    form = ObjectionForm(request.POST or None)
    status = 200
    on_notice = (
        award.status == S.APPROVED
        and award.current_stage is not None
        and award.current_stage.kind == Stage.Kind.NOTICE
    )
    if request.method == "POST" and form.is_valid():
        try:
            objection_file(application=award, **form.cleaned_data)
        except ValidationError as error:
            _form_add_service_error(form, error)
            status = 409 if not hasattr(error, "error_dict") else 400
        else:
            messages.success(
                request,
                _("Your objection was recorded. The park will look into it before the award is paid."),
            )
            return redirect("applications:notice")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "applications/objection_form.html",
        {"award": award, "form": form, "on_notice": on_notice},
        status=status,
    )
