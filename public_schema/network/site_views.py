"""The institution's own site: its dashboard, its pool entry (入库), its products and its people.

Thin: every read is a selector scoped to the site's tenant (`request.tenant`), every write
a service; the buttons come from the workflow's `actions_for`, the same guard the service
applies.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from saas.workflow import TransitionRefused, expected_state_from

from . import workflow as wf
from .access import institution_staff_required, is_institution_admin
from .dashboard_sections import dashboard_sections_for
from .forms import ProductForm, ProfileForm, StaffInviteForm
from .models import InstitutionProfile
from .selectors import (
    admission_history_for,
    admission_timeline,
    institution_product_counts,
    institution_product_get,
    institution_products,
    institution_profile_of,
    institution_staff_list,
)
from .services import (
    admission_transition,
    institution_profile_update,
    institution_staff_invite,
    network_product_create,
    network_product_unpublish,
    network_product_update,
)


def expected_status(data) -> dict | None:
    """The status the page offered the action from (templates/_expected_state.html), as transition_apply wants it."""
    sent = expected_state_from(data, "expected_status")
    return {"status": sent["expected_status"]} if sent else None


def missing_labels(error: ValidationError) -> str:
    names = error.message_dict if hasattr(error, "error_dict") else {}
    if not names:
        return " ".join(error.messages)
    return "、".join(str(InstitutionProfile._meta.get_field(name).verbose_name) for name in names)


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@institution_staff_required
def dashboard(request):
    profile = institution_profile_of(tenant=request.tenant)
    return render(
        request,
        "network/dashboard.html",
        {
            "profile": profile,
            "timeline": admission_timeline(profile=profile),
            "history": admission_history_for(profile=profile),
            "actions": wf.ADMISSION_WORKFLOW.actions_for(request.user, profile),
            "counts": institution_product_counts(institution=request.tenant),
            "missing": wf.profile_missing_fields(profile),
            "is_institution_admin": is_institution_admin(request),
            "sections": dashboard_sections_for(request),
        },
    )


@institution_staff_required
def profile_detail(request):
    profile = institution_profile_of(tenant=request.tenant)
    return render(
        request,
        "network/profile.html",
        {
            "profile": profile,
            "actions": wf.ADMISSION_WORKFLOW.actions_for(request.user, profile),
            "is_institution_admin": is_institution_admin(request),
        },
    )


@institution_staff_required(admin=True)
def profile_edit(request):
    profile = institution_profile_of(tenant=request.tenant)
    form = ProfileForm(request.POST or None, instance=profile, initial={"serves": list(profile.serves.all())})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        serves = data.pop("serves")
        try:
            institution_profile_update(profile=profile, actor=request.user, serves=serves, **data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The profile is saved."))
            return redirect("institution:profile")
    return render(request, "network/profile_form.html", {"form": form, "profile": profile})


@require_POST
@institution_staff_required(admin=True)
def profile_submit(request):
    profile = institution_profile_of(tenant=request.tenant)
    try:
        admission_transition(
            profile_id=profile.pk,
            action=wf.SUBMIT,
            actor=request.user,
            expected=expected_status(request.POST),
        )
    except ValidationError as error:
        messages.error(
            request, _("Complete the profile first: %(fields)s.") % {"fields": missing_labels(error)}
        )
        return redirect("institution:profile_edit")
    except TransitionRefused as refused:
        messages.error(request, str(refused.message))
        return redirect("institution:dashboard")
    messages.success(request, _("Submitted: the city hub reviews your application to the pool."))
    return redirect("institution:dashboard")


@institution_staff_required
def product_list(request):
    profile = institution_profile_of(tenant=request.tenant)
    return render(
        request,
        "network/products.html",
        {"profile": profile, "products": institution_products(institution=request.tenant)},
    )


def _product_form_page(request, *, product=None):
    profile = institution_profile_of(tenant=request.tenant)
    initial = None
    if product is not None:
        initial = {
            "name": product.name,
            "category": product.category,
            "description": product.description,
            "price": product.price,
            "term_months": product.term_months or "",
            "delivery_days": product.delivery_days,
            "serves": list(product.serves.all()),
            "is_published": product.is_published,
        }
    else:
        initial = {"delivery_days": 10, "is_published": profile.may_sell}
    form = ProductForm(request.POST or None, initial=initial, profile=profile)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        serves = data.pop("serves")
        try:
            if product is None:
                network_product_create(institution=request.tenant, actor=request.user, serves=serves, **data)
            else:
                network_product_update(product=product, actor=request.user, serves=serves, **data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The product is saved."))
            return redirect("institution:products")
    return render(
        request, "network/product_form.html", {"form": form, "product": product, "profile": profile}
    )


@institution_staff_required
def product_new(request):
    return _product_form_page(request)


@institution_staff_required
def product_edit(request, pk):
    return _product_form_page(request, product=institution_product_get(institution=request.tenant, pk=pk))


@require_POST
@institution_staff_required
def product_unpublish(request, pk):
    product = institution_product_get(institution=request.tenant, pk=pk)
    network_product_unpublish(product=product, actor=request.user)
    messages.success(request, _("“%(name)s” is off the catalogue.") % {"name": product.name})
    return redirect("institution:products")


@institution_staff_required(admin=True)
def staff(request):
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = institution_staff_invite(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("An invitation is on its way to %(email)s.") % {"email": user.email})
            return redirect("institution:staff")
    return render(request, "network/staff.html", {"form": form, "people": institution_staff_list()})
