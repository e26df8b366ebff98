"""The hub's voucher figures: what was issued, spent, claimed and settled, per issuer and per institution."""

from decimal import Decimal

from django_tenants.utils import schema_context

from public_schema.voucher_schemes import services
from public_schema.voucher_schemes.figures import voucher_figures_by_institution, voucher_figures_by_issuer

from .conftest import INSTITUTION, on_site
from .test_services import claim_files, grant, spend


def test_figures_follow_the_vouchers_through_settlement(
    scheme, tenant_a, enterprise_a, enterprise_a2, hub_operator, institution, institution_staff, hub_client
):
    first = grant(scheme, tenant_a, enterprise_a, hub_operator)
    grant(scheme, tenant_a, enterprise_a2, hub_operator)
    spend(first, tenant_a, enterprise_a, institution, price="600")
    with on_site(institution), schema_context(INSTITUTION):
        claim = services.claim_file(
            institution=institution, actor=institution_staff, voucher_ids=[first.pk], files=claim_files()
        )
    services.claim_move(claim_id=claim.pk, action="review", actor=hub_operator)
    services.claim_move(claim_id=claim.pk, action="approve", actor=hub_operator)
    [hub_row] = [row for row in voucher_figures_by_issuer() if row["scheme__issuer_id"] == scheme.issuer_id]
    assert (hub_row["issued"], hub_row["issued_amount"]) == (2, Decimal("2000.00"))
    assert (hub_row["spent"], hub_row["spent_amount"]) == (1, Decimal("600.00"))
    assert (hub_row["settled"], hub_row["settled_amount"]) == (1, Decimal("600.00"))
    [at_institution] = [
        row for row in voucher_figures_by_institution() if row["institution_id"] == institution.pk
    ]
    assert at_institution["claimed"] == 1 and at_institution["settled_amount"] == Decimal("600.00")
    hub_client.force_login(hub_operator)
    page = hub_client.get("/network-vouchers/figures/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and "服务券统计" in page.content.decode()
    export = hub_client.get("/network-vouchers/figures/?export=csv")
    assert export["Content-Type"].startswith("text/csv") and "600.00" in export.content.decode("utf-8-sig")
