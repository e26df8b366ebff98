"""The hub's figures per programme: one definition, the same answer live and from the rollups."""

from decimal import Decimal

from django_tenants.utils import schema_context

from public_schema.hub import rollups
from public_schema.hub.selectors import (
    HubFilters,
    duplicate_award_list,
    programme_figures_live,
    programme_figures_rollup,
)
from tenant_schema.awards.services import recovery_open, recovery_transition, tranche_pay

from ..awards.conftest import (  # noqa: F401
    award,
    days,
    enterprise_x,
    in_alpha,
    park_admin,
    programme,
    reviewer,
)
from ..conftest import ALPHA, BETA


def award_tenant_id() -> int:
    from public_schema.tenants.models import Tenant

    return Tenant.objects.get(schema_name=ALPHA).pk


def test_programme_figures_are_equal_live_and_from_the_rollups(award, park_admin, hub_client, hub_operator):  # noqa: F811
    first = award.tranches.get(position=1)
    tranche_pay(tranche_id=first.pk, actor=park_admin, reference="BANK-1")
    recovery = recovery_open(
        award_id=award.pk,
        actor=park_admin,
        reason="false_claim",
        explanation="虚报产值",
        amount_due="20000",
        deadline=days(20),
    )
    recovery_transition(
        recovery_id=recovery.pk, action="repay", actor=park_admin, amount="5000", reference="R-1"
    )
    programme_id, title = award.application.programme_id, award.application.programme.title
    credit_code = award.application.enterprise.credit_code
    with schema_context("public"):
        for schema in (ALPHA, BETA):
            assert rollups.rollup_refresh(schema_name=schema)
        live = programme_figures_live(filters=HubFilters())
        rolled = programme_figures_rollup(filters=HubFilters())
        assert live == rolled
        row = next(
            r for r in live if r["programme_id"] == programme_id and r["tenant_id"] == award_tenant_id()
        )
        assert (row["applications"], row["awarded"]) == (1, 1)
        assert (row["committed"], row["paid"], row["recovered"]) == (
            Decimal("100000.00"),
            Decimal("30000.00"),
            Decimal("5000.00"),
        )
        # Every stage was left (拨付 by the first tranche); the times come from the hub's calendar.
        assert [stage["stage"] for stage in row["stages"]] == ["受理", "初审", "专家评审", "公示", "拨付"]
        assert all(stage["exits"] == 1 and stage["average_days"] == 0 for stage in row["stages"])

        # The duplicate-award check flags the enterprise while its recovery is open.
        flagged = [r for r in duplicate_award_list() if r["credit_code"] == credit_code]
        assert flagged and flagged[0]["open_recoveries"] == 1

        hub_client.force_login(hub_operator)
        page = hub_client.get("/dashboard/programmes/")
        assert page.status_code == 200
        assert title in page.content.decode()
