"""The demo's awards: tranches paid and pending, a report overdue, one accepted, one failed, a recovery."""

from decimal import Decimal

from tenant_schema.awards.demo import awards_seed_demo
from tenant_schema.awards.models import Award, Recovery, Report, Tranche
from tenant_schema.awards.selectors import award_summary

from ..conftest import ALPHA
from ..enterprises.conftest import register
from ..factories import verified


def test_the_demo_has_every_state_after_the_award(in_alpha, reviewer, park_admin):
    for n in range(4):
        verified(register(ALPHA, name=f"青岛演示{n}号机械有限公司"))
    assert awards_seed_demo() == 4
    assert awards_seed_demo() == 0  # once
    assert set(Award.objects.values_list("status", flat=True)) == {"active", "accepted", "failed"}
    assert (
        Tranche.objects.filter(status="paid").exists() and Tranche.objects.filter(status="planned").exists()
    )
    held = [award_summary(award=a)["next_hold"] for a in Award.objects.filter(status="active")]
    assert any(hold and "2026" in hold for hold in held)  # the overdue report holds a tranche
    assert Report.objects.filter(status="due").exists() and Report.objects.filter(status="submitted").exists()
    recovery = Recovery.objects.get()
    assert (recovery.status, recovery.repaid_amount) == ("open", Decimal("20000.00"))
