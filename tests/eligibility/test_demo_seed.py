"""The eligibility demo: each demo login meets every outcome and a programme it has not applied to."""

import random

from django_tenants.utils import schema_context

from tenant_schema.applications.demo import applications_seed_demo
from tenant_schema.eligibility.demo import eligibility_seed_demo
from tenant_schema.eligibility.rules import CANNOT_TELL, DOES_NOT_QUALIFY, QUALIFIES
from tenant_schema.eligibility.selectors import match_report
from tenant_schema.enterprises.demo import demo_accounts_ensure, enterprises_seed_demo
from tenant_schema.enterprises.models import Enterprise

from ..conftest import ALPHA, PASSWORD


def test_every_demo_login_sees_each_outcome_and_an_unapplied_open_programme(tenant_a, park_admin_a):
    with schema_context(ALPHA):
        enterprises_seed_demo(count=40, above_size=6, rng=random.Random(1))
        demo_accounts_ensure(password=PASSWORD)
        applications_seed_demo(rng=random.Random("parkhub-demo-applications:alpha"))
        assert eligibility_seed_demo() >= 3
        assert eligibility_seed_demo() >= 3  # again: same rules, no second programme
        for login in ("qiye1", "qiye2"):
            enterprise = Enterprise.objects.get(memberships__user__email=f"{login}@{ALPHA}.demo")
            report = match_report(enterprise=enterprise)
            outcomes = {match.evaluation.outcome for match in report}
            assert {QUALIFIES, DOES_NOT_QUALIFY, CANNOT_TELL} <= outcomes, (login, outcomes)
            assert any(match.application is None for match in report), login
