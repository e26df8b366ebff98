"""Who may do what in billing, asked by every service before it writes (PermissionDenied, a 403).

The workflows (tenant_schema/billing/workflow.py) name the same roles per move ("owner", "park_admin",
"system"); `actor_kinds` says which of them a person is for one enterprise's object.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from every_schema.accounts import roles
from tenant_schema.enterprises.selectors import enterprise_of_user

from ..models import Subscription
from ..workflow import OWNER, PARK_ADMIN, SYSTEM

User = get_user_model()


def _signed_in(actor) -> bool:
    return actor is not None and actor.is_authenticated


def is_park_admin(actor) -> bool:
    return _signed_in(actor) and (actor.is_superuser or actor.has_role(roles.PARK_ADMIN))


def require_park_admin(actor: User) -> None:
    if not (actor.is_superuser or actor.has_role(roles.PARK_ADMIN)):
        raise PermissionDenied(_("Only a park administrator can do this."))


def _is_of_enterprise(actor, enterprise_id: int) -> bool:
    enterprise = enterprise_of_user(user=actor) if _signed_in(actor) else None
    return enterprise is not None and enterprise.pk == enterprise_id


def require_ordering_enterprise(actor: User, subscription: Subscription) -> None:
    """Paying for an order is the ordering enterprise's business alone (not the park's staff)."""
    if not _is_of_enterprise(actor, subscription.enterprise_id):
        raise PermissionDenied(_("Only the enterprise that placed this order can pay for it."))


def require_ordering_enterprise_or_park_admin(actor: User, subscription: Subscription) -> None:
    """Cancelling an unpaid order: its enterprise, or a park administrator; a reviewer only looks."""
    if is_park_admin(actor):
        return
    if not _is_of_enterprise(actor, subscription.enterprise_id):
        raise PermissionDenied(_("Only the enterprise that placed this order, or a park administrator, can cancel it."))


def actor_kinds(actor, *, enterprise_id: int) -> frozenset[str]:
    """The workflow roles `actor` holds for an object of enterprise `enterprise_id`.

    Nobody signed in is "system": a Stripe webhook, the hourly sweep, a page asking Stripe
    on the enterprise's return.
    """
    if not _signed_in(actor):
        return frozenset({SYSTEM})
    kinds = set()
    if is_park_admin(actor):
        kinds.add(PARK_ADMIN)
    if _is_of_enterprise(actor, enterprise_id):
        kinds.add(OWNER)
    return frozenset(kinds)
