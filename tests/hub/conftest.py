"""Known data in three fresh sub-platforms, with every figure the hub shows worked out by hand.

The three tenants are provisioned inside the test's transaction (`db`), as kind
"district" so the dashboard can be narrowed to exactly them (alpha and beta are parks).
Cross-schema SQL sees the uncommitted rows of its own transaction, and the rollback
drops the schemas again. After every step the tenant's hub rollups are refreshed, as
the debounced hub.rollup_refresh task does after a commit. The workflow's clock is set per step, so working days are
known: March 2026 has no public holiday. Only verified enterprises may apply; east and
north each have one more enterprise still waiting for verification.

    tenant   application  submitted        decided           outcome   working days  amount
    east     E1           Mon 2026-03-02   Thu 2026-03-05    approved  3             100 000 (disbursed 03-10)
    east     E2           Mon 2026-03-02   Mon 2026-03-09    rejected  5
    east     E3           Tue 2026-03-03   —                 in review, due 03-10 → overdue now
    west     W1           Mon 2026-03-02   Thu 2026-03-12    approved  8             50 000
    north    N1           Mon 2026-03-02   Wed 2026-03-04    rejected  2
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.hub.rollups import rollup_refresh, rollup_refresh_all
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import tenant_provision
from tenant_schema.applications.services import application_create, application_transition
from tenant_schema.enterprises.services import enterprise_update, enterprise_verify

from ..conftest import make_user
from ..enterprises.conftest import register
from ..factories import ProgrammeFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
STAGES = [
    {"name": "审核", "public_name": "审核", "kind": "review", "role": "reviewer", "time_limit_days": 5},
    {"name": "公示", "public_name": "公示", "kind": "notice", "role": "park_admin", "time_limit_days": 5},
    {
        "name": "拨付",
        "public_name": "资金拨付",
        "kind": "disbursement",
        "role": "park_admin",
        "time_limit_days": 10,
    },
]


def at(day: str, hour: int = 10):
    """Run the block as if it were `day` at `hour`:00 in Shanghai."""
    moment = dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)
    return mock.patch("django.utils.timezone.now", return_value=moment)


def district(slug: str) -> Tenant:
    return tenant_provision(
        name=f"{slug.title()} 街道", slug=slug, kind=Tenant.Kind.DISTRICT, admin_email=f"admin@{slug}.test"
    ).tenant


class Park:
    """One seeded tenant: its staff (holding every stage's role), programme and helpers."""

    def __init__(self, slug: str, *, budget: str, category: str = "award"):
        self.tenant = district(slug)
        self.slug = slug
        self.staff = make_user(slug, role=roles.PARK_ADMIN)
        with schema_context(slug):
            self.staff.groups.add(Group.objects.get(name=roles.REVIEWER))
            with at("2026-02-27"):
                self.programme = ProgrammeFactory(
                    title=f"{slug} 2026年度奖励",
                    category=category,
                    budget=Decimal(budget),
                    per_enterprise_cap=None,
                    opens_at=dt.datetime(2026, 2, 1, tzinfo=SHANGHAI),
                    closes_at=dt.datetime(2026, 12, 31, tzinfo=SHANGHAI),
                    stages=STAGES,
                )

    def enterprise(self, *, verified=False, above=False, credit_code=None):
        registration = register(self.slug)
        with schema_context(self.slug):
            enterprise = registration.enterprise
            if credit_code:
                enterprise = enterprise_update(
                    enterprise=enterprise, actor=self.staff, credit_code=credit_code
                )
            if above:
                enterprise = enterprise_update(
                    enterprise=enterprise, actor=self.staff, above_designated_size=True
                )
            if verified:
                enterprise = enterprise_verify(enterprise=enterprise, actor=self.staff)
        return SimpleNamespace(user=registration.user, enterprise=enterprise)

    def apply(self, registration, *, submitted: str, amount="100000.00", programme=None):
        with schema_context(self.slug), at(submitted):
            application = application_create(
                programme_id=(programme or self.programme).pk,
                enterprise=registration.enterprise,
                applicant=registration.user,
                requested_amount=amount,
            )
            application = application_transition(
                application_id=application.pk, action="submit", actor=registration.user
            )
        # What the debounced hub.rollup_refresh task does after commit (tests roll back: no commit).
        rollup_refresh(schema_name=self.slug)
        return application

    def act(self, application, action: str, day: str, **kwargs):
        with schema_context(self.slug), at(day, hour=kwargs.pop("hour", 15)):
            application = application_transition(
                application_id=application.pk,
                action=action,
                actor=self.staff,
                comment=kwargs.pop("comment", "依规办理"),
                **kwargs,
            )
        rollup_refresh(schema_name=self.slug)
        return application


@pytest.fixture
def seeded(db):
    east, west, north = (
        Park("east", budget="1000000.00"),
        Park("west", budget="500000.00"),
        Park("north", budget="200000.00"),
    )
    e1 = east.enterprise(verified=True, above=True)
    e2 = east.enterprise(verified=True)
    e3 = east.enterprise(verified=True)
    east.enterprise()  # waiting for verification: counted, not verified
    a1 = east.apply(e1, submitted="2026-03-02")
    east.act(a1, "approve", "2026-03-05", amount="100000.00")
    east.act(a1, "advance", "2026-03-06")
    east.act(a1, "disburse", "2026-03-10", amount="100000.00", disbursed_on=dt.date(2026, 3, 10))
    a2 = east.apply(e2, submitted="2026-03-02")
    east.act(a2, "reject", "2026-03-09")
    east.apply(e3, submitted="2026-03-03")

    w1 = west.apply(west.enterprise(verified=True), submitted="2026-03-02", amount="60000.00")
    west.act(w1, "approve", "2026-03-12", amount="50000.00")

    north.enterprise()
    n1 = north.apply(north.enterprise(verified=True, above=True), submitted="2026-03-02")
    north.act(n1, "reject", "2026-03-04")
    rollup_refresh_all()
    return SimpleNamespace(east=east, west=west, north=north)
