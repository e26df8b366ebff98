"""The public programme page says who may apply, and tells a signed-in enterprise where it stands."""

import pytest

from every_schema.accounts import roles
from tenant_schema.eligibility.services import programme_rules_set

from ..conftest import ALPHA, HostClient, host_of, make_user
from .conftest import RD_RULES, make_programme

RULE_WORDS = "规上企业，且 2025 年研发投入占营业收入比例 ≥ 3%"


@pytest.fixture
def rd_programme(park):
    programme = make_programme(title="研发投入奖励")
    programme_rules_set(programme=programme, rules=RD_RULES)
    return programme


def _page(programme, user=None) -> str:
    client = HostClient(host_of(ALPHA), HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.force_login(user)
    response = client.get(f"/programmes/{programme.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_visitor_reads_the_rule_in_plain_words_and_is_asked_to_sign_in(park, rd_programme):
    html = _page(rd_programme)
    assert "申报条件" in html and RULE_WORDS in html
    assert "登录后可查看贵企业是否符合条件" in html
    assert "cond-met" not in html


def test_qualifying_enterprise_is_told_it_qualifies(park, rd_programme):
    html = _page(rd_programme, park["qualifies"].user)
    assert "贵企业符合条件" in html
    assert html.count("cond cond-met") == 2


def test_enterprise_that_does_not_qualify_sees_the_failing_condition_and_its_value(park, rd_programme):
    html = _page(rd_programme, park["does_not"].user)
    assert "贵企业不符合条件" in html
    assert "cond cond-not_met" in html and "1%" in html


def test_enterprise_with_missing_figures_is_told_why_nobody_can_tell(park, rd_programme):
    html = _page(rd_programme, park["cannot_tell"].user)
    assert "无法判断：数据缺失" in html
    assert "cond cond-unknown" in html and "未填报" in html
    assert "贵企业尚未填报部分条件所需的数据" in html


def test_programme_without_rules_is_open_to_every_enterprise(park):
    programme = make_programme(title="普惠奖励")
    assert "所有企业均可申报" in _page(programme)


def test_park_staff_read_the_rule_without_an_outcome(park, rd_programme):
    html = _page(rd_programme, make_user(ALPHA, role=roles.REVIEWER))
    assert RULE_WORDS in html
    assert "match-badge" not in html
