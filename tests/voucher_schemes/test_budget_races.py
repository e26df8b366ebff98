"""The scheme's budget under concurrent grants and spends: real threads, each on its own connection.

Committed rows (the threads cannot see a test's open transaction); the clean-up removes
them, the append-only history included (pgtrigger.ignore, for tests only).
"""

import threading
from decimal import Decimal

import pgtrigger
import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from every_schema.accounts import roles
from public_schema.network.models import InstitutionProfile
from public_schema.tenants.models import Tenant
from public_schema.voucher_schemes import services
from public_schema.voucher_schemes.models import ClaimHistory, NetworkVoucher, VoucherHistory, VoucherScheme

from ..conftest import make_user
from .conftest import city_scheme

THREADS = 20


@pytest.fixture
def race_scheme(committed_db, institution_site):
    """A hub scheme of 10 vouchers' worth (10 × 1,000 yuan), committed, removed afterwards."""
    operator = make_user("public", role=roles.HUB_OPERATOR)
    hub = Tenant.objects.get(schema_name="public")
    InstitutionProfile.objects.update_or_create(
        tenant=institution_site, defaults={"status": InstitutionProfile.Status.ADMITTED}
    )
    scheme = city_scheme(hub, operator, budget=Decimal("10000"), title="并发测试创新券")
    yield scheme
    connection.set_schema_to_public()
    with pgtrigger.ignore(
        "voucher_schemes.VoucherHistory:network_voucher_history_no_delete",
        "voucher_schemes.ClaimHistory:voucher_claim_history_no_delete",
    ):
        VoucherHistory.objects.filter(voucher__scheme=scheme).delete()
        ClaimHistory.objects.filter(claim__scheme=scheme).delete()
    NetworkVoucher.objects.filter(scheme=scheme).delete()
    VoucherScheme.objects.filter(pk=scheme.pk).delete()
    InstitutionProfile.objects.filter(tenant=institution_site).delete()
    # The public schema has no enterprise seats for Django's cascade to look through: remove the row itself.
    operator.groups.clear()
    type(operator).objects.filter(pk=operator.pk)._raw_delete("default")


def all_at_once(count: int, work) -> list:
    """Run work(i) in `count` threads released together by a barrier; the results or exceptions, in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            connection.set_schema_to_public()
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - the test counts refusals
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_twenty_concurrent_grants_never_overspend_the_budget(race_scheme, tenant_a):
    results = all_at_once(
        THREADS,
        lambda i: services.voucher_grant_to(
            scheme=race_scheme,
            holder=tenant_a,
            enterprise_id=10_000 + i,
            enterprise_name=f"并发企业{i}",
            enterprise_credit_code=f"91370200MA{i:08d}",
            auto=True,
        ),
    )
    granted = [r for r in results if isinstance(r, NetworkVoucher)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(granted) == 10 and len(refused) == 10, results
    held = sum(NetworkVoucher.objects.filter(scheme=race_scheme).values_list("budget_held", flat=True))
    assert held == race_scheme.budget


def test_one_voucher_spent_by_concurrent_orders_pays_for_one(race_scheme, tenant_a, institution_site):
    voucher = services.voucher_grant_to(
        scheme=race_scheme,
        holder=tenant_a,
        enterprise_id=777,
        enterprise_name="并发企业",
        enterprise_credit_code="91370200MA00000777",
        auto=True,
    )
    results = all_at_once(
        THREADS,
        lambda i: services.voucher_spend(
            voucher_id=voucher.pk,
            holder_tenant=tenant_a,
            enterprise_id=777,
            order_reference=f"RACE-{i}",
            institution=institution_site,
            category="innovation",
            price=Decimal("900"),
        ),
    )
    assert sum(1 for r in results if r == Decimal("900.00")) == 1, results
    assert sum(1 for r in results if isinstance(r, ValidationError)) == THREADS - 1
    assert VoucherHistory.objects.filter(voucher=voucher, action="spend").count() == 1


def test_grants_racing_an_expiry_keep_the_ledger_whole(race_scheme, tenant_a):
    """Expiring vouchers frees budget while others are granted: the sum never passes the budget."""
    for i in range(10):
        services.voucher_grant_to(
            scheme=race_scheme,
            holder=tenant_a,
            enterprise_id=20_000 + i,
            enterprise_name="x",
            enterprise_credit_code="x",
            auto=True,
        )
    NetworkVoucher.objects.filter(scheme=race_scheme).update(valid_until=race_scheme.valid_from)
    from django.utils import timezone

    def work(i):
        if i == 0:
            return services.vouchers_expire_due(today=timezone.localdate())
        return services.voucher_grant_to(
            scheme=race_scheme,
            holder=tenant_a,
            enterprise_id=30_000 + i,
            enterprise_name="y",
            enterprise_credit_code="y",
            auto=True,
        )

    all_at_once(THREADS, work)
    held = sum(NetworkVoucher.objects.filter(scheme=race_scheme).values_list("budget_held", flat=True))
    assert held <= race_scheme.budget
