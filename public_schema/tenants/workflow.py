"""A tenant's status as a workflow: a hub operator suspends and reactivates, always saying why.

Declared with the one mechanism (saas.workflow), so the hub page offers exactly the move the
service accepts, a second click on a stale confirmation is refused, and every move leaves a
TenantStatusHistory row.
"""

from django.utils.translation import gettext_lazy as _

from every_schema.accounts import roles
from saas.workflow import Transition, TransitionRefused, Workflow

from .models import Tenant


def _is_hub_operator(actor, tenant) -> bool:
    # None is the platform itself: a management command or a test's set-up, never a request.
    if actor is None:
        return True
    return bool(actor.is_active and (actor.is_superuser or actor.has_role(roles.HUB_OPERATOR)))


def _is_a_live_member(tenant) -> None:
    if tenant.slot != Tenant.Slot.LIVE or tenant.kind == Tenant.Kind.HUB:
        raise TransitionRefused(
            _("Only a live sub-platform, park or institution can be suspended or reactivated.")
        )


TENANT_STATUS = Workflow(
    "tenant_status",
    [
        Transition(
            "suspend",
            (Tenant.Status.ACTIVE,),
            Tenant.Status.SUSPENDED,
            _("Suspend"),
            needs_reason=True,
            actors=("operator",),
            precondition=_is_a_live_member,
        ),
        Transition(
            "reactivate",
            (Tenant.Status.SUSPENDED,),
            Tenant.Status.ACTIVE,
            _("Reactivate"),
            actors=("operator",),
            precondition=_is_a_live_member,
        ),
    ],
    actor_rules={"operator": _is_hub_operator},
)
