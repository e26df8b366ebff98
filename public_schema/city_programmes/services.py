"""Writes for city-wide programmes: publish in the hub, then copy into each chosen tenant once.

Publishing resolves “all tenants” to the live tenants of that moment: a tenant created later
does not receive the programme unless the hub operator adds it (`city_programme_tenants_add`).
The copy and its delivery row are written in one transaction (the tenant's schema and the
public one live in the same database), so a retried or concurrent delivery makes no second copy.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.tenants.models import Tenant
from saas.celery import send_on_commit
from tenant_schema.eligibility.rules import rules_validate
from tenant_schema.funding.models import Programme
from tenant_schema.funding.services import DEFAULT_STAGES, programme_create, programme_open

from .models import CityProgramme, CityProgrammeDelivery, CityProgrammeShare

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
    """Publish a programme to chosen tenants (None: every live tenant now) and queue the fan-out.

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
        tenants = list(Tenant.objects.live().filter(status=Tenant.Status.ACTIVE))
    shares = _shares(tenants=tenants, budget=budget)
    try:
        fields["eligibility_rules"] = rules_validate(fields.get("eligibility_rules") or {})
    except ValidationError as error:
        raise ValidationError({"eligibility_rules": error.messages}) from None
    if fields.get("opens_at") and fields.get("closes_at") and fields["closes_at"] <= fields["opens_at"]:
        raise ValidationError({"closes_at": _("The closing time must be after the opening time.")})
    _check_cap(fields.get("per_enterprise_cap"), shares.values(), fields.get("no_application_needed"))
    stages = [
        {k: str(v) if k in ("kind", "role") else v for k, v in stage.items()}
        for stage in (stages or DEFAULT_STAGES)
    ]
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
    for tenant, budget in shares.items():
        if tenant.slot != Tenant.Slot.LIVE or tenant.kind == Tenant.Kind.HUB:
            raise ValidationError(
                {"tenants": _("%(name)s cannot receive programmes.") % {"name": tenant.name}}
            )
        CityProgrammeShare.objects.get_or_create(
            city_programme=city_programme, tenant=tenant, defaults={"budget": budget}
        )
    from .tasks import city_programme_fan_out_task

    send_on_commit(city_programme_fan_out_task, city_programme_id=city_programme.pk)


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


def city_programme_pending_share_ids(*, city_programme_id: int) -> list[int]:
    delivered = CityProgrammeDelivery.objects.filter(city_programme_id=city_programme_id).values_list(
        "tenant_id", flat=True
    )
    return list(
        CityProgrammeShare.objects.filter(city_programme_id=city_programme_id)
        .exclude(tenant_id__in=delivered)
        .values_list("pk", flat=True)
    )


def city_programme_deliver(*, share_id: int) -> CityProgrammeDelivery | None:
    """Make the tenant's own copy (stages, rules, its budget share) unless it exists; opened at once."""
    connection.set_schema_to_public()
    with transaction.atomic():
        share = (
            CityProgrammeShare.objects.select_for_update()
            .select_related("city_programme", "tenant")
            .get(pk=share_id)
        )
        city_programme, tenant = share.city_programme, share.tenant
        if CityProgrammeDelivery.objects.filter(city_programme=city_programme, tenant=tenant).exists():
            return None
        with schema_context(tenant.schema_name):
            programme = programme_create(
                actor=None,
                stages=city_programme.stages or None,
                budget=share.budget,
                city_programme_id=city_programme.pk,
                **{name: getattr(city_programme, name) for name in PROGRAMME_FIELDS},
            )
            programme_open(programme=programme)
        return CityProgrammeDelivery.objects.create(
            city_programme=city_programme, tenant=tenant, programme_id=programme.pk
        )


def city_programme_totals(*, city_programme: CityProgramme) -> list[dict]:
    """Per delivered tenant: its copy's applications and awarded total (read in each tenant's schema)."""
    from django.db.models import Count, Q, Sum

    rows = []
    for delivery in city_programme.deliveries.select_related("tenant").order_by("tenant__name"):
        with schema_context(delivery.tenant.schema_name):
            totals = Programme.objects.filter(pk=delivery.programme_id).aggregate(
                application_count=Count("applications", filter=~Q(applications__status="draft")),
                awarded_total=Sum(
                    "applications__approved_amount",
                    filter=Q(applications__status__in=["approved", "disbursed"]),
                ),
            )
        rows.append(
            {
                "tenant": delivery.tenant,
                "delivery": delivery,
                "applications": totals["application_count"] or 0,
                "awarded": totals["awarded_total"] or Decimal("0"),
            }
        )
    return rows
