"""Enterprise pages: self-registration, the enterprise's own profile, and the park's enterprise register.

Views stay thin: they read through the selectors (which scope every fetch and give the same 404
for "not yours" and "does not exist") and write through the services, whose ValidationErrors are
shown on the form fields they name.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from saas.ratelimits import limit_posts

from . import workflow as wf
from .forms import (
    EnterpriseFilterForm,
    EnterpriseProfileForm,
    FiguresForm,
    MemberInviteForm,
    ParkEnterpriseForm,
    RegistrationForm,
    RejectForm,
    form_add_service_error,
)
from .models import Enterprise, Membership
from .selectors import (
    enterprise_get_for_user,
    enterprise_list_for_user,
    enterprise_of_user,
    user_is_park_admin,
    user_is_park_staff,
    user_may_read_register,
    verification_history,
)
from .services import (
    FIGURE_FIELDS,
    enterprise_create,
    enterprise_register,
    enterprise_reject,
    enterprise_resubmit,
    enterprise_update,
    enterprise_verify,
    figures_upsert,
    member_invite,
)

PAGE_SIZE = 25
# Registration logs the new owner in at once; they have no password-based authenticate() step.
LOGIN_BACKEND = "every_schema.accounts.backends.UserBackend"


# ---------------------------------------------------------------------------
# Access
# ---------------------------------------------------------------------------


def park_staff_required(view):
    """Park administrators and reviewers only; anyone else signed in gets the 404 of a page that is not there."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not user_is_park_staff(request.user):
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return wrapped


def _require_park_admin(user) -> None:
    """Reviewers may look at everything but change nothing."""
    if not user_is_park_admin(user):
        raise PermissionDenied(_("Only a park administrator can change enterprises."))


def _own_enterprise(request) -> Enterprise:
    enterprise = enterprise_of_user(user=request.user)
    if enterprise is None:
        raise Http404("No enterprise")
    return enterprise


def _is_owner(user, enterprise: Enterprise) -> bool:
    membership = getattr(user, "membership", None)
    return (
        membership is not None
        and membership.enterprise_id == enterprise.pk
        and membership.role == Membership.Role.OWNER
    )


# ---------------------------------------------------------------------------
# Self-registration
# ---------------------------------------------------------------------------


@limit_posts("register")
def register(request):
    """One short page; on success the owner is signed in and lands on the enterprise's profile."""
    if request.user.is_authenticated:
        return redirect("enterprises:profile" if enterprise_of_user(user=request.user) else "home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = enterprise_register(
                credit_code=data["credit_code"],
                name=data["name"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                email=data["email"],
                password=data["password"],
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            login(request, registration.user, backend=LOGIN_BACKEND)
            messages.success(request, _("Your enterprise is registered. Welcome!"))
            return redirect("enterprises:profile")
    return render(request, "enterprises/register.html", {"form": form})


# ---------------------------------------------------------------------------
# The enterprise's own pages
# ---------------------------------------------------------------------------


@login_required
def profile(request):
    enterprise = enterprise_of_user(user=request.user)
    if enterprise is None:
        if user_may_read_register(request.user):
            return redirect("enterprises:park_list")
        if user_is_park_staff(request.user):  # a reviewer: its work, not the register
            return redirect("applications_staff:queue")
        raise Http404("No enterprise")
    return render(
        request,
        "enterprises/profile.html",
        {
            "enterprise": enterprise,
            "figures": enterprise.yearly_figures.all(),
            "tags": enterprise.tags.all(),
            "is_owner": _is_owner(request.user, enterprise),
            "actions": {t.action for t in wf.VERIFICATION_WORKFLOW.actions_for(request.user, enterprise)},
            # Who at the park decided is shown to park staff only, as on applications' timelines.
            "verification_history": verification_history(enterprise=enterprise),
            "show_actor": False,
        },
    )


@login_required
def profile_edit(request):
    enterprise = _own_enterprise(request)
    form = EnterpriseProfileForm(request.POST or None, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        resubmit = "resubmit" in request.POST and any(
            t.action == wf.RESUBMIT for t in wf.VERIFICATION_WORKFLOW.actions_for(request.user, enterprise)
        )
        try:
            with transaction.atomic():
                enterprise = enterprise_update(
                    enterprise=enterprise, actor=request.user, **form.profile_changes()
                )
                if resubmit:
                    enterprise = enterprise_resubmit(enterprise=enterprise, actor=request.user)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            if resubmit:
                messages.success(request, _("Saved and sent to the park for verification again."))
            else:
                messages.success(request, _("Profile saved."))
            return redirect("enterprises:profile")
    return render(request, "enterprises/profile_edit.html", {"enterprise": enterprise, "form": form})


@require_POST
@login_required
def resubmit(request):
    enterprise = _own_enterprise(request)
    try:
        enterprise_resubmit(enterprise=enterprise, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Sent to the park for verification again."))
    return redirect("enterprises:profile")


@login_required
def figures(request):
    """Add a year's figures, or correct one: ?year=2024 fills the form with what was recorded."""
    enterprise = _own_enterprise(request)
    rows = enterprise.yearly_figures.all()
    year = request.GET.get("year", "")
    correcting = rows.filter(year=int(year)).first() if year.isdigit() else None
    initial = {"year": timezone.localdate().year - 1}  # last year's figures are the ones usually asked for
    if correcting is not None:
        initial = {field: getattr(correcting, field) for field in ("year", *FIGURE_FIELDS)}
    form = FiguresForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            row = figures_upsert(enterprise=enterprise, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("Figures for %(year)d saved.") % {"year": row.year})
            return redirect("enterprises:figures")
    return render(
        request,
        "enterprises/figures.html",
        {"enterprise": enterprise, "figures": rows, "form": form, "correcting": correcting},
    )


@login_required
def members(request):
    """Everyone sees their colleagues; the owner invites new ones by email."""
    enterprise = _own_enterprise(request)
    is_owner = _is_owner(request.user, enterprise)
    form = MemberInviteForm(request.POST or None)
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied(_("Only the enterprise's owner can invite colleagues."))
        if form.is_valid():
            try:
                membership = member_invite(enterprise=enterprise, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(email)s is invited and will get an email to choose a password.")
                    % {"email": membership.user.email},
                )
                return redirect("enterprises:members")
    return render(
        request,
        "enterprises/members.html",
        {
            "enterprise": enterprise,
            "memberships": enterprise.memberships.select_related("user", "user__invitation").order_by(
                "-role", "created_at"
            ),
            "is_owner": is_owner,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,  # a POST that comes back here was refused
    )


# ---------------------------------------------------------------------------
# The park's pages
# ---------------------------------------------------------------------------


@park_staff_required
def park_list(request):
    if not user_may_read_register(request.user):
        raise PermissionDenied(_("Only a park administrator can read the register of enterprises."))
    filter_form = EnterpriseFilterForm(request.GET or None)
    filters = filter_form.selector_filters() if request.GET else {}
    enterprises = enterprise_list_for_user(user=request.user, **filters)
    page = Paginator(enterprises, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enterprises/park_list.html",
        {
            "filter_form": filter_form,
            "page": page,
            "enterprises": page.object_list,
            "is_filtered": any(value not in ("", None) for value in filters.values()),
            "filters_open": sum(
                1 for name, value in filters.items() if name != "search" and value not in ("", None)
            ),
            "pending_count": enterprise_list_for_user(
                user=request.user, status=Enterprise.Status.PENDING
            ).count(),
            "can_change": user_is_park_admin(request.user),
        },
    )


def _detail_context(request, enterprise: Enterprise, *, reject_form: RejectForm | None = None) -> dict:
    return {
        "enterprise": enterprise,
        "figures": enterprise.yearly_figures.all(),
        "tags": enterprise.tags.all(),
        "memberships": enterprise.memberships.select_related("user", "user__invitation").order_by(
            "-role", "created_at"
        ),
        "can_change": user_is_park_admin(request.user),
        # The verification moves this person may take now: the service's own check.
        "actions": {t.action for t in wf.VERIFICATION_WORKFLOW.actions_for(request.user, enterprise)},
        "reject_form": reject_form or RejectForm(),
        "verification_history": verification_history(enterprise=enterprise),
        "show_actor": True,
    }


@park_staff_required
def park_detail(request, pk):
    enterprise = enterprise_get_for_user(user=request.user, pk=pk)
    return render(request, "enterprises/park_detail.html", _detail_context(request, enterprise))


@require_POST
@park_staff_required
def park_verify(request, pk):
    enterprise = enterprise_get_for_user(user=request.user, pk=pk)
    _require_park_admin(request.user)
    enterprise = enterprise_verify(enterprise=enterprise, actor=request.user)
    messages.success(request, _("“%(name)s” is verified.") % {"name": enterprise.name})
    return redirect("enterprises:park_detail", pk=enterprise.pk)


@require_POST
@park_staff_required
def park_reject(request, pk):
    enterprise = enterprise_get_for_user(user=request.user, pk=pk)
    _require_park_admin(request.user)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            enterprise = enterprise_reject(
                enterprise=enterprise, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(
                request,
                _("“%(name)s” is rejected; the enterprise sees your reason.") % {"name": enterprise.name},
            )
            return redirect("enterprises:park_detail", pk=enterprise.pk)
    return render(
        request, "enterprises/park_detail.html", _detail_context(request, enterprise, reject_form=form)
    )


@require_POST
@park_staff_required
def park_invitation_resend(request, pk, membership_pk):
    """A park administrator sends a member's unaccepted invitation again (a new link; the old ones stop working)."""
    from every_schema.accounts.services import invitation_resend

    enterprise = enterprise_get_for_user(user=request.user, pk=pk)
    _require_park_admin(request.user)
    membership = enterprise.memberships.select_related("user").filter(pk=membership_pk).first()
    if membership is None:
        raise Http404("No such member")
    try:
        invitation_resend(user=membership.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("A new invitation to %(email)s is on its way; the earlier links no longer work.")
            % {"email": membership.user.email},
        )
    return redirect("enterprises:park_detail", pk=enterprise.pk)


@park_staff_required
def park_edit(request, pk):
    enterprise = enterprise_get_for_user(user=request.user, pk=pk)
    _require_park_admin(request.user)
    form = ParkEnterpriseForm(request.POST or None, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        if changes["credit_code"] == enterprise.credit_code:
            del changes["credit_code"]  # only a real change needs the park administrator's right to make it
        try:
            enterprise = enterprise_update(enterprise=enterprise, actor=request.user, **changes)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("enterprises:park_detail", pk=enterprise.pk)
    return render(request, "enterprises/park_form.html", {"enterprise": enterprise, "form": form})


@park_staff_required
def park_new(request):
    """An enterprise added by the park is verified at once: the park vouches for it."""
    _require_park_admin(request.user)
    form = ParkEnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = enterprise_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("“%(name)s” is added.") % {"name": enterprise.name})
            return redirect("enterprises:park_detail", pk=enterprise.pk)
    return render(request, "enterprises/park_form.html", {"enterprise": None, "form": form})
