"""The demo builder leaves both schemes with vouchers in every state, and a second run adds nothing."""

from django_tenants.utils import schema_context

from public_schema.voucher_schemes.demo import vouchers_seed_demo
from public_schema.voucher_schemes.models import NetworkVoucher, VoucherClaim, VoucherScheme

from ..conftest import ALPHA, BETA
from ..factories import EnterpriseFactory

V = NetworkVoucher.Status


def test_the_demo_shows_every_state_once(hub_operator, tenant_a, tenant_b, institution):
    for schema in (ALPHA, BETA):
        with schema_context(schema):
            for _ in range(5):
                EnterpriseFactory(verified=True)
    vouchers_seed_demo()
    assert VoucherScheme.objects.filter(issuer__schema_name="public").count() == 1
    assert VoucherScheme.objects.exclude(issuer__schema_name="public").count() == 1
    states = set(NetworkVoucher.objects.values_list("status", flat=True))
    assert set(V.values) <= states, states
    assert VoucherClaim.objects.filter(status=VoucherClaim.Status.APPROVED).exists()
    count = NetworkVoucher.objects.count()
    vouchers_seed_demo()
    assert NetworkVoucher.objects.count() == count
