"""Pages of value-added services: the enterprise's catalogue, checkout and subscriptions; the park's management.

Thin: reads through the scoped selectors (the same 404 for "not yours" and "does not
exist"), writes through the services, whose ValidationErrors are shown where they belong.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tenant_schema.enterprises.forms import form_add_service_error
from tenant_schema.enterprises.selectors import enterprise_of_user, user_is_park_admin, user_is_park_staff
from tenant_schema.enterprises.views import park_staff_required

from . import stripe_gateway
from . import workflow as wf
from .forms import (
    CheckoutForm,
    ProviderForm,
    RatingForm,
    ServiceForm,
    SubscriptionFilterForm,
    TransferAccountForm,
    TransferForm,
    VoucherForm,
)
from .models import Payment, Subscription
from .selectors import (
    access_end,
    days_left,
    provider_ranking,
    revenue_by_month,
    service_get_for_user,
    service_list,
    service_ratings,
    subscription_entitles,
    subscription_get_for_user,
    subscription_list_for_user,
    transfer_account,
    transfers_awaiting_confirmation,
    voucher_get_for_user,
    voucher_list_for_user,
)
from .services import (
    payment_sync_from_stripe,
    provider_create,
    rating_submit,
    service_create,
    service_update,
    subscription_cancel,
    subscription_checkout,
    subscription_confirm_transfer,
    subscription_pay_online,
    subscription_refund,
    subscription_request_transfer,
    transfer_account_save,
    voucher_issue,
    voucher_void,
)

PAGE_SIZE = 25


def _require_park_admin(user) -> None:
    if not user_is_park_admin(user):
        raise PermissionDenied(_("Only a park administrator can do this."))


def _own_enterprise(request):
    enterprise = enterprise_of_user(user=request.user)
    if enterprise is None:
        raise Http404("No enterprise")
    return enterprise


def _error_message(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# ---------------------------------------------------------------------------
# Enterprise pages
# ---------------------------------------------------------------------------


@login_required
def catalogue(request):
    services = service_list(user=request.user, category=request.GET.get("category", ""))
    return render(
        request,
        "billing/catalogue.html",
        {
            "services": services,
            "enterprise": enterprise_of_user(user=request.user),
            "providers": provider_ranking(),
        },
    )


@login_required
def service_detail(request, pk):
    service = service_get_for_user(user=request.user, pk=pk)
    enterprise = enterprise_of_user(user=request.user)
    rating_form = RatingForm(request.POST or None)
    if request.method == "POST":
        if rating_form.is_valid():
            try:
                rating_submit(actor=request.user, service=service, **rating_form.cleaned_data)
            except ValidationError as error:
                form_add_service_error(rating_form, error)
            else:
                messages.success(request, _("Thank you for your rating."))
                return redirect("billing:service", pk=service.pk)
    mine = (
        subscription_list_for_user(user=request.user, service_id=service.pk).exclude(
            status__in=[Subscription.Status.CANCELLED]
        )
        if enterprise
        else []
    )
    return render(
        request,
        "billing/service_detail.html",
        {
            "service": service,
            "enterprise": enterprise,
            "entitled": subscription_entitles(enterprise=enterprise, service=service),
            "access_ends_at": access_end(enterprise=enterprise, service=service),
            "subscriptions": mine,
            "has_used": enterprise is not None
            and any(s.status in (Subscription.Status.ACTIVE, Subscription.Status.EXPIRED) for s in mine),
            "ratings": service_ratings(service=service)[:20],
            "rating_form": rating_form,
        },
    )


@login_required
def checkout(request, pk):
    service = service_get_for_user(user=request.user, pk=pk)
    enterprise = _own_enterprise(request)
    renews = None
    renews_id = request.GET.get("renews") or request.POST.get("renews")
    if renews_id:
        renews = subscription_get_for_user(user=request.user, pk=renews_id)
    stripe_enabled = stripe_gateway.stripe_enabled()
    form = CheckoutForm(
        request.POST or None, service=service, enterprise=enterprise, stripe_enabled=stripe_enabled
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = subscription_checkout(
                actor=request.user,
                service=service,
                term_months=data["term_months"],
                method=data.get("method") or Payment.Method.OFFLINE,
                voucher_code=data.get("voucher_code", ""),
                renews=renews,
            )
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            if result.redirect_url:
                return redirect(result.redirect_url)
            if result.subscription.status == Subscription.Status.ACTIVE:
                messages.success(request, _("Your subscription is active."))
            else:
                messages.success(
                    request, _("Order placed. Transfer the amount; the park confirms on receipt.")
                )
            return redirect("billing:subscription", pk=result.subscription.pk)
    return render(
        request,
        "billing/checkout.html",
        {
            "service": service,
            "enterprise": enterprise,
            "form": form,
            "renews": renews,
            "current_end": access_end(enterprise=enterprise, service=service),
            "stripe_enabled": stripe_enabled,
        },
        status=400 if request.method == "POST" else 200,  # a POST that comes back here was refused
    )


@login_required
def my_subscriptions(request):
    enterprise = _own_enterprise(request)
    subscriptions = list(
        subscription_list_for_user(user=request.user).exclude(status=Subscription.Status.CANCELLED)
    )
    for subscription in subscriptions:
        subscription.days_left = days_left(subscription)
    return render(
        request,
        "billing/my_subscriptions.html",
        {
            "enterprise": enterprise,
            "subscriptions": subscriptions,
            "vouchers": voucher_list_for_user(user=request.user),
        },
    )


@login_required
def subscription_detail(request, pk):
    subscription = subscription_get_for_user(user=request.user, pk=pk)
    session_id = request.GET.get("session_id", "")
    if (
        subscription.status == Subscription.Status.PENDING_PAYMENT
        and session_id
        and stripe_gateway.stripe_enabled()
    ):
        # Back from Stripe: ask Stripe now rather than wait for the webhook (both are idempotent).
        payment = subscription.payments.filter(stripe_session_id=session_id).first()
        if payment is not None:
            try:
                payment_sync_from_stripe(payment=payment)
            except Exception:
                pass
            subscription = subscription_get_for_user(user=request.user, pk=pk)
    if (
        request.GET.get("checkout") == "cancelled"
        and subscription.status == Subscription.Status.PENDING_PAYMENT
    ):
        messages.info(
            request, _("The payment was not completed. Your order is kept: pay again, or cancel it.")
        )
    subscription.days_left = days_left(subscription)
    return render(
        request,
        "billing/subscription_detail.html",
        {
            "subscription": subscription,
            "payments": subscription.payments.all(),
            "history": subscription.history.all(),
            "is_own": enterprise_of_user(user=request.user) is not None,
            "is_park_admin": user_is_park_admin(request.user),
            # The moves this person may take now (cancel, refund): the service's own check.
            "actions": {t.action for t in wf.SUBSCRIPTION_WORKFLOW.actions_for(request.user, subscription)},
            # Who acted is named to park staff only, as on applications' timelines.
            "show_actor": user_is_park_staff(request.user),
            "stripe_enabled": stripe_gateway.stripe_enabled(),
            "transfer_form": TransferForm(),
            "awaiting_transfer": subscription.payments.filter(
                method=Payment.Method.OFFLINE, status=Payment.Status.PENDING
            ).exists(),
            "transfer_account": transfer_account(),
        },
    )


@require_POST
@login_required
def subscription_pay(request, pk):
    subscription = subscription_get_for_user(user=request.user, pk=pk)
    _own_enterprise(request)
    try:
        payment = subscription_pay_online(actor=request.user, subscription=subscription)
    except ValidationError as error:
        _error_message(request, error)
        return redirect("billing:subscription", pk=subscription.pk)
    return redirect(payment.checkout_url)


@require_POST
@login_required
def subscription_transfer(request, pk):
    subscription = subscription_get_for_user(user=request.user, pk=pk)
    _own_enterprise(request)
    form = TransferForm(request.POST)
    try:
        form.is_valid()
        subscription_request_transfer(
            actor=request.user, subscription=subscription, reference=form.cleaned_data.get("reference", "")
        )
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("The park will confirm your transfer on receipt."))
    return redirect("billing:subscription", pk=subscription.pk)


@require_POST
@login_required
def subscription_cancel_view(request, pk):
    subscription = subscription_get_for_user(user=request.user, pk=pk)
    try:
        subscription_cancel(actor=request.user, subscription=subscription)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("The order is cancelled."))
    return redirect("billing:subscription", pk=subscription.pk)


# ---------------------------------------------------------------------------
# Park pages
# ---------------------------------------------------------------------------


@park_staff_required
def park_catalogue(request):
    return render(
        request,
        "billing/park_catalogue.html",
        {
            "services": service_list(user=request.user, include_inactive=True),
            "providers": provider_ranking(),
            "can_change": user_is_park_admin(request.user),
            "awaiting_count": transfers_awaiting_confirmation().count(),
        },
    )


@park_staff_required
def park_service_form(request, pk=None):
    _require_park_admin(request.user)
    service = service_get_for_user(user=request.user, pk=pk) if pk else None
    form = ServiceForm(request.POST or None, service=service)
    if request.method == "POST" and form.is_valid():
        try:
            if service is None:
                service = service_create(actor=request.user, **form.cleaned_data)
            else:
                service = service_update(actor=request.user, service=service, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": service.name})
            return redirect("billing:park_catalogue")
    return render(request, "billing/park_service_form.html", {"form": form, "service": service})


@park_staff_required
def park_provider_new(request):
    _require_park_admin(request.user)
    form = ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            provider = provider_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("“%(name)s” is added.") % {"name": provider.name})
            return redirect("billing:park_catalogue")
    return render(request, "billing/park_provider_form.html", {"form": form})


@park_staff_required
def park_subscriptions(request):
    filter_form = SubscriptionFilterForm(request.GET or None)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    subscriptions = subscription_list_for_user(
        user=request.user, status=filters.get("status", ""), search=filters.get("q", "")
    ).prefetch_related("payments")
    page = Paginator(subscriptions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "billing/park_subscriptions.html",
        {
            "filter_form": filter_form,
            "page": page,
            "subscriptions": page.object_list,
            "awaiting": transfers_awaiting_confirmation(),
            "can_change": user_is_park_admin(request.user),
            "transfer_account": transfer_account(),
        },
    )


@park_staff_required
def park_transfer_account(request):
    """The park's bank account for transfers, shown on every order waiting for a transfer."""
    _require_park_admin(request.user)
    account = transfer_account()
    form = TransferAccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        try:
            transfer_account_save(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, _("The bank account is saved; enterprises now see it on their orders."))
            return redirect("billing:park_subscriptions")
    return render(request, "billing/park_transfer_account.html", {"form": form, "account": account})


@require_POST
@park_staff_required
def park_confirm_transfer(request, pk):
    subscription = subscription_get_for_user(user=request.user, pk=pk)
    _require_park_admin(request.user)
    try:
        subscription = subscription_confirm_transfer(
            actor=request.user, subscription=subscription, reference=request.POST.get("reference", "")
        )
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(
            request,
            _("Transfer confirmed: %(enterprise)s can use “%(service)s”.")
            % {"enterprise": subscription.enterprise.name, "service": subscription.service.name},
        )
    return redirect("billing:park_subscriptions")


@require_POST
@park_staff_required
def park_refund(request, pk):
    subscription = subscription_get_for_user(user=request.user, pk=pk)
    _require_park_admin(request.user)
    try:
        subscription_refund(actor=request.user, subscription=subscription)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("Refunded; access has ended."))
    return redirect("billing:subscription", pk=subscription.pk)


@park_staff_required
def park_vouchers(request):
    can_change = user_is_park_admin(request.user)
    form = VoucherForm(request.POST or None)
    if request.method == "POST":
        _require_park_admin(request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("credit_code")
            try:
                voucher = voucher_issue(actor=request.user, **data)
            except ValidationError as error:
                form_add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Voucher %(code)s issued to %(enterprise)s.")
                    % {"code": voucher.code, "enterprise": voucher.enterprise.name},
                )
                return redirect("billing:park_vouchers")
    page = Paginator(voucher_list_for_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for voucher in page.object_list:  # withdrawing it is offered exactly when the service would accept it
        voucher.voidable = any(
            t.action == wf.VOID for t in wf.VOUCHER_WORKFLOW.actions_for(request.user, voucher)
        )
    return render(
        request,
        "billing/park_vouchers.html",
        {
            "form": form,
            "page": page,
            "vouchers": page.object_list,
            "can_change": can_change,
            "show_actor": True,
        },
    )


@require_POST
@park_staff_required
def park_voucher_void(request, pk):
    voucher = voucher_get_for_user(user=request.user, pk=pk)
    _require_park_admin(request.user)
    try:
        voucher_void(actor=request.user, voucher=voucher)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("Voucher %(code)s withdrawn.") % {"code": voucher.code})
    return redirect("billing:park_vouchers")


@park_staff_required
def park_revenue(request):
    _require_park_admin(request.user)  # the money is the administrator's; a reviewer reviews
    return render(
        request,
        "billing/park_revenue.html",
        {"months": revenue_by_month(), "providers": provider_ranking()},
    )
