"""Writes of network orders: placing one, and every later step on either side.

The crossing (STYLE.md, "Crossing a tenant boundary"): each service writes only its own
schema's row and, in the same transaction, one envelope (public_schema.network.handoff_send)
that the other side's receiver applies (handoff_receivers.py). Placing sends "order.placed"
(the seller's row is made from it); each later step sends "order.event" keyed
`order:<reference>:<action>`, so a retried request or a replayed envelope is one step.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from public_schema.network.handoffs import handoff_send
from public_schema.network.services import institution_evaluation_publish
from public_schema.tenants.models import Tenant
from public_schema.voucher_schemes.models import NetworkVoucher
from public_schema.voucher_schemes.services import voucher_delivered, voucher_release, voucher_spend
from saas.attachments import upload_checked, upload_original_name
from saas.workdays import working_days_after
from saas.workflow import StaleAction, TransitionRefused, transition_apply
from tenant_schema.billing import stripe_gateway
from tenant_schema.billing.services import add_months
from tenant_schema.enterprises.models import Enterprise
from tenant_schema.enterprises.selectors import enterprise_of_user

from . import workflow as wf
from .models import NetworkOrder, NetworkOrderFile, NetworkOrderHistory
from .selectors import current_tenant, institution_evaluation_figures, network_product_get_visible

S = NetworkOrder.Status
P = NetworkOrder.PaymentStatus
ACCEPTANCE_WORKING_DAYS = 2  # an institution accepts or refuses within 2 working days (issue 17)

# The fields of the order both sides hold: the envelope of "order.placed" carries exactly these.
SHARED_FIELDS = (
    "reference",
    "status",
    "product_id",
    "product_name",
    "product_category",
    "price",
    "term_months",
    "delivery_days",
    "institution_tenant_id",
    "institution_name",
    "buyer_tenant_id",
    "buyer_tenant_name",
    "enterprise_name",
    "enterprise_credit_code",
    "contact_name",
    "contact_phone",
    "contact_email",
    "note",
    "payment_method",
    "payment_status",
    "voucher_discount",
    "voucher_code",
    "amount_due",
    "placed_at",
    "acceptance_due_at",
)

CONTACT_ENTERPRISE, CONTACT_ME = "enterprise", "me"
# How the enterprise pays what a voucher leaves (the remainder): the choices of the order form.
PAY_OFFLINE, PAY_STRIPE = NetworkOrder.PaymentMethod.OFFLINE, NetworkOrder.PaymentMethod.STRIPE
REMAINDER_METHODS = (PAY_OFFLINE, PAY_STRIPE)


def _json(value):
    """A field value as the envelope's JSON carries it (the receiver parses it with the field)."""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def shared_fields_of(order: NetworkOrder, names) -> dict:
    return {name: _json(getattr(order, name)) for name in names}


def fields_parsed(values: dict) -> dict:
    """The envelope's JSON values back as the model's field values."""
    return {name: NetworkOrder._meta.get_field(name).to_python(value) for name, value in values.items()}


def _contact(*, choice: str, enterprise: Enterprise, actor) -> dict:
    if choice == CONTACT_ME:
        return {
            "contact_name": actor.full_name or actor.email,
            "contact_phone": actor.phone,
            "contact_email": actor.email,
        }
    if choice == CONTACT_ENTERPRISE:
        return {
            "contact_name": enterprise.contact_name or enterprise.name,
            "contact_phone": enterprise.contact_phone,
            "contact_email": enterprise.contact_email,
        }
    raise ValidationError({"share_contact": _("Choose which contact the institution may see.")})


def order_place(
    *,
    actor,
    product_id: int,
    share_contact: str = CONTACT_ENTERPRISE,
    note: str = "",
    reference: str | None = None,
    voucher_id: int | None = None,
    payment_method: str = PAY_OFFLINE,
) -> NetworkOrder:
    """An enterprise orders a network product: its own row and the envelope, in one transaction.

    Only a verified enterprise of a sub-platform the product is offered to may order. The
    institution sees only the enterprise's name, credit code, the contact it chose to share
    and its message. `reference` (a UUID the order form or an API client made) makes a
    repeated submit the same order: the first is returned.

    A voucher (`voucher_id`, one of the enterprise's network vouchers) is spent in the same
    transaction (voucher_schemes.voucher_spend, under its scheme's lock: two orders never
    spend one voucher); what it leaves is paid by `payment_method`, a bank transfer or
    Stripe Checkout (billing_checkout_start afterwards). A refused voucher refuses the order.
    """
    enterprise = enterprise_of_user(user=actor)
    if enterprise is None:
        raise ValidationError(_("Only an enterprise's own account can place an order."))
    if enterprise.status != Enterprise.Status.VERIFIED:
        raise ValidationError(_("Your enterprise must be verified by the park before it can order."))
    if payment_method not in REMAINDER_METHODS:
        raise ValidationError({"payment_method": _("Choose bank transfer or online payment.")})
    if voucher_id not in (None, ""):
        try:
            voucher_id = int(voucher_id)
        except (TypeError, ValueError):
            raise ValidationError({"voucher": _("No such voucher for your enterprise.")}) from None
    else:
        voucher_id = None
    try:
        reference = str(uuid.UUID(str(reference))) if reference else str(uuid.uuid4())
    except ValueError:
        raise ValidationError({"reference": _("Not a valid order number.")}) from None
    existing = NetworkOrder.objects.filter(reference=reference, side=NetworkOrder.Side.BUYER).first()
    if existing is not None:
        if existing.enterprise_id != enterprise.pk:
            raise ValidationError({"reference": _("Not a valid order number.")})
        return existing
    tenant = current_tenant()
    product = network_product_get_visible(tenant=tenant, pk=product_id)
    now = timezone.now()
    price = product.price
    order = NetworkOrder(
        reference=reference,
        side=NetworkOrder.Side.BUYER,
        status=S.PLACED,
        product_id=product.pk,
        product_name=product.name,
        product_category=product.category,
        price=price,
        term_months=product.term_months,
        delivery_days=product.delivery_days,
        institution_tenant_id=product.institution_id,
        institution_name=product.institution.name,
        buyer_tenant_id=tenant.pk,
        buyer_tenant_name=tenant.name,
        enterprise=enterprise,
        enterprise_name=enterprise.name,
        enterprise_credit_code=enterprise.credit_code,
        note=(note or "").strip(),
        placed_at=now,
        acceptance_due_at=working_days_after(now, ACCEPTANCE_WORKING_DAYS),
        created_by=actor,
        **_contact(choice=share_contact, enterprise=enterprise, actor=actor),
    )
    _payment_set(order, discount=Decimal("0"), voucher_code="", method=payment_method)
    order.full_clean(exclude=["enterprise", "created_by"])
    try:
        with transaction.atomic():
            if voucher_id is not None and price > 0:
                # The scheme's lock is taken here, inside the order's transaction: the voucher is
                # spent exactly when the order exists (a refusal or a failure below undoes both).
                discount = voucher_spend(
                    voucher_id=voucher_id,
                    holder_tenant=tenant,
                    enterprise_id=enterprise.pk,
                    order_reference=reference,
                    institution=product.institution,
                    category=product.category,
                    price=price,
                )
                code = NetworkVoucher.objects.values_list("code", flat=True).get(pk=voucher_id)
                _payment_set(order, discount=discount, voucher_code=code, method=payment_method)
            order.save()
            NetworkOrderHistory.objects.create(
                order=order, actor=actor, action=wf.PLACE, from_status="", to_status=order.status
            )
            handoff_send(
                kind="order.placed",
                sender=tenant,
                receiver=product.institution,
                key=f"order:{reference}:placed",
                reference=reference,
                payload=shared_fields_of(order, SHARED_FIELDS),
            )
    except IntegrityError:
        # The same form submitted twice at once: the other request made the order.
        existing = NetworkOrder.objects.filter(reference=reference, side=NetworkOrder.Side.BUYER).first()
        if existing is None or existing.enterprise_id != enterprise.pk:
            raise
        return existing
    return order


def _payment_set(order: NetworkOrder, *, discount: Decimal, voucher_code: str, method: str) -> None:
    """The order's money: price less the voucher's discount is due, by `method`; nothing due, nothing to pay."""
    order.voucher_discount = discount
    order.voucher_code = voucher_code
    order.amount_due = max(order.price - discount, Decimal("0"))
    if order.amount_due == 0:
        order.payment_method = (
            NetworkOrder.PaymentMethod.VOUCHER if discount > 0 else NetworkOrder.PaymentMethod.FREE
        )
        order.payment_status = P.FREE
    else:
        order.payment_method = method
        order.payment_status = P.DUE


def _step_fields(order: NetworkOrder, action: str, *, now, comment: str, inputs: dict) -> dict:
    """What the step sets on the order besides its status, identical on both copies."""
    if action == wf.ACCEPT:
        return {"accepted_at": now, "delivery_due_at": working_days_after(now, order.delivery_days)}
    if action in (wf.REFUSE, wf.CANCEL):
        return {"closed_reason": comment[:500]}
    if action == wf.DELIVER:
        note = (inputs.get("delivery_note") or "").strip()
        if not note:
            raise ValidationError({"delivery_note": _("Describe what was delivered.")})
        return {
            "delivered_at": now,
            "delivery_note": note,
            "delivery_files": [
                {"name": upload_original_name(upload), "size": upload.size}
                for upload in inputs.get("uploads") or []
            ],
        }
    if action == wf.CONFIRM:
        rating = inputs.get("rating")
        try:
            rating = int(rating)
        except (TypeError, ValueError):
            rating = None
        if rating is None or not 1 <= rating <= 5:
            raise ValidationError({"rating": _("Give a rating from 1 to 5 stars.")})
        fields = {
            "confirmed_at": now,
            "rating": rating,
            "rating_comment": (inputs.get("rating_comment") or "").strip()[:2000],
        }
        if order.term_months:
            fields.update(starts_at=now, ends_at=add_months(now, order.term_months))
        return fields
    if action == wf.CONFIRM_PAYMENT:
        return {"paid_at": now, "transfer_reference": (inputs.get("transfer_reference") or "").strip()[:100]}
    if action == wf.PAY_ONLINE:
        return {"paid_at": now}
    return {}


def _voucher_follow(order: NetworkOrder) -> None:
    """The order's voucher follows the order, in the step's own transaction (idempotent both ways).

    The seller's copy decides whether an order stands (workflow.py): the voucher is freed
    when that copy is cancelled or refused, never on the buyer's cancellation alone (an
    acceptance may be crossing it). It becomes claimable by the institution when the
    enterprise confirms delivery on its copy.
    """
    if not order.voucher_code:
        return
    if order.side == NetworkOrder.Side.SELLER and order.status in (S.CANCELLED, S.REFUSED):
        voucher_release(order_reference=order.reference)
    elif order.side == NetworkOrder.Side.BUYER and order.status == S.CONFIRMED:
        voucher_delivered(order_reference=order.reference, delivered_at=order.delivered_at)


def evaluation_publish(*, now=None) -> None:
    """The institution's figures, from its own rows, to its public row: on each seller-side step.

    Run in the institution's schema, in the step's transaction. Vouchers redeemed are the
    settled vouchers spent with it (a public count).
    """
    institution = current_tenant()
    if institution.kind != Tenant.Kind.INSTITUTION:
        return
    redeemed = NetworkVoucher.objects.filter(
        institution=institution, status=NetworkVoucher.Status.SETTLED
    ).count()
    institution_evaluation_publish(
        institution_id=institution.pk,
        vouchers_redeemed=redeemed,
        **institution_evaluation_figures(now=now),
    )


def _after_step(order: NetworkOrder) -> None:
    _voucher_follow(order)
    if order.side == NetworkOrder.Side.SELLER:
        evaluation_publish()


def _peer_tenant(order: NetworkOrder) -> Tenant:
    return Tenant.objects.get(pk=order.peer_tenant_id)


def order_step(
    *,
    order: NetworkOrder,
    action: str,
    actor,
    comment: str = "",
    expected_status: str | None = None,
    **inputs,
) -> NetworkOrder:
    """One side takes a step (accept, refuse, cancel, deliver, confirm, confirm_payment) on its copy.

    The move is checked against the workflow under the row lock (who, from where); the
    same transaction sends the envelope that applies it to the other side's copy.
    `expected_status` is the status the page or client acted from: a repeat is a 409.
    """
    workflow, status_field = wf.ACTIONS.get(action, (wf.ORDER_WORKFLOW, "status"))
    comment = (comment or "").strip()
    now = timezone.now()
    step = {}

    def change(locked, transition):
        step.update(_step_fields(locked, action, now=now, comment=comment, inputs=inputs))
        for name, value in step.items():
            setattr(locked, name, value)
        return {"update_fields": list(step)}

    def history(locked, transition, from_status, extra):
        return NetworkOrderHistory.objects.create(
            order=locked,
            actor=actor if wf.signed_in(actor) else None,
            action=transition.action,
            from_status=from_status,
            to_status=getattr(locked, status_field),
            comment=extra.get("comment", ""),
        )

    expected = {status_field: expected_status} if expected_status else None
    uploads = list(inputs.get("uploads") or []) if action == wf.DELIVER else []
    checked = [(upload, upload_checked(upload, field="files")) for upload in uploads]
    with transaction.atomic():
        saved = transition_apply(
            model=NetworkOrder,
            pk=order.pk,
            workflow=workflow,
            action=action,
            actor=actor,
            change=change,
            history=history,
            comment=comment,
            status_field=status_field,
            expected=expected,
        )
        for upload, content_type in checked:  # kept with this copy; the other side gets their names
            NetworkOrderFile.objects.create(
                order=saved,
                file=upload,
                original_name=upload_original_name(upload),
                content_type=content_type,
                size=upload.size,
                uploaded_by=actor,
            )
        _after_step(saved)
        handoff_send(
            kind="order.event",
            sender=current_tenant(),
            receiver=_peer_tenant(saved),
            key=f"order:{saved.reference}:{action}",
            reference=saved.reference,
            payload={
                "reference": saved.reference,
                "action": action,
                "to_side": saved.peer_side,
                "comment": comment,
                "fields": {name: _json(value) for name, value in step.items()},
            },
        )
    return saved


def order_checkout_start(*, order: NetworkOrder, actor, success_url: str, cancel_url: str) -> str:
    """The enterprise pays its order's remainder by Stripe Checkout: the address to send it to.

    Only the buyer's own copy of an order it pays online, with the amount still due and the
    order not closed. An open session is reused (a second click pays the same session); a
    new one is made only after the previous expired, keyed on it, so a retried request is
    Stripe's same session (idempotency key). The webhook (order_payment_sync_from_stripe)
    moves the payment on; this never does.
    """
    if not wf._is_buyer(actor, order):
        raise TransitionRefused(_("Only the ordering enterprise pays its order."))
    if (
        order.payment_method != NetworkOrder.PaymentMethod.STRIPE
        or order.payment_status != P.DUE
        or order.status in (S.CANCELLED, S.REFUSED)
    ):
        raise TransitionRefused(_("This order has nothing to pay online."))
    if not stripe_gateway.stripe_enabled():
        raise TransitionRefused(_("Online payment is not available at the moment; pay by bank transfer."))
    previous = order.checkout_session_id
    if previous:
        state = stripe_gateway.checkout_state(session_id=previous)
        if state.paid:
            order_payment_sync_from_stripe(reference=order.reference)
            raise TransitionRefused(_("This order has been paid."))
        if state.session_status == "open" and state.url:
            return state.url
    session = stripe_gateway.checkout_session_create(
        idempotency_key=f"parkhub-network-order-{order.reference}-{previous or 'first'}",
        amount=order.amount_due,
        product_name=order.product_name,
        success_url=success_url,
        cancel_url=cancel_url,
        metadata={"parkhub_tenant": connection.schema_name, "parkhub_network_order": order.reference},
        customer_email=getattr(actor, "email", "") or "",
    )
    NetworkOrder.objects.filter(pk=order.pk).update(checkout_session_id=session.id)
    order.checkout_session_id = session.id
    return session.url


def order_payment_sync_from_stripe(*, reference: str) -> bool:
    """Stripe's word on an order's Checkout Session, read from Stripe (never from the event): paid moves it.

    Runs in the buyer's schema (the webhook's metadata names it). Paid in full, in CNY, for
    the amount due: the payment workflow's `pay_online`, mirrored to the institution's copy
    in its envelope. Any number of events, in any order, move it once. False when the order
    or its session is not ours.
    """
    order = NetworkOrder.objects.filter(reference=reference, side=NetworkOrder.Side.BUYER).first()
    if order is None or not order.checkout_session_id:
        return False
    state = stripe_gateway.checkout_state(session_id=order.checkout_session_id)
    if state.metadata.get("parkhub_network_order") != reference:
        return False
    if order.payment_status != P.DUE or not state.paid:
        return True
    if state.currency != stripe_gateway.CURRENCY or state.amount_total != stripe_gateway.to_fen(
        order.amount_due
    ):
        raise ValueError(f"Stripe session {state.session_id} is not for the {order.amount_due} CNY due")
    try:
        order_step(order=order, action=wf.PAY_ONLINE, actor=wf.StripeSide(), expected_status=P.DUE)
    except StaleAction:
        pass  # another event about the same payment moved it a moment ago
    return True


class OutOfOrder(Exception):
    """An envelope that arrived before the one it follows: left pending, retried, applied in turn."""


def order_receive_placed(*, handoff) -> NetworkOrder:
    """The seller's copy, made from the buyer's envelope; a second delivery of it returns the same row."""
    values = fields_parsed(handoff.payload)
    order = NetworkOrder.objects.filter(reference=values["reference"], side=NetworkOrder.Side.SELLER).first()
    if order is not None:
        return order
    order = NetworkOrder.objects.create(side=NetworkOrder.Side.SELLER, **values)
    NetworkOrderHistory.objects.create(
        order=order,
        action=wf.PLACE,
        from_status="",
        to_status=order.status,
        actor_label=order.enterprise_name,
        comment=order.note,
        handoff_key=handoff.idempotency_key,
    )
    evaluation_publish()
    return order


def order_receive_step(*, handoff) -> NetworkOrder | None:
    """The other side's step applied to this side's copy, once (keyed on the envelope).

    A step the copy is not ready for (its predecessor's envelope still on its way) raises
    OutOfOrder, so the envelope stays pending and is retried. A cancellation reaching the
    institution after it accepted or refused is recorded and changes nothing (see workflow.py).
    """
    payload = handoff.payload
    side = payload["to_side"]
    action = payload["action"]
    if NetworkOrderHistory.objects.filter(handoff_key=handoff.idempotency_key).exists():
        return NetworkOrder.objects.filter(reference=payload["reference"], side=side).first()
    order = NetworkOrder.objects.select_for_update().filter(reference=payload["reference"], side=side).first()
    if order is None:
        raise OutOfOrder(f"no {side} copy of {payload['reference']} yet")
    peer = wf.PeerSide(order.peer_side)
    label = order.institution_name if order.is_buyer_side else order.enterprise_name
    if action == wf.CANCEL and order.status in (S.ACCEPTED, S.REFUSED, S.DELIVERED, S.CONFIRMED):
        NetworkOrderHistory.objects.create(
            order=order,
            action=wf.CANCEL_LATE,
            from_status=order.status,
            to_status=order.status,
            comment=payload.get("comment", ""),
            actor_label=label,
            handoff_key=handoff.idempotency_key,
        )
        return order
    workflow, status_field = wf.ACTIONS[action]
    if getattr(order, status_field) not in workflow.get(action).sources:
        raise OutOfOrder(f"{action} of {order.reference} before its predecessor")
    values = fields_parsed(payload.get("fields") or {})

    def change(locked, transition):
        for name, value in values.items():
            setattr(locked, name, value)
        return {"update_fields": list(values)}

    def history(locked, transition, from_status, extra):
        return NetworkOrderHistory.objects.create(
            order=locked,
            action=transition.action,
            from_status=from_status,
            to_status=getattr(locked, status_field),
            comment=extra.get("comment", ""),
            actor_label=label,
            handoff_key=handoff.idempotency_key,
        )

    try:
        saved = transition_apply(
            model=NetworkOrder,
            pk=order.pk,
            workflow=workflow,
            action=action,
            actor=peer,
            change=change,
            history=history,
            comment=payload.get("comment", "") or ("-" if workflow.get(action).needs_reason else ""),
            status_field=status_field,
        )
        _after_step(saved)
        return saved
    except StaleAction as stale:  # pragma: no cover - no expected state is sent for a peer's step
        raise OutOfOrder(str(stale)) from stale
