"""Writes for city-wide programmes: publish in the hub, then hand a copy to each chosen tenant once.

Publishing resolves “all tenants” to the live tenants of that moment: a tenant created later
does not receive the programme unless the hub operator adds it (`city_programme_tenants_add`).
Each share is written with its envelope (public_schema.network.handoffs, kind
"citywide.programme") in one transaction; the tenant's funding app makes its open copy when
the envelope is delivered, keyed on the city programme, so a retried or concurrent delivery
makes no second copy. Nothing here writes into a tenant's schema.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from every_schema.accounts import roles
from public_schema.network.handoffs import handoff_send
from public_schema.network.kinds import CITYWIDE_PROGRAMME
from public_schema.tenants.models import Tenant
from tenant_schema.eligibility.rules import rules_validate
from tenant_schema.funding.models import Programme

from .models import CityProgramme, CityProgrammeShare

PROGRAMME_FIELDS = (
    "title",
    "category",
    "description",
    "policy_document",
    "per_enterprise_cap",
    "opens_at",
    "closes_at",
    "required_documents",
    "eligibility_rules",
    "no_application_needed",
)


def _budget(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"budget": _("Enter an amount in yuan, e.g. 500000.00.")}) from None
    if amount <= 0:
        raise ValidationError({"budget": _("The budget must be more than zero.")})
    return amount


def _shares(*, tenants, budget) -> dict[Tenant, Decimal]:
    """Budget per tenant: an explicit {tenant: amount}, or the total split evenly over a list of tenants."""
    if isinstance(tenants, dict):
        return {tenant: _budget(amount) for tenant, amount in tenants.items()}
    tenants = list(tenants)
    if not tenants:
        raise ValidationError({"tenants": _("Choose at least one tenant.")})
    total = _budget(budget)
    each = (total / len(tenants)).quantize(Decimal("0.01"))
    return {tenant: each for tenant in tenants}


def city_programme_publish(*, actor, tenants=None, budget=None, stages=None, **fields) -> CityProgramme:
    """Publish a programme to chosen tenants (None: every live tenant now), one envelope for each.

    `actor` is a hub operator, or None for the system (PermissionDenied otherwise).
    """
    if actor is not None and not (
        actor.is_authenticated and (actor.is_superuser or actor.has_role(roles.HUB_OPERATOR))
    ):
        raise PermissionDenied(_("Only the city hub's operators can publish a city-wide programme."))
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    if tenants is None:
        # Institutions are not sub-platforms: they take no programmes.
        tenants = list(
            Tenant.objects.live().filter(status=Tenant.Status.ACTIVE).exclude(kind=Tenant.Kind.INSTITUTION)
        )
    shares = _shares(tenants=tenants, budget=budget)
    try:
        fields["eligibility_rules"] = rules_validate(fields.get("eligibility_rules") or {})
    except ValidationError as error:
        raise ValidationError({"eligibility_rules": error.messages}) from None
    if fields.get("opens_at") and fields.get("closes_at") and fields["closes_at"] <= fields["opens_at"]:
        raise ValidationError({"closes_at": _("The closing time must be after the opening time.")})
    _check_cap(fields.get("per_enterprise_cap"), shares.values(), fields.get("no_application_needed"))
    # No stages given: [] (each tenant's copy gets the park's default stages when it is made).
    stages = [{k: str(v) if k in ("kind", "role") else v for k, v in stage.items()} for stage in stages or []]
    with transaction.atomic():
        city_programme = CityProgramme.objects.create(created_by=actor, stages=stages, **fields)
        _shares_write(city_programme, shares)
    return city_programme


def _check_cap(cap, budgets, no_application_needed) -> None:
    if cap is not None and any(Decimal(cap) > budget for budget in budgets):
        raise ValidationError(
            {"per_enterprise_cap": _("The cap per enterprise cannot exceed a tenant's budget share.")}
        )
    if no_application_needed and not cap:
        raise ValidationError(
            {
                "per_enterprise_cap": _(
                    "A programme without application needs a cap per enterprise: it is the amount each qualifying enterprise receives."
                )
            }
        )


def _shares_write(city_programme: CityProgramme, shares: dict) -> None:
    """Each new share and its envelope, in the caller's transaction (delivered once it commits)."""
    hub = Tenant.objects.get(schema_name="public")  # the hub's own tenant row (hub_ensure)
    for tenant, budget in shares.items():
        if tenant.slot != Tenant.Slot.LIVE or tenant.kind == Tenant.Kind.HUB:
            raise ValidationError(
                {"tenants": _("%(name)s cannot receive programmes.") % {"name": tenant.name}}
            )
        share, _created = CityProgrammeShare.objects.get_or_create(
            city_programme=city_programme, tenant=tenant, defaults={"budget": budget}
        )
        if share.handoff_id is None:
            share.handoff = handoff_send(
                kind=CITYWIDE_PROGRAMME,
                sender=hub,
                receiver=tenant,
                key=f"citywide:{city_programme.pk}:{tenant.pk}",
                reference=city_programme_reference(city_programme),
                payload=city_programme_payload(city_programme, budget=share.budget),
            )
            share.save(update_fields=["handoff"])


def city_programme_shares_hand_off(*, city_programme_id: int) -> int:
    """Give every share of the programme that has none its envelope (shares written by the
    previous release during a deploy); returns how many were sent."""
    with transaction.atomic():
        city_programme = CityProgramme.objects.select_for_update().get(pk=city_programme_id)
        missing = {
            share.tenant: share.budget
            for share in city_programme.shares.filter(handoff__isnull=True).select_related("tenant")
        }
        _shares_write(city_programme, missing)
    return len(missing)


def city_programme_reference(city_programme: CityProgramme) -> str:
    """What the programme's envelopes are about (public_schema.network.selectors.handoffs_for)."""
    return f"citywide:{city_programme.pk}"


def city_programme_payload(city_programme: CityProgramme, *, budget: Decimal) -> dict:
    """The envelope's shared fields: what a tenant's copy is made of (public_schema.network.kinds)."""
    cap = city_programme.per_enterprise_cap
    return {
        "city_programme_id": city_programme.pk,
        "budget": str(Decimal(budget)),
        "stages": city_programme.stages or [],
        "title": city_programme.title,
        "category": city_programme.category,
        "description": city_programme.description,
        "policy_document": city_programme.policy_document,
        "per_enterprise_cap": None if cap is None else str(Decimal(cap)),
        "opens_at": city_programme.opens_at.isoformat(),
        "closes_at": city_programme.closes_at.isoformat(),
        "required_documents": city_programme.required_documents,
        "eligibility_rules": city_programme.eligibility_rules,
        "no_application_needed": city_programme.no_application_needed,
    }


def city_programme_tenants_add(*, city_programme: CityProgramme, shares: dict) -> CityProgramme:
    """Choose more tenants (e.g. one created after publishing), each with its budget share."""
    _check_cap(
        city_programme.per_enterprise_cap,
        [_budget(b) for b in shares.values()],
        city_programme.no_application_needed,
    )
    with transaction.atomic():
        _shares_write(city_programme, {tenant: _budget(b) for tenant, b in shares.items()})
    return city_programme


def city_programme_totals(*, city_programme: CityProgramme) -> list[dict]:
    """Per delivered tenant: its copy's applications and awarded total (read in each tenant's schema)."""
    from django.db.models import Count, Q, Sum
    from django_tenants.utils import schema_context

    rows = []
    shares = city_programme.shares.select_related("tenant", "handoff").order_by("tenant__name")
    for share in (share for share in shares if share.is_delivered):
        with schema_context(share.tenant.schema_name):
            totals = Programme.objects.filter(pk=share.programme_id).aggregate(
                application_count=Count("applications", filter=~Q(applications__status="draft")),
                awarded_total=Sum(
                    "applications__approved_amount",
                    filter=Q(applications__status__in=["approved", "disbursed"]),
                ),
            )
        rows.append(
            {
                "tenant": share.tenant,
                "share": share,
                "applications": totals["application_count"] or 0,
                "awarded": totals["awarded_total"] or Decimal("0"),
            }
        )
    return rows
