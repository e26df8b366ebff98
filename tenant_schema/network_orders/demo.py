"""Demo network orders: enterprises of several sub-platforms ordering from the network's institutions,
one order in every state, both copies and their envelopes, as the real services make them.

Called once by seed_demo after the institutions exist (the institution site's demo builds them);
with no admitted institution selling anything it does nothing. Safe to run again: a
sub-platform that already has network orders is left as it is.
"""

from __future__ import annotations

import random

from django.contrib.auth.models import Group
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts.services import user_create
from public_schema.network.handoffs import handoff_deliver
from public_schema.network.models import Handoff, InstitutionProfile, NetworkProduct
from public_schema.tenants.models import Tenant
from tenant_schema.enterprises.models import Enterprise, Membership

from . import workflow as wf
from .models import NetworkOrder
from .selectors import SUB_PLATFORM_KINDS, network_product_list_visible
from .services import order_place, order_step

SUB_PLATFORMS = 6  # at least five sub-platforms' enterprises order (issue 17 item 8)
# The state each demo order is taken to, as the steps that lead there (seller's or buyer's).
PATHS = {
    "placed": [],
    "accepted": [("seller", wf.ACCEPT, {})],
    "refused": [("seller", wf.REFUSE, {"comment": "本月服务排期已满，请下月再约"})],
    "cancelled": [("buyer", wf.CANCEL, {"comment": "需求有变，暂不需要"})],
    "delivered": [
        ("seller", wf.ACCEPT, {}),
        ("seller", wf.CONFIRM_PAYMENT, {"transfer_reference": "DEMO-TRANSFER"}),
        ("seller", wf.DELIVER, {"delivery_note": "已按约定完成服务，交付报告已发送至企业联系人邮箱。"}),
    ],
    "confirmed": [
        ("seller", wf.ACCEPT, {}),
        ("seller", wf.CONFIRM_PAYMENT, {"transfer_reference": "DEMO-TRANSFER"}),
        ("seller", wf.DELIVER, {"delivery_note": "服务已完成，双方签字确认交付清单。"}),
        ("buyer", wf.CONFIRM, {"rating": None, "rating_comment": "响应及时，服务专业。"}),
    ],
}


def _deliver_pending() -> None:
    """Apply the envelopes now (a worker would within seconds), so the demo's two copies agree."""
    connection.set_schema_to_public()
    for pk in Handoff.objects.filter(state=Handoff.State.PENDING).order_by("pk").values_list("pk", flat=True):
        handoff_deliver(handoff_id=pk)


def _institution_desk_user(schema: str):
    """The institution's staff account that takes the demo's seller steps (its site's demo login if any)."""
    from django.contrib.auth import get_user_model

    with schema_context(schema):
        User = get_user_model()
        user = (
            User.objects.filter(groups__name__in=wf.INSTITUTION_ROLES, is_active=True).order_by("pk").first()
        )
        if user is None:
            Group.objects.get_or_create(name="institution_staff")
            user = user_create(email=f"orders@{schema}.demo", full_name="订单专员", role="institution_staff")
        return user


def _buyers(limit: int) -> list[tuple[Tenant, object]]:
    """Up to `limit` sub-platforms, each with a verified enterprise's owner account to order as."""
    found = []
    for tenant in Tenant.objects.live().filter(kind__in=SUB_PLATFORM_KINDS).order_by("pk"):
        with schema_context(tenant.schema_name):
            if NetworkOrder.objects.exists():
                continue
            membership = (
                Membership.objects.filter(enterprise__status=Enterprise.Status.VERIFIED, user__is_active=True)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            if membership is not None:
                found.append((tenant, membership.user))
        if len(found) == limit:
            break
    return found


def network_orders_seed_demo(*, rng: random.Random) -> int:
    """Orders in every state from enterprises of several sub-platforms; returns how many were placed."""
    connection.set_schema_to_public()
    if not NetworkProduct.objects.filter(
        is_published=True, institution__institution_profile__status=InstitutionProfile.Status.ADMITTED
    ).exists():
        return 0
    placed = 0
    for tenant, owner in _buyers(SUB_PLATFORMS):
        with schema_context(tenant.schema_name):
            products = list(network_product_list_visible(tenant=tenant))
        if not products:
            continue
        for steps in PATHS.values():
            product = rng.choice(products)
            with schema_context(tenant.schema_name):
                order = order_place(actor=owner, product_id=product.pk, note="演示订单：请与联系人约定时间。")
            placed += 1
            _deliver_pending()
            for side, action, fields in steps:
                if side == "seller":
                    schema, actor = (
                        product.institution.schema_name,
                        _institution_desk_user(product.institution.schema_name),
                    )
                else:
                    schema, actor = tenant.schema_name, owner
                fields = {**fields, "rating": rng.randint(3, 5)} if action == wf.CONFIRM else fields
                with schema_context(schema):
                    copy = NetworkOrder.objects.get(reference=order.reference)
                    if action == wf.CONFIRM_PAYMENT and copy.payment_status != NetworkOrder.PaymentStatus.DUE:
                        continue  # a free service: nothing to pay
                    order_step(order=copy, action=action, actor=actor, **fields)
                _deliver_pending()
    connection.set_schema_to_public()
    return placed
