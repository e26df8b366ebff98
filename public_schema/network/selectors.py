"""Reads of the network's shared tables."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import NullIf, Round
from django.http import Http404
from django.utils import timezone

from every_schema.accounts import roles
from public_schema.tenants.models import Tenant

from .models import AdmissionHistory, Handoff, InstitutionEvaluation, InstitutionProfile, NetworkProduct
from .workflow import TIMELINE_STAGES

# An envelope never attempted this long after it was sent lost its message (a broker outage at send).
UNATTEMPTED_AFTER = timedelta(minutes=5)


def handoffs_pending_for(*, reference: str) -> QuerySet[Handoff]:
    """Envelopes about `reference` (an order) not yet applied on the other side: shown as "pending"."""
    return Handoff.objects.filter(reference=reference, state=Handoff.State.PENDING).order_by("created_at")


def handoffs_for(*, reference: str) -> QuerySet[Handoff]:
    """Every envelope about `reference`, whatever its state (a sender's page of what went where)."""
    return Handoff.objects.filter(reference=reference).select_related("receiver").order_by("created_at", "pk")


def handoffs_stuck(
    *, limit: int = 100, unattempted_after: timedelta = UNATTEMPTED_AFTER
) -> QuerySet[Handoff]:
    """Envelopes the hub's operators should look at, oldest first: pending after a failed attempt,
    or never attempted `unattempted_after` after they were sent (their message was lost)."""
    return (
        Handoff.objects.filter(state=Handoff.State.PENDING)
        .filter(Q(attempts__gt=0) | Q(created_at__lte=timezone.now() - unattempted_after))
        .select_related("sender", "receiver")
        .order_by("created_at", "pk")[:limit]
    )


def handoff_get_pending(*, pk) -> Handoff:
    """A pending envelope for the hub's "resend now" (Http404 for anything else)."""
    from django.http import Http404

    try:
        return Handoff.objects.select_related("receiver").get(pk=pk, state=Handoff.State.PENDING)
    except (Handoff.DoesNotExist, ValueError, TypeError):
        raise Http404("No such pending handoff") from None


def handoffs_pending_count() -> int:
    """Every envelope not yet applied (on its way or stuck): the figure to watch."""
    return Handoff.objects.filter(state=Handoff.State.PENDING).count()


# ---------------------------------------------------------------------------
# The institution pool (入库)
# ---------------------------------------------------------------------------


def institution_profile_of(*, tenant: Tenant) -> InstitutionProfile:
    """The pool entry of the institution `tenant` (every institution has one from provisioning)."""
    return InstitutionProfile.objects.select_related("tenant").get(tenant=tenant)


def institution_pool_list(*, status: str | None = None) -> QuerySet[InstitutionProfile]:
    """The hub's pool list: live institutions' entries, optionally of one status, by name."""
    profiles = InstitutionProfile.objects.filter(
        tenant__slot=Tenant.Slot.LIVE, tenant__kind=Tenant.Kind.INSTITUTION
    ).select_related("tenant")
    if status:
        profiles = profiles.filter(status=status)
    return profiles.annotate(product_count=Count("tenant__network_products")).order_by("tenant__name")


def institution_pool_counts() -> dict[str, int]:
    """{status: how many live institutions are in it}, every status present (0 included)."""
    rows = (
        InstitutionProfile.objects.filter(tenant__slot=Tenant.Slot.LIVE, tenant__kind=Tenant.Kind.INSTITUTION)
        .values("status")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(InstitutionProfile.Status.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def institution_get_for_hub(*, slug: str) -> InstitutionProfile:
    """One live institution's pool entry by its site's slug; anything else is a 404."""
    try:
        return institution_pool_list().get(tenant__schema_name=slug)
    except InstitutionProfile.DoesNotExist:
        raise Http404 from None


def admission_history_for(*, profile: InstitutionProfile) -> QuerySet[AdmissionHistory]:
    return (
        AdmissionHistory.objects.filter(profile=profile).select_related("actor").order_by("created_at", "pk")
    )


def admission_timeline(*, profile: InstitutionProfile) -> list[dict]:
    """The stages the institution follows, as an application's timeline: done, current, to come.

    A refusal takes the place of the admission it ended; a suspension or a removal follows
    the admission. Either is the current step, with the hub's reason.
    """
    S = InstitutionProfile.Status
    reached: dict[str, object] = {}
    for entry in admission_history_for(profile=profile):
        reached[entry.to_status] = entry.created_at
    order = list(TIMELINE_STAGES)
    if profile.status in order:
        done, current = order[: order.index(profile.status)], profile.status
        todo = order[order.index(profile.status) + 1 :]
    elif profile.status == S.REFUSED:
        done, current, todo = order[:-1], S.REFUSED, []
    else:
        done, current, todo = order, profile.status, []

    def step(status, state):
        return {
            "key": status,
            "label": S(status).label,
            "state": state,
            "done_at": reached.get(status) if state != "todo" else None,
            "note": profile.status_reason if state == "current" else "",
        }

    return [
        *(step(status, "done") for status in done),
        step(current, "current"),
        *(step(status, "todo") for status in todo),
    ]


# ---------------------------------------------------------------------------
# The network catalogue (服务超市), as other apps read it
# ---------------------------------------------------------------------------


def institution_products(*, institution: Tenant) -> QuerySet[NetworkProduct]:
    """An institution's own products, published or not (its site's list)."""
    return (
        NetworkProduct.objects.filter(institution=institution)
        .prefetch_related("serves")
        .order_by("-is_published", "category", "name", "pk")
    )


def institution_product_get(*, institution: Tenant, pk) -> NetworkProduct:
    """One of the institution's own products; another institution's is the same 404 as none."""
    try:
        return institution_products(institution=institution).get(pk=int(pk))
    except (NetworkProduct.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def institution_product_counts(*, institution: Tenant) -> dict[str, int]:
    return NetworkProduct.objects.filter(institution=institution).aggregate(
        total=Count("pk"),
        published=Count("pk", filter=Q(is_published=True)),
        free=Count("pk", filter=Q(is_published=True, price=0)),
        rentals=Count("pk", filter=Q(is_published=True, term_months__isnull=False)),
    )


class NetworkProductNotOffered(Http404, NetworkProduct.DoesNotExist):
    """A product that does not exist, or is not offered to this tenant: one answer for both.

    It is an Http404 (pages and the API answer 404) and a NetworkProduct.DoesNotExist (code
    that looks a product up catches what it always caught).
    """


def network_products_for_tenant(
    *,
    tenant: Tenant,
    category: str | None = None,
    price_min: Decimal | None = None,
    price_max: Decimal | None = None,
    free_only: bool = False,
) -> QuerySet[NetworkProduct]:
    """The network products the enterprises of `tenant` (a sub-platform or park) may see and order.

    Published, by an institution admitted to the pool whose tenant is active, and offered to
    `tenant`: the product names it, or names no one and the institution serves `tenant`, or
    neither names anyone (the whole network). A suspended or removed institution's products
    vanish here at once; its open orders are the orders' own.
    """
    if tenant is None or tenant.kind not in (Tenant.Kind.DISTRICT, Tenant.Kind.PARK):
        return NetworkProduct.objects.none()
    product_serves = NetworkProduct.serves.through.objects.filter(networkproduct_id=OuterRef("pk"))
    profile_serves = InstitutionProfile.serves.through.objects.filter(
        institutionprofile_id=OuterRef("institution__institution_profile")
    )
    offered = Exists(product_serves.filter(tenant_id=tenant.pk)) | (
        ~Exists(product_serves)
        & (Exists(profile_serves.filter(tenant_id=tenant.pk)) | ~Exists(profile_serves))
    )
    products = NetworkProduct.objects.filter(
        offered,
        is_published=True,
        institution__institution_profile__status=InstitutionProfile.Status.ADMITTED,
        institution__status=Tenant.Status.ACTIVE,
        institution__slot=Tenant.Slot.LIVE,
        institution__kind=Tenant.Kind.INSTITUTION,
    ).select_related("institution")
    if category:
        products = products.filter(category=category)
    if free_only:
        products = products.filter(price=0)
    if price_min is not None:
        products = products.filter(price__gte=price_min)
    if price_max is not None:
        products = products.filter(price__lte=price_max)
    return products.order_by("category", "price", "name", "pk")


def network_product_get_for_tenant(*, tenant: Tenant, pk) -> NetworkProduct:
    """One product offered to `tenant`'s enterprises; not offered and not existing are the same 404."""
    try:
        return network_products_for_tenant(tenant=tenant).get(pk=int(pk))
    except (NetworkProduct.DoesNotExist, ValueError, TypeError):
        raise NetworkProductNotOffered from None


def institution_staff_list():
    """The institution's people (the current schema's accounts in an institution role)."""
    from every_schema.accounts.models import User  # the current schema's accounts

    return (
        User.objects.filter(groups__name__in=roles.INSTITUTION_ROLES)
        .distinct()
        .prefetch_related("groups")
        .order_by("email")
    )


def institution_ranking():
    """The institutions ranked on their published figures (绩效排名), computed by PostgreSQL.

    Highest average rating first, then on-time delivery rate, then orders; an institution
    without ratings comes after those with. The same rows feed the hub's page and its CSV.
    """
    on_time = Round(
        ExpressionWrapper(
            Value(Decimal(100)) * F("delivered_on_time") / NullIf(F("delivery_due"), 0),
            output_field=DecimalField(max_digits=6, decimal_places=1),
        ),
        1,
    )
    return (
        InstitutionEvaluation.objects.filter(institution__kind=Tenant.Kind.INSTITUTION)
        .select_related("institution", "institution__institution_profile")
        .annotate(on_time_rate=on_time)
        .order_by(
            F("rating_average").desc(nulls_last=True),
            F("on_time_rate").desc(nulls_last=True),
            "-orders",
            "institution__name",
        )
    )
