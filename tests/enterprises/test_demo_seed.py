"""The demo seed: illustrative enterprises per tenant, their figures and the demo logins."""

import random
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.hub.management.commands.seed_demo import (
    DEMO_ABOVE_SIZE,
    DEMO_ENTERPRISE_WEIGHTS,
    DEMO_ENTERPRISES,
    JIAOZHOU_NETWORK,
)
from public_schema.tenants.models import Tenant
from tenant_schema.enterprises.credit_code import credit_code_validate
from tenant_schema.enterprises.demo import (
    ABOVE_SIZE_REVENUE,
    FIGURE_YEARS,
    demo_accounts_ensure,
    enterprises_seed_demo,
    network_allocation,
)
from tenant_schema.enterprises.models import Enterprise, Membership, SizeClass, YearlyFigures

from ..conftest import ALPHA

COUNT, ABOVE = 200, 30


def seed(count=COUNT, above=ABOVE, seed="test"):
    return enterprises_seed_demo(count=count, above_size=above, rng=random.Random(seed))


@pytest.fixture
def alpha(db, tenant_a):
    """The alpha schema with no enterprises (rows other tests committed are removed, then rolled back)."""
    with schema_context(ALPHA):
        Enterprise.objects.all().delete()
        yield


@pytest.fixture
def seeded(alpha):
    assert seed() == COUNT
    return Enterprise.objects.all()


def test_the_seed_creates_exactly_the_counts_asked_for(seeded):
    assert seeded.count() == COUNT
    assert seeded.filter(above_designated_size=True).count() == ABOVE


def test_every_credit_code_is_valid_unique_and_from_jiaozhou(seeded):
    codes = list(seeded.values_list("credit_code", flat=True))
    assert len(set(codes)) == len(codes) == COUNT
    for code in codes:
        assert credit_code_validate(code) == code
        assert code.startswith("91370281")


def test_every_enterprise_has_three_years_of_figures(seeded):
    years = Counter(YearlyFigures.objects.values_list("enterprise_id", flat=True))
    assert len(years) == COUNT and set(years.values()) == {len(FIGURE_YEARS)}
    assert set(YearlyFigures.objects.values_list("year", flat=True)) == set(FIGURE_YEARS)
    assert not YearlyFigures.objects.filter(revenue__isnull=True).exists()


def test_above_size_enterprises_meet_the_revenue_threshold_and_the_others_do_not(seeded):
    above = YearlyFigures.objects.filter(enterprise__above_designated_size=True)
    assert above.count() == ABOVE * len(FIGURE_YEARS)
    assert not above.filter(revenue__lt=ABOVE_SIZE_REVENUE).exists()
    assert not YearlyFigures.objects.filter(
        enterprise__above_designated_size=False, revenue__gte=ABOVE_SIZE_REVENUE
    ).exists()
    assert not seeded.filter(above_designated_size=True, size_class=SizeClass.MICRO).exists()
    assert not seeded.filter(
        above_designated_size=False, size_class__in=[SizeClass.LARGE, SizeClass.MEDIUM]
    ).exists()


def test_profiles_statuses_tags_and_rd_are_plausible(seeded):
    assert len(set(seeded.values_list("name", flat=True))) == COUNT
    assert all(name.endswith("有限公司") for name in seeded.values_list("name", flat=True))
    assert not seeded.filter(legal_representative="").exists()
    assert not seeded.filter(address="").exists()
    industries = Counter(seeded.values_list("industry", flat=True))
    assert industries.most_common(1)[0][0] == "C"
    statuses = Counter(seeded.values_list("status", flat=True))
    assert statuses[Enterprise.Status.VERIFIED] > COUNT * 0.75
    assert statuses[Enterprise.Status.PENDING] > 0
    rejected = seeded.filter(status=Enterprise.Status.REJECTED)
    assert rejected.exists() and not rejected.filter(rejection_reason="").exists()
    assert not seeded.filter(status=Enterprise.Status.VERIFIED, verified_at__isnull=True).exists()
    assert seeded.filter(tags__name="专精特新").count() == round(COUNT * 0.05)
    assert seeded.filter(tags__name="高新技术企业").count() == round(COUNT * 0.08)
    assert seeded.filter(tags__name="科技型中小企业").count() == round(COUNT * 0.15)
    # High-tech enterprises spend at least 3% of revenue on R&D; the R&D share stays small.
    for figures in YearlyFigures.objects.filter(enterprise__tags__name="高新技术企业"):
        assert figures.rd_share_of_revenue >= 3
    assert all(f.rd_share_of_revenue < 12 for f in YearlyFigures.objects.all())


def test_a_second_run_adds_nothing(seeded):
    codes = set(seeded.values_list("credit_code", flat=True))
    assert seed(seed="another") == 0
    assert Enterprise.objects.count() == COUNT
    assert YearlyFigures.objects.count() == COUNT * len(FIGURE_YEARS)
    assert set(Enterprise.objects.values_list("credit_code", flat=True)) == codes


def test_the_same_rng_and_schema_give_the_same_codes(seeded):
    codes = sorted(seeded.values_list("credit_code", flat=True))
    Enterprise.objects.all().delete()
    assert seed() == COUNT
    assert sorted(Enterprise.objects.values_list("credit_code", flat=True)) == codes


def test_demo_accounts_own_a_verified_and_a_pending_enterprise_and_a_reviewer_exists(seeded):
    User = get_user_model()
    logins = demo_accounts_ensure(password="demo-password-1")
    assert [login.email for login in logins] == [
        "qiye1@alpha.demo",
        "qiye2@alpha.demo",
        "reviewer@alpha.demo",
    ]
    for email, status in (("qiye1@alpha.demo", "verified"), ("qiye2@alpha.demo", "pending")):
        user = User.objects.get(email=email)
        assert user.check_password("demo-password-1") and user.has_role(roles.ENTERPRISE_USER)
        assert user.membership.role == Membership.Role.OWNER
        assert user.membership.enterprise.status == status
    reviewer = User.objects.get(email="reviewer@alpha.demo")
    assert reviewer.check_password("demo-password-1") and reviewer.has_role(roles.REVIEWER)

    assert demo_accounts_ensure(password="demo-password-1") == logins
    assert User.objects.filter(email__endswith="@alpha.demo").count() == 3
    assert Membership.objects.count() == 2


def test_the_network_allocation_matches_jiaozhou():
    weights = {slug: DEMO_ENTERPRISE_WEIGHTS[slug] for slug, _name, _kind in JIAOZHOU_NETWORK}
    allocation = network_allocation(weights, total=DEMO_ENTERPRISES, above_size=DEMO_ABOVE_SIZE)
    assert sum(count for count, _above in allocation.values()) == DEMO_ENTERPRISES == 7000
    assert sum(above for _count, above in allocation.values()) == DEMO_ABOVE_SIZE == 985
    for slug, _name, kind in JIAOZHOU_NETWORK:
        count, above = allocation[slug]
        assert above <= count
        if kind == Tenant.Kind.DISTRICT:
            assert 350 <= count <= 900
        else:
            assert 200 <= count < 350
    small = network_allocation(weights, total=20, above_size=20)
    assert sum(c for c, _a in small.values()) == 20 and all(a == c for c, a in small.values())
