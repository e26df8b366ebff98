"""Demo network vouchers: a city-wide 创新券 from the hub and a 服务券 of one sub-platform.

Between them they show every state: granted, spent, claimed, settled, refused (an
application and a claim) and expired. Everything goes through the services, as a person
would do it; two shortcuts are said where they are taken. Order references are
illustrative (the orders app on another branch makes real ones). Institutions: the admitted
ones the network already has, else two illustrative ones provisioned here. Safe to run
again: a scheme already seeded is left as it is.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.network.models import InstitutionProfile, ServiceCategory
from public_schema.tenants.models import Tenant

from . import services
from .models import NetworkVoucher, VoucherScheme

CITY_TITLE = "2026 年胶州市科技创新券"
LOCAL_TITLE = "2026 年企业服务券（分平台）"
DEMO_INSTITUTIONS = [
    ("jzkechuang", "胶州市科创服务中心（示例）"),
    ("jzjiance", "胶州市检验检测服务站（示例）"),
]
PDF = b"%PDF-1.4\n% demo claim document\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def _files() -> dict:
    return {
        kind: [SimpleUploadedFile(f"{kind}.pdf", PDF, content_type="application/pdf")]
        for kind in ("contract", "invoice", "delivery")
    }


def _institutions() -> list[Tenant]:
    admitted = list(
        Tenant.objects.filter(
            kind=Tenant.Kind.INSTITUTION, institution_profile__status=InstitutionProfile.Status.ADMITTED
        ).order_by("pk")
    )
    if admitted:
        return admitted
    from public_schema.tenants.services import tenant_provision

    made = []
    for slug, name in DEMO_INSTITUTIONS:
        tenant = Tenant.objects.filter(schema_name=slug).first()
        if tenant is None:
            tenant = tenant_provision(
                name=name, slug=slug, kind=Tenant.Kind.INSTITUTION, admin_email=f"admin@{slug}.demo"
            ).tenant
        # Shortcut: the pool review (入库) belongs to the network app; the demo admits them directly.
        InstitutionProfile.objects.update_or_create(
            tenant=tenant,
            defaults={
                "status": InstitutionProfile.Status.ADMITTED,
                "categories": [
                    ServiceCategory.INNOVATION,
                    ServiceCategory.TESTING,
                    ServiceCategory.CONSULTING,
                ],
                "admitted_at": timezone.now(),
            },
        )
        made.append(tenant)
    return made


def _staff(tenant: Tenant):
    """The tenant's first administrator, in its own schema (the one who acts on its site)."""
    User = get_user_model()
    role = roles.INSTITUTION_ADMIN if tenant.kind == Tenant.Kind.INSTITUTION else roles.PARK_ADMIN
    return (
        User.objects.filter(groups__name=role).order_by("pk").first()
        or User.objects.filter(is_superuser=True).first()
    )


def _has_owner(holder: Tenant, enterprise) -> bool:
    from tenant_schema.enterprises.models import Membership

    with schema_context(holder.schema_name):
        return Membership.objects.filter(enterprise=enterprise).exists()


def _owner(enterprise):
    """The enterprise's first member, who applies for it (called in its schema)."""
    from tenant_schema.enterprises.models import Membership

    membership = (
        Membership.objects.filter(enterprise=enterprise).select_related("user").order_by("pk").first()
    )
    return membership.user if membership else None


def _verified_enterprises(tenant: Tenant, count: int) -> list:
    from tenant_schema.enterprises.models import Enterprise

    with schema_context(tenant.schema_name):
        return list(Enterprise.objects.filter(status=Enterprise.Status.VERIFIED).order_by("pk")[:count])


def _grant(scheme, holder, enterprise, actor):
    return services.voucher_grant_to(
        scheme=scheme,
        holder=holder,
        enterprise_id=enterprise.pk,
        enterprise_name=enterprise.name,
        enterprise_credit_code=enterprise.credit_code,
        actor=actor,
    )


def _spend(voucher, institution, rng, number: str):
    price = Decimal(rng.choice([3000, 4800, 6000, 8000, 12000]))
    services.voucher_spend(
        voucher_id=voucher.pk,
        holder_tenant=voucher.holder,
        enterprise_id=voucher.enterprise_id,
        order_reference=f"DEMO-{number}",
        institution=institution,
        category=voucher.scheme.categories[0] if voucher.scheme.categories else ServiceCategory.INNOVATION,
        price=price,
    )
    # Illustrative: the enterprise confirms delivery (the orders app does this on another branch).
    services.voucher_delivered(order_reference=f"DEMO-{number}")


def _claim(institution, vouchers):
    connection.set_tenant(institution)
    try:
        staff = _staff(institution)
        return services.claim_file(
            institution=institution,
            actor=staff,
            voucher_ids=[v.pk for v in vouchers],
            files=_files(),
            note="示例兑付申请",
        )
    finally:
        connection.set_schema_to_public()


def _play(scheme, *, issuer_actor, holders, institutions, rng, tag: str, on_issuer_site) -> dict:
    """Grant, spend, claim and decide, leaving vouchers in every state."""
    each = -(-9 // len(holders))  # nine enterprises between them
    enterprises = [(holder, e) for holder in holders for e in _verified_enterprises(holder, each)]
    if len(enterprises) < 9:
        return {}
    # The last two apply themselves, through an owner's account: enterprises with an owner go last.
    enterprises.sort(key=lambda pair: _has_owner(*pair))
    with on_issuer_site():
        granted = [_grant(scheme, holder, e, issuer_actor) for holder, e in enterprises[:7]]
    # Spent: five of them, at the institutions in turn.
    # Each at an institution that takes it (admitted and serving the voucher's sub-platform).
    for index, voucher in enumerate(granted[:5]):
        takers = [
            i for i in institutions if services.institution_may_take(institution=i, holder=voucher.holder)
        ]
        if takers:
            _spend(voucher, takers[index % len(takers)], rng, f"{tag}-{index + 1:04d}")
    # Claims: one each for the first three spent vouchers (settled, refused, under review); two stay spent.
    spent = NetworkVoucher.objects.filter(
        pk__in=[v.pk for v in granted[:3]], institution__isnull=False
    ).select_related("institution")
    claims = [_claim(voucher.institution, [voucher]) for voucher in spent.order_by("pk")]
    with on_issuer_site():
        if claims:  # the first settled, the second refused with a reason, any other under review
            services.claim_move(claim_id=claims[0].pk, action="review", actor=issuer_actor)
            services.claim_move(claim_id=claims[0].pk, action="approve", actor=issuer_actor)
        if len(claims) > 1:
            services.claim_move(
                claim_id=claims[1].pk,
                action="refuse",
                actor=issuer_actor,
                comment="发票抬头与合同主体不一致，请更正后重新申请",
            )
    # Expired: a voucher granted with a short validity (shortcut: its last day is set to yesterday), then the sweep.
    NetworkVoucher.objects.filter(pk=granted[6].pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    services.vouchers_expire_due()
    # Applications: one refused, one waiting for the issuer.
    refused_holder, refused_enterprise = enterprises[7]
    waiting_holder, waiting_enterprise = enterprises[8]
    for holder, enterprise in ((refused_holder, refused_enterprise), (waiting_holder, waiting_enterprise)):
        connection.set_tenant(holder)
        try:
            owner = _owner(enterprise)
            if owner is None:  # nobody can apply for it
                continue
            voucher = services.voucher_apply(scheme=scheme, holder=holder, enterprise=enterprise, actor=owner)
        finally:
            connection.set_schema_to_public()
        if holder is refused_holder and enterprise is refused_enterprise:
            with on_issuer_site():
                services.voucher_review(
                    voucher_id=voucher.pk,
                    action="refuse",
                    actor=issuer_actor,
                    comment="申请服务不属于本券支持的类别",
                )
    return {
        status: NetworkVoucher.objects.filter(scheme=scheme, status=status).count()
        for status in NetworkVoucher.Status.values
    }


class _Public:
    def __enter__(self):
        connection.set_schema_to_public()

    def __exit__(self, *exc):
        connection.set_schema_to_public()


def vouchers_seed_demo(*, rng: random.Random | None = None) -> str:
    """Seed both schemes once; returns a line for seed_demo's summary."""
    rng = rng or random.Random("parkhub-demo-vouchers")
    connection.set_schema_to_public()
    hub = Tenant.objects.get(schema_name="public")
    sub_platforms = list(
        Tenant.objects.live().filter(kind__in=[Tenant.Kind.DISTRICT, Tenant.Kind.PARK]).order_by("pk")
    )
    if len(sub_platforms) < 2:
        return "  Vouchers: skipped (fewer than two sub-platforms)"
    institutions = _institutions()
    today = timezone.localdate()
    operator = get_user_model().objects.filter(groups__name=roles.HUB_OPERATOR).order_by("pk").first()
    counts = {}
    if operator is not None and not VoucherScheme.objects.filter(issuer=hub, title=CITY_TITLE).exists():
        city = services.scheme_create(
            issuer=hub,
            actor=operator,
            title=CITY_TITLE,
            description="面向全市科技型中小企业，用于购买研发设计、检验检测、科技咨询等服务。",
            budget=Decimal("500000"),
            kind=VoucherScheme.Kind.FACE_VALUE,
            face_value=Decimal("5000"),
            cap_per_enterprise=Decimal("10000"),
            categories=[ServiceCategory.INNOVATION, ServiceCategory.TESTING, ServiceCategory.CONSULTING],
            valid_from=today - timedelta(days=60),
            valid_until=today + timedelta(days=240),
        )
        counts["city"] = _play(
            city,
            issuer_actor=operator,
            holders=sub_platforms[:3],
            institutions=institutions,
            rng=rng,
            tag="CX",
            on_issuer_site=_Public,
        )
    issuer = sub_platforms[0]
    if not VoucherScheme.objects.filter(issuer=issuer, title=LOCAL_TITLE).exists():
        connection.set_tenant(issuer)
        try:
            with schema_context(issuer.schema_name):
                admin = _staff(issuer)
            local = services.scheme_create(
                issuer=issuer,
                actor=admin,
                title=LOCAL_TITLE,
                description="本分平台企业购买入库机构服务，按价格 50% 抵扣，单张最多 2000 元。",
                budget=Decimal("60000"),
                kind=VoucherScheme.Kind.PERCENTAGE,
                percentage=Decimal("50"),
                cap_per_voucher=Decimal("2000"),
                categories=[],
                valid_from=today - timedelta(days=30),
                valid_until=today + timedelta(days=150),
            )
        finally:
            connection.set_schema_to_public()

        class _OnIssuerSite:
            def __enter__(self):
                connection.set_tenant(issuer)

            def __exit__(self, *exc):
                connection.set_schema_to_public()

        counts["local"] = _play(
            local,
            issuer_actor=admin,
            holders=[issuer],
            institutions=institutions,
            rng=rng,
            tag="FW",
            on_issuer_site=_OnIssuerSite,
        )
    total = NetworkVoucher.objects.count()
    return f"  Vouchers: {VoucherScheme.objects.count()} schemes, {total} vouchers (every state), {len(institutions)} institutions take them"
