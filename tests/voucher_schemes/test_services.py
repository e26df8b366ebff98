"""Vouchers from grant to settlement as the parties live it, refusals in the enterprise's words."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import ProgrammingError, connection, transaction
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from public_schema.network.models import InstitutionProfile, ServiceCategory
from public_schema.voucher_schemes import services
from public_schema.voucher_schemes.models import NetworkVoucher, VoucherClaim, VoucherHistory
from public_schema.voucher_schemes.selectors import schemes_for_issuer, schemes_open_to
from saas.workflow import TransitionRefused

from ..conftest import ALPHA
from .conftest import INSTITUTION, city_scheme, on_site

V = NetworkVoucher.Status
PDF = b"%PDF-1.4 claim document\n"


def grant(scheme, tenant, registration, operator=None):
    return services.voucher_grant_to(
        scheme=scheme,
        holder=tenant,
        enterprise_id=registration.enterprise.pk,
        enterprise_name=registration.enterprise.name,
        enterprise_credit_code=registration.enterprise.credit_code,
        actor=operator,
        auto=operator is None,
    )


def spend(
    voucher,
    tenant,
    registration,
    institution,
    *,
    reference="NO-1",
    category="innovation",
    price="1500",
    delivered=True,
):
    """Spend on an order; `delivered`: the enterprise then confirms the delivery (so it may be claimed)."""
    discount = services.voucher_spend(
        voucher_id=voucher.pk,
        holder_tenant=tenant,
        enterprise_id=registration.enterprise.pk,
        order_reference=reference,
        institution=institution,
        category=category,
        price=Decimal(price),
    )
    if delivered:
        services.voucher_delivered(order_reference=reference)
    return discount


def pdf(name):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def claim_files():
    return {"contract": [pdf("合同.pdf")], "invoice": [pdf("发票.pdf")], "delivery": [pdf("交付.pdf")]}


def used(scheme):
    return schemes_for_issuer(issuer=scheme.issuer).get(pk=scheme.pk).budget_used


def test_a_granted_voucher_holds_its_face_value_of_the_budget(scheme, tenant_a, enterprise_a, hub_operator):
    voucher = grant(scheme, tenant_a, enterprise_a, hub_operator)
    assert voucher.status == V.GRANTED and voucher.amount == Decimal("1000")
    assert used(scheme) == Decimal("1000")
    assert voucher.enterprise_name == enterprise_a.enterprise.name


def test_a_grant_past_the_budget_is_refused_with_what_is_left(
    hub, hub_operator, tenant_a, enterprise_a, enterprise_a2
):
    scheme = city_scheme(hub, hub_operator, budget=Decimal("1500"))
    grant(scheme, tenant_a, enterprise_a, hub_operator)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        grant(scheme, tenant_a, enterprise_a2, hub_operator)
    assert "500.00" in str(refused.value)


def test_only_the_issuer_on_its_own_site_creates_a_scheme(hub, park_admin_a, tenant_a):
    with pytest.raises(PermissionDenied):
        city_scheme(hub, park_admin_a)  # a park admin is nobody on the hub
    with schema_context(ALPHA):
        connection.set_tenant(tenant_a)
        scheme = city_scheme(tenant_a, park_admin_a, title="园区服务券")
    assert scheme.issuer == tenant_a


def test_spend_gives_the_discount_and_is_idempotent_on_the_order(
    scheme, tenant_a, enterprise_a, hub_operator, institution
):
    voucher = grant(scheme, tenant_a, enterprise_a, hub_operator)
    assert spend(voucher, tenant_a, enterprise_a, institution, price="800") == Decimal("800.00")
    assert spend(voucher, tenant_a, enterprise_a, institution, price="800") == Decimal("800.00")
    voucher.refresh_from_db()
    assert voucher.status == V.SPENT and voucher.order_reference == "NO-1"
    assert voucher.history.filter(action="spend").count() == 1
    assert used(scheme) == Decimal("1000")  # reserved until the claim is settled


def test_a_percentage_voucher_takes_its_share_up_to_its_cap(
    hub, hub_operator, tenant_a, enterprise_a, institution
):
    scheme = city_scheme(
        hub, hub_operator, kind="percentage", percentage=Decimal("50"), cap_per_voucher=Decimal("2000")
    )
    voucher = grant(scheme, tenant_a, enterprise_a, hub_operator)
    assert voucher.amount == Decimal("2000")
    assert spend(voucher, tenant_a, enterprise_a, institution, price="10000") == Decimal("2000.00")


@pytest.mark.parametrize(
    "case, message",
    [
        ("wrong_category", "仅限"),
        ("expired", "过期"),
        ("not_admitted", "不接受"),
        ("spent", "已用于"),
        ("other_enterprise", "没有这张券"),
    ],
)
def test_spend_refusals_speak_chinese(
    case, message, scheme, tenant_a, enterprise_a, enterprise_a2, hub_operator, institution
):
    voucher = grant(scheme, tenant_a, enterprise_a, hub_operator)
    registration, category, reference = enterprise_a, "innovation", "NO-2"
    if case == "wrong_category":
        category = ServiceCategory.LEGAL
    elif case == "expired":
        NetworkVoucher.objects.filter(pk=voucher.pk).update(
            valid_until=timezone.localdate() - timedelta(days=1)
        )
    elif case == "not_admitted":
        InstitutionProfile.objects.filter(tenant=institution).update(
            status=InstitutionProfile.Status.SUSPENDED
        )
    elif case == "spent":
        spend(voucher, tenant_a, enterprise_a, institution, reference="NO-1")
    elif case == "other_enterprise":
        registration = enterprise_a2
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        spend(voucher, tenant_a, registration, institution, category=category, reference=reference)
    assert message in " ".join(refused.value.messages), refused.value.messages


def test_an_institution_that_does_not_serve_the_sub_platform_does_not_take_it(
    scheme, tenant_a, tenant_b, enterprise_a, hub_operator, institution
):
    institution.institution_profile.serves.set([tenant_b])
    voucher = grant(scheme, tenant_a, enterprise_a, hub_operator)
    with pytest.raises(ValidationError):
        spend(voucher, tenant_a, enterprise_a, institution)


def test_release_gives_the_voucher_back_and_is_idempotent(
    scheme, tenant_a, enterprise_a, hub_operator, institution
):
    voucher = grant(scheme, tenant_a, enterprise_a, hub_operator)
    spend(voucher, tenant_a, enterprise_a, institution)
    services.voucher_release(order_reference="NO-1")
    assert services.voucher_release(order_reference="NO-1") is None
    voucher.refresh_from_db()
    assert voucher.status == V.GRANTED and voucher.order_reference == "" and voucher.discount is None
    assert spend(voucher, tenant_a, enterprise_a, institution, reference="NO-3", price="300") == Decimal(
        "300.00"
    )


def test_expiry_returns_the_amount_to_the_budget_once(
    scheme, tenant_a, enterprise_a, enterprise_a2, hub_operator, institution
):
    kept = grant(scheme, tenant_a, enterprise_a, hub_operator)
    lapsing = grant(scheme, tenant_a, enterprise_a2, hub_operator)
    spend(kept, tenant_a, enterprise_a, institution)
    later = scheme.valid_until + timedelta(days=1)
    assert services.vouchers_expire_due(today=later) == 1
    assert services.vouchers_expire_due(today=later) == 0
    lapsing.refresh_from_db()
    assert lapsing.status == V.EXPIRED and lapsing.budget_held == 0
    assert used(scheme) == Decimal("1000")


def test_an_application_is_reviewed_by_the_issuer(scheme, tenant_a, enterprise_a, hub_operator):
    with on_site(tenant_a):
        voucher = services.voucher_apply(
            scheme=scheme, holder=tenant_a, enterprise=enterprise_a.enterprise, actor=enterprise_a.user
        )
    assert voucher.status == V.APPLIED and used(scheme) == 0
    with on_site(tenant_a), pytest.raises(ValidationError):  # one open application at a time
        services.voucher_apply(
            scheme=scheme, holder=tenant_a, enterprise=enterprise_a.enterprise, actor=enterprise_a.user
        )
    with on_site(tenant_a), pytest.raises(TransitionRefused):
        services.voucher_review(voucher_id=voucher.pk, action="grant", actor=enterprise_a.user)
    services.voucher_review(
        voucher_id=voucher.pk, action="grant", actor=hub_operator, expected_status="applied"
    )
    with pytest.raises(TransitionRefused):  # a second click
        services.voucher_review(
            voucher_id=voucher.pk, action="grant", actor=hub_operator, expected_status="applied"
        )
    voucher.refresh_from_db()
    assert voucher.status == V.GRANTED and used(scheme) == Decimal("1000")
    assert list(voucher.history.values_list("action", flat=True)) == ["apply", "grant"]


def test_a_refusal_needs_a_reason(scheme, tenant_a, enterprise_a, hub_operator):
    with on_site(tenant_a):
        voucher = services.voucher_apply(
            scheme=scheme, holder=tenant_a, enterprise=enterprise_a.enterprise, actor=enterprise_a.user
        )
    with pytest.raises(ValidationError):
        services.voucher_review(voucher_id=voucher.pk, action="refuse", actor=hub_operator)
    services.voucher_review(
        voucher_id=voucher.pk, action="refuse", actor=hub_operator, comment="不在支持范围"
    )
    voucher.refresh_from_db()
    assert voucher.status == V.REFUSED and voucher.status_reason == "不在支持范围"


def test_a_sub_platform_scheme_is_open_only_to_its_own_area(tenant_a, tenant_b, park_admin_a, enterprise_b):
    connection.set_tenant(tenant_a)
    scheme = city_scheme(tenant_a, park_admin_a, title="阿尔法园区服务券")
    connection.set_schema_to_public()
    assert scheme in schemes_open_to(holder=tenant_a)
    assert scheme not in schemes_open_to(holder=tenant_b)
    with pytest.raises(ValidationError):
        services.voucher_grant_to(
            scheme=scheme,
            holder=tenant_b,
            enterprise_id=enterprise_b.enterprise.pk,
            enterprise_name="x",
            enterprise_credit_code="x",
            auto=True,
        )


def test_auto_grant_gives_qualifying_enterprises_one_voucher_each(
    hub, hub_operator, tenant_a, enterprise_a, enterprise_a2
):
    scheme = city_scheme(hub, hub_operator, auto_grant=True, accepts_applications=False, eligibility_rules={})
    first = services.scheme_auto_grant(scheme_id=scheme.pk)
    assert first >= 2
    assert services.scheme_auto_grant(scheme_id=scheme.pk) == 0
    held = NetworkVoucher.objects.filter(
        scheme=scheme, holder=tenant_a, enterprise_id=enterprise_a.enterprise.pk
    )
    assert held.count() == 1 and held.get().auto_granted


def test_claim_then_settle_records_amount_and_date(
    scheme, tenant_a, enterprise_a, enterprise_a2, hub_operator, institution, institution_staff
):
    first = grant(scheme, tenant_a, enterprise_a, hub_operator)
    second = grant(scheme, tenant_a, enterprise_a2, hub_operator)
    spend(first, tenant_a, enterprise_a, institution, reference="NO-1", price="800")
    spend(second, tenant_a, enterprise_a2, institution, reference="NO-2", price="1200")
    with schema_context(INSTITUTION):
        connection.set_tenant(institution)
        with pytest.raises(ValidationError):  # the invoice is missing
            services.claim_file(
                institution=institution,
                actor=institution_staff,
                voucher_ids=[first.pk],
                files={"contract": [pdf("a.pdf")]},
            )
        claim = services.claim_file(
            institution=institution,
            actor=institution_staff,
            voucher_ids=[first.pk, second.pk],
            files=claim_files(),
        )
    connection.set_schema_to_public()
    assert claim.amount_claimed == Decimal("1800.00") and claim.files.count() == 3
    assert set(claim.vouchers.values_list("status", flat=True)) == {V.CLAIMED}
    with pytest.raises(TransitionRefused):  # approve only after review
        services.claim_move(claim_id=claim.pk, action="approve", actor=hub_operator)
    services.claim_move(claim_id=claim.pk, action="review", actor=hub_operator)
    services.claim_move(claim_id=claim.pk, action="approve", actor=hub_operator, settled_amount="1500")
    claim.refresh_from_db()
    assert claim.status == VoucherClaim.Status.APPROVED and claim.settled_on == timezone.localdate()
    settled = sorted(claim.vouchers.values_list("settled_amount", flat=True))
    assert sum(settled) == Decimal("1500.00")
    assert used(scheme) == Decimal("1500.00")  # the rest returned to the budget
    assert list(claim.history.values_list("to_status", flat=True)) == ["submitted", "reviewing", "approved"]


def test_a_refused_claim_carries_its_reason(
    scheme, tenant_a, enterprise_a, hub_operator, institution, institution_staff
):
    voucher = grant(scheme, tenant_a, enterprise_a, hub_operator)
    spend(voucher, tenant_a, enterprise_a, institution)
    with schema_context(INSTITUTION):
        connection.set_tenant(institution)
        claim = services.claim_file(
            institution=institution, actor=institution_staff, voucher_ids=[voucher.pk], files=claim_files()
        )
    connection.set_schema_to_public()
    services.claim_move(claim_id=claim.pk, action="refuse", actor=hub_operator, comment="发票抬头不符")
    claim.refresh_from_db()
    voucher.refresh_from_db()
    assert claim.status == VoucherClaim.Status.REFUSED and claim.status_reason == "发票抬头不符"
    assert voucher.status == V.CLAIM_REFUSED and voucher.budget_held == 0


def test_voucher_history_is_append_only(scheme, tenant_a, enterprise_a, hub_operator):
    grant(scheme, tenant_a, enterprise_a, hub_operator)
    with transaction.atomic(), pytest.raises(ProgrammingError, match="pgtrigger"):
        VoucherHistory.objects.update(comment="changed")


def test_the_expiry_task_expires_past_validity_and_is_safe_twice(
    scheme, tenant_a, enterprise_a, hub_operator
):
    from public_schema.voucher_schemes.tasks import vouchers_expire_due_task

    voucher = grant(scheme, tenant_a, enterprise_a, hub_operator)
    NetworkVoucher.objects.filter(pk=voucher.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    assert vouchers_expire_due_task.apply().get() == 1
    assert vouchers_expire_due_task.apply().get() == 0
    assert used(scheme) == 0


def test_an_order_not_yet_delivered_cannot_be_claimed(
    scheme, tenant_a, enterprise_a, hub_operator, institution, institution_staff
):
    voucher = grant(scheme, tenant_a, enterprise_a, hub_operator)
    spend(voucher, tenant_a, enterprise_a, institution, delivered=False)
    with on_site(institution), translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.claim_file(
            institution=institution, actor=institution_staff, voucher_ids=[voucher.pk], files=claim_files()
        )
    assert "尚未确认交付" in " ".join(refused.value.messages)
    services.voucher_delivered(order_reference="NO-1")
    with on_site(institution):
        claim = services.claim_file(
            institution=institution, actor=institution_staff, voucher_ids=[voucher.pk], files=claim_files()
        )
    assert claim.status == VoucherClaim.Status.SUBMITTED
