"""The demo's institutions: 30+ in the seeds' categories, every pool state, products, and fast to provision."""

import time

from django.contrib.auth.hashers import make_password
from django.db.models import Count

from public_schema.network.demo import INSTITUTIONS, PRODUCTS, SLUG_PREFIX, STATES, network_seed_demo
from public_schema.network.models import InstitutionProfile, NetworkProduct
from public_schema.network.selectors import network_products_for_tenant

from ..conftest import PASSWORD

S = InstitutionProfile.Status


def test_the_demo_lists_30_institutions_most_admitted_in_the_seeds_categories():
    total = sum(len(names) for _category, names in INSTITUTIONS)
    assert total >= 30
    assert len(STATES) < total / 2  # the others are admitted
    assert {"training", "entrepreneurship", "innovation", "financing", "informatisation"} <= set(PRODUCTS)
    assert all(len(offers) >= 2 for offers in PRODUCTS.values())


# Six: every provisioning of a test holds its schema's locks until the test's transaction
# ends (seed_demo commits each), and the first six show every state.
SHOWN = 6


def test_the_demo_network_of_institutions(db, hub_operator, tenant_a, tenant_b):
    started = time.monotonic()
    lines = network_seed_demo(password=PASSWORD, password_hash=make_password(PASSWORD), count=SHOWN)
    seconds = time.monotonic() - started
    profiles = InstitutionProfile.objects.filter(tenant__schema_name__startswith=SLUG_PREFIX)
    assert profiles.count() == SHOWN
    counts = dict(profiles.values_list("status").annotate(n=Count("pk")))
    for status in (S.ADMITTED, S.SUBMITTED, S.REVIEWING, S.REFUSED, S.SUSPENDED, S.REMOVED):
        assert counts.get(status), status
    per_institution = (
        NetworkProduct.objects.filter(institution__institution_profile__status__in=[S.ADMITTED, S.SUSPENDED])
        .values("institution")
        .annotate(n=Count("pk"))
    )
    assert {row["n"] for row in per_institution} <= {2, 3, 4}
    assert NetworkProduct.objects.filter(term_months__in=[3, 6, 12]).exists()
    assert NetworkProduct.objects.filter(price=0).exists()
    assert (
        network_products_for_tenant(tenant=tenant_a).exists()
        or network_products_for_tenant(tenant=tenant_b).exists()
    )
    assert f"admin@{SLUG_PREFIX}01.demo" in lines and PASSWORD in lines
    # Each one clones the template (the spare pool is not refilled in a rolled-back test): about
    # 0.4 s on a quiet machine (docs/benchmarks.md), a few seconds under load; replaying every
    # migration instead would be several times slower still.
    assert seconds < SHOWN * 8, f"{seconds:.1f}s for {profiles.count()} institutions"
    print(f"demo institutions: {profiles.count()} in {seconds:.1f}s")
    again = time.monotonic()
    assert "0 created now" in network_seed_demo(
        password=PASSWORD, password_hash=make_password(PASSWORD), count=SHOWN
    )
    assert time.monotonic() - again < 5
