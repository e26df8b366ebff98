"""The institution dashboard's card of voucher claims: vouchers ready to claim, claims open and refused."""

from public_schema.network.dashboard_sections import dashboard_section
from public_schema.tenants.models import Tenant

from . import selectors
from .models import NetworkVoucher, VoucherClaim

SHOWN = 8
C = VoucherClaim.Status


@dashboard_section(order=20)
def claims_section(request) -> dict | None:
    institution = request.tenant
    if getattr(institution, "kind", None) != Tenant.Kind.INSTITUTION:
        return None
    claims = selectors.claims_of_institution(institution=institution)
    return {
        "template": "voucher_schemes/_dashboard_claims.html",
        # Delivered and confirmed, not yet claimed: what the institution may file a claim for now.
        "claimable": selectors.vouchers_spent_at(institution=institution, status=NetworkVoucher.Status.SPENT)
        .filter(delivered_at__isnull=False)
        .count(),
        "open": list(claims.filter(status__in=(C.SUBMITTED, C.REVIEWING)).order_by("created_at")[:SHOWN]),
        "refused": list(claims.filter(status=C.REFUSED).order_by("-updated_at")[:SHOWN]),
    }
