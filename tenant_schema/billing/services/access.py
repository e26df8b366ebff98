"""Who may do what in billing, asked by every service before it writes (PermissionDenied, a 403).

The rules are the workflows' own (tenant_schema/billing/workflow.py: "owner", "park_admin",
"system"), asked here early for a 403 with a message that says who may; the workflow asks
them again under the row lock.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .. import workflow as wf
from ..models import Subscription

User = get_user_model()

is_park_admin = wf.is_park_admin
_is_of_enterprise = wf.is_of_enterprise


def require_park_admin(actor: User) -> None:
    if not is_park_admin(actor):
        raise PermissionDenied(_("Only a park administrator can do this."))


def require_ordering_enterprise(actor: User, subscription: Subscription) -> None:
    """Paying for an order is the ordering enterprise's business alone (not the park's staff)."""
    if not _is_of_enterprise(actor, subscription.enterprise_id):
        raise PermissionDenied(_("Only the enterprise that placed this order can pay for it."))


def require_ordering_enterprise_or_park_admin(actor: User, subscription: Subscription) -> None:
    """Cancelling an unpaid order: its enterprise, or a park administrator; a reviewer only looks."""
    cancel = wf.SUBSCRIPTION_WORKFLOW.get(wf.CANCEL)
    if not any(wf.ACTOR_RULES[kind](actor, subscription) for kind in cancel.actors):
        raise PermissionDenied(
            _("Only the enterprise that placed this order, or a park administrator, can cancel it.")
        )
