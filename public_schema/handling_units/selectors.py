"""Reads of the unit registry: which units exist, may take a demand, and whose staff a user is."""

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from every_schema.accounts import roles
from public_schema.network.models import InstitutionProfile
from public_schema.tenants.models import Tenant

from .models import DeskStaff, HandlingUnit

K = HandlingUnit.Kind
SITE_STAFF_ROLES = {roles.PARK_ADMIN, roles.REVIEWER, *roles.INSTITUTION_ROLES}


def units_dispatchable() -> QuerySet[HandlingUnit]:
    """Units a demand may be dispatched or transferred to: active desks, live sub-platforms and parks,
    admitted institutions (a suspended or removed one takes no new work)."""
    admitted = InstitutionProfile.objects.filter(status=InstitutionProfile.Status.ADMITTED).values(
        "tenant_id"
    )
    return (
        HandlingUnit.objects.filter(is_active=True)
        .filter(
            Q(kind=K.DESK)
            | Q(kind=K.SUBPLATFORM, tenant__slot=Tenant.Slot.LIVE, tenant__status=Tenant.Status.ACTIVE)
            | Q(kind=K.INSTITUTION, tenant_id__in=admitted)
        )
        .select_related("tenant")
    )


def unit_dispatchable_get(*, pk) -> HandlingUnit:
    try:
        return units_dispatchable().get(pk=int(pk))
    except (HandlingUnit.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def unit_ids_for_user(user) -> set[int]:
    """The units whose staff `user` is, in the schema the request is in (accounts are per schema).

    On the hub: the desks the account is seated at, and the supervision office for hub
    operators. On a site: the site's own unit for its park or institution staff.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cached = getattr(user, "_handling_unit_ids", None)  # a page asks once per offered action
    if cached is not None and cached[0] == connection.schema_name:
        return cached[1]
    ids = _unit_ids_for_user(user)
    user._handling_unit_ids = (connection.schema_name, ids)
    return ids


def _unit_ids_for_user(user) -> set[int]:
    if connection.schema_name == "public":
        ids = set(DeskStaff.objects.filter(user_id=user.pk).values_list("unit_id", flat=True))
        if user.is_superuser or roles.HUB_OPERATOR in user.role_set():
            ids |= set(HandlingUnit.objects.filter(kind=K.SUPERVISION).values_list("pk", flat=True))
        return ids
    if not (user.is_superuser or user.role_set() & SITE_STAFF_ROLES):
        return set()
    # A read: the site's unit is made when the tenant goes live (signals.py), never on a request.
    return set(
        HandlingUnit.objects.filter(
            tenant__schema_name=connection.schema_name, kind__in=(K.SUBPLATFORM, K.INSTITUTION)
        ).values_list("pk", flat=True)
    )


def supervision_unit_id() -> int | None:
    """The supervision office's id, without making it (reads never write)."""
    return HandlingUnit.objects.filter(kind=K.SUPERVISION).values_list("pk", flat=True).first()
