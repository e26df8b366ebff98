"""The public notice (公示) shows the expert scores; the demo seeds a scored review with a recusal."""

import random

import pytest

from tenant_schema.expert_review.demo import TITLE, expert_review_seed_demo
from tenant_schema.expert_review.models import Assignment, ReviewDecision
from tenant_schema.funding.models import Programme

from ..conftest import ALPHA
from ..enterprises.conftest import register
from ..factories import verified
from .test_pages_and_api import _decide

pytestmark = pytest.mark.django_db


def test_the_public_notice_shows_the_expert_score_of_an_award(world, admin, client_a):
    from tenant_schema.expert_review.services import review_confirm

    _decide(world, admin)
    review_confirm(sheet=world["sheet"], actor=admin)
    page = client_a.get("/notice/").content.decode()
    assert "100.00" in page and "青岛星海机械有限公司" in page
    assert "专家1号" not in page and "技术路线清晰" not in page


def test_the_demo_has_a_scored_review_a_recusal_and_confirmed_outcomes(admin, reviewer):
    for _ in range(3):
        verified(register(ALPHA))
    verified(register(ALPHA, email=f"qiye1@{ALPHA}.demo"))
    assert expert_review_seed_demo(rng=random.Random("t"), password="parkhub-demo-2026") == 4
    programme = Programme.objects.get(title=TITLE)
    assignments = Assignment.objects.filter(sheet__stage__programme=programme)
    assert assignments.filter(status="recused").count() == 1
    outcomes = sorted(
        ReviewDecision.objects.filter(sheet__stage__programme=programme).values_list("outcome", flat=True)
    )
    assert outcomes == ["failed", "passed", "passed"]
    assert programme.applications.filter(status="approved").count() == 2
    assert assignments.filter(status="cleared").count() == 1  # the fourth panel still scoring
    assert expert_review_seed_demo(rng=random.Random("t"), password="parkhub-demo-2026") == 0
