"""Pages of network orders.

On a sub-platform's site: the network catalogue (服务超市) beside the park's own services,
a product with its institution's evaluation and the order form, the enterprise's orders and
one order's timeline; the park's staff read their enterprises' orders. On an institution's
site (institution_urls.py): the desk of new, due and overdue orders, and one order with its
steps. Every order is fetched through `order_get_for_user` (the same 404 for "not yours"),
and the buttons shown are `workflow.actions_for`, the check the service applies.
"""

import uuid
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from public_schema.network.models import ServiceCategory
from saas.attachments import ACCEPT, attachment_response
from saas.workflow import TransitionRefused
from tenant_schema.enterprises.selectors import enterprise_of_user
from tenant_schema.enterprises.views import park_staff_required

from . import workflow as wf
from .selectors import (
    current_tenant,
    institution_evaluations,
    network_product_get_visible,
    network_product_list_visible,
    order_file_get_for_user,
    order_get_for_user,
    order_history,
    order_is_pending,
    order_list_for_user,
    order_queue_for_institution,
    order_viewer_kind,
    orders_pending,
    vouchers_usable_for,
)
from .services import (
    CONTACT_ENTERPRISE,
    CONTACT_ME,
    PAY_OFFLINE,
    PAY_STRIPE,
    order_checkout_start,
    order_place,
    order_step,
)


def _decimal(value):
    try:
        return Decimal(value) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _filters(query) -> dict:
    category = query.get("category", "")
    return {
        "category": category if category in ServiceCategory.values else None,
        "price_min": _decimal(query.get("price_min")),
        "price_max": _decimal(query.get("price_max")),
        "free_only": query.get("free_only") == "1",
    }


@login_required
def catalogue(request):
    """The network's products offered to this sub-platform, filtered by category, price and rating."""
    filters = _filters(request.GET)
    products = list(network_product_list_visible(tenant=current_tenant(), **filters))
    evaluations = institution_evaluations(institution_ids=sorted({p.institution_id for p in products}))
    min_rating = _decimal(request.GET.get("min_rating"))
    for product in products:
        product.evaluation = evaluations.get(product.institution_id)
    if min_rating is not None:
        products = [
            p for p in products if p.evaluation.rating_average and p.evaluation.rating_average >= min_rating
        ]
    return render(
        request,
        "network_orders/catalogue.html",
        {
            "products": products,
            "categories": ServiceCategory.choices,
            "filters": {**{k: v for k, v in request.GET.items()}},
            "enterprise": enterprise_of_user(user=request.user),
        },
    )


@login_required
def product_detail(request, pk):
    """A product, its institution's figures, and the order form (the enterprise picks the contact to share)."""
    product = network_product_get_visible(tenant=current_tenant(), pk=pk)
    evaluation = institution_evaluations(institution_ids=[product.institution_id])[product.institution_id]
    enterprise = enterprise_of_user(user=request.user)
    error = None
    if request.method == "POST":
        if enterprise is None:
            raise Http404("No such page")
        try:
            order = order_place(
                actor=request.user,
                product_id=product.pk,
                share_contact=request.POST.get("share_contact", CONTACT_ENTERPRISE),
                note=request.POST.get("note", "")[:2000],
                reference=request.POST.get("reference") or None,
                voucher_id=request.POST.get("voucher_id") or None,
                payment_method=request.POST.get("payment_method", PAY_OFFLINE),
            )
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
        else:
            messages.success(request, _("Your order is on its way to the institution."))
            return redirect("network_orders:order", pk=order.pk)
    return render(
        request,
        "network_orders/product_detail.html",
        {
            "product": product,
            "evaluation": evaluation,
            "enterprise": enterprise,
            "reference": uuid.uuid4(),  # the form's order number: a second submit is the same order
            "contact_choices": [(CONTACT_ENTERPRISE, _("The enterprise's contact")), (CONTACT_ME, _("Me"))],
            "vouchers": (vouchers_usable_for(enterprise=enterprise, product=product) if enterprise else []),
            "payment_choices": [
                (PAY_OFFLINE, _("Bank transfer (对公转账)")),
                (PAY_STRIPE, _("Online payment (Stripe Checkout)")),
            ],
            "error": error,
        },
        status=400 if error else 200,
    )


def _order_page(request, order, *, template: str, status: int = 200, error: str | None = None):
    # Delivery files are served on the institution's site only, to its staff (they stay in its schema).
    files_downloadable = template == "network_orders/institution_order.html"
    return render(
        request,
        template,
        {
            "order": order,
            "history": order_history(order=order),
            "pending": order_is_pending(order=order),
            "overdue": order.is_overdue(timezone.now()),
            "actions": [t.action for t in wf.actions_for(request.user, order)],
            "pay_online": (
                order.is_buyer_side
                and order.payment_method == order.PaymentMethod.STRIPE
                and order.payment_status == order.PaymentStatus.DUE
                and order.status not in (wf.S.CANCELLED, wf.S.REFUSED)
                and wf._is_buyer(request.user, order)
            ),
            "error": error,
            "ratings": range(5, 0, -1),
            "accept_files": ACCEPT,
            "files": list(order.files.all()) if files_downloadable else [],
            "files_downloadable": files_downloadable,
        },
        status=status,
    )


def _list_page(request, orders, template: str, **context):
    orders = list(orders)
    pending = orders_pending(references=[o.reference for o in orders])
    for order in orders:
        order.pending = order.reference in pending
    return render(request, template, {"orders": orders, "statuses": wf.S.choices, **context})


@login_required
def my_orders(request):
    if order_viewer_kind(user=request.user) == "park":
        return redirect("network_orders:park_orders")
    if order_viewer_kind(user=request.user) != "buyer":
        raise Http404("No such page")
    return _list_page(
        request,
        order_list_for_user(user=request.user, status=request.GET.get("status") or None),
        "network_orders/my_orders.html",
    )


@park_staff_required
def park_orders(request):
    """The park's enterprises' network orders, read only: the park follows, the two sides act."""
    return _list_page(
        request,
        order_list_for_user(user=request.user, status=request.GET.get("status") or None),
        "network_orders/park_orders.html",
    )


@login_required
def order_detail(request, pk):
    return _order_page(
        request, order_get_for_user(user=request.user, pk=pk), template="network_orders/order_detail.html"
    )


def act(request, pk, *, template: str, success_url: str):
    """Take the step named in the form on the order; a refused one shows the page again with the reason."""
    order = order_get_for_user(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    if action not in wf.ACTIONS:
        raise Http404("No such action")
    fields = {
        name: request.POST[name]
        for name in ("delivery_note", "rating", "rating_comment", "transfer_reference")
        if request.POST.get(name)
    }
    if request.FILES:
        fields["uploads"] = request.FILES.getlist("files")
    try:
        order_step(
            order=order,
            action=action,
            actor=request.user,
            comment=request.POST.get("comment", ""),
            expected_status=request.POST.get("expected_status") or None,
            **fields,
        )
    except TransitionRefused as refused:
        return _order_page(
            request,
            order_get_for_user(user=request.user, pk=pk),
            template=template,
            status=409,
            error=str(refused.message),
        )
    except ValidationError as invalid:
        return _order_page(
            request,
            order_get_for_user(user=request.user, pk=pk),
            template=template,
            status=400,
            error=" ".join(invalid.messages),
        )
    messages.success(request, wf.action_label(action) + " ✓")
    return redirect(success_url, pk=pk)


@login_required
@require_POST
def order_act(request, pk):
    return act(request, pk, template="network_orders/order_detail.html", success_url="network_orders:order")


@login_required
@require_POST
def order_pay(request, pk):
    """Pay the order's remainder by Stripe Checkout: off to Stripe's page; the webhook records the payment."""
    order = order_get_for_user(user=request.user, pk=pk)
    back = request.build_absolute_uri(reverse("network_orders:order", kwargs={"pk": order.pk}))
    try:
        url = order_checkout_start(
            order=order, actor=request.user, success_url=f"{back}?paid=1", cancel_url=back
        )
    except TransitionRefused as refused:
        return _order_page(
            request,
            order,
            template="network_orders/order_detail.html",
            status=409,
            error=str(refused.message),
        )
    return redirect(url)


# ---------------------------------------------------------------------------
# The institution's site
# ---------------------------------------------------------------------------


def institution_staff_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if order_viewer_kind(user=request.user) != "seller":
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@institution_staff_required
def institution_desk(request):
    """New orders to accept, accepted orders to deliver, and the overdue ones first; then every order."""
    queue = order_queue_for_institution(user=request.user)
    return _list_page(
        request,
        order_list_for_user(user=request.user, status=request.GET.get("status") or None),
        "network_orders/institution_desk.html",
        queue=queue,
    )


@institution_staff_required
def institution_order(request, pk):
    return _order_page(
        request,
        order_get_for_user(user=request.user, pk=pk),
        template="network_orders/institution_order.html",
    )


@institution_staff_required
@require_POST
def institution_order_act(request, pk):
    return act(
        request,
        pk,
        template="network_orders/institution_order.html",
        success_url="network_orders_institution:order",
    )


@institution_staff_required
def institution_order_file(request, pk, file_pk):
    """A file of the institution's delivery record, for its own staff."""
    return attachment_response(attachment=order_file_get_for_user(user=request.user, order_pk=pk, pk=file_pk))
