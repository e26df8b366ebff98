"""A tenant's status as a workflow: a hub operator suspends and reactivates, always saying why.

Deletion is part of it (public_schema.tenants.deletion): an operator schedules it (the
tenant is suspended at once, `delete_after` set) or cancels it during the grace period
(the tenant stays suspended until reactivated); the platform alone, at night, takes the
final `delete` once the grace period is over. A tenant awaiting deletion cannot be
reactivated before the deletion is cancelled.

Declared with the one mechanism (saas.workflow), so the hub page offers exactly the move the
service accepts, a second click on a stale confirmation is refused, and every move leaves a
TenantStatusHistory row.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from every_schema.accounts import roles
from saas.workflow import Transition, TransitionRefused, Workflow

from .models import Tenant


def _is_hub_operator(actor, tenant) -> bool:
    # None is the platform itself: a management command or a test's set-up, never a request.
    if actor is None:
        return True
    return bool(actor.is_active and (actor.is_superuser or actor.has_role(roles.HUB_OPERATOR)))


def _is_the_platform(actor, tenant) -> bool:
    """The final deletion is the nightly sweep's (actor None), never a click."""
    return actor is None


def _is_a_live_member(tenant) -> None:
    if tenant.slot != Tenant.Slot.LIVE or tenant.kind == Tenant.Kind.HUB:
        raise TransitionRefused(
            _("Only a live sub-platform, park or institution can be suspended or reactivated.")
        )


def _not_awaiting_deletion(tenant) -> None:
    _is_a_live_member(tenant)
    if tenant.delete_after is not None:
        raise TransitionRefused(_("This platform is scheduled for deletion: cancel the deletion first."))


def _awaiting_deletion(tenant) -> None:
    _is_a_live_member(tenant)
    if tenant.delete_after is None:
        raise TransitionRefused(_("No deletion is scheduled for this platform."))


def _deletion_due(tenant) -> None:
    _awaiting_deletion(tenant)
    if tenant.delete_after > timezone.now():
        raise TransitionRefused(_("The grace period before deletion is not over yet."))


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
            precondition=_not_awaiting_deletion,
        ),
        Transition(
            "schedule_deletion",
            (Tenant.Status.ACTIVE, Tenant.Status.SUSPENDED),
            Tenant.Status.SUSPENDED,
            _("Schedule deletion"),
            needs_reason=True,
            actors=("operator",),
            precondition=_not_awaiting_deletion,
        ),
        Transition(
            "cancel_deletion",
            (Tenant.Status.SUSPENDED,),
            None,  # stays suspended: reactivating is a decision of its own
            _("Cancel deletion"),
            actors=("operator",),
            precondition=_awaiting_deletion,
        ),
        Transition(
            "delete",
            (Tenant.Status.SUSPENDED,),
            Tenant.Status.DELETED,
            _("Delete"),
            actors=("platform",),
            precondition=_deletion_due,
        ),
    ],
    actor_rules={"operator": _is_hub_operator, "platform": _is_the_platform},
)
