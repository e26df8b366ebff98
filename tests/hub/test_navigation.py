"""Every hub page carries the operator's navigation, the city-wide programmes included."""

import re

import pytest

from ..conftest import make_user

HUB_PAGES = [
    "/",
    "/dashboard/",
    "/dashboard/duplicate-awards/",
    "/city-programmes/",
    "/calendar/",
    "/installation/",
    "/pool/",
    "/network/handoffs/",
    "/network-demands/supervision/",
    "/network-vouchers/schemes/",
    "/network-vouchers/applications/",
    "/network-vouchers/claims/",
    "/network-vouchers/figures/",
]
NAV_LINKS = re.compile(r'<div class="nav-links">(.*?)</div>', re.S)


@pytest.mark.parametrize("path", HUB_PAGES)
def test_every_hub_page_links_to_each_section_of_the_hub(db, hub_client, hub_operator, path):
    hub_client.force_login(hub_operator)
    html = hub_client.get(path).content.decode()
    for href, label in [
        ("/dashboard/", "数据看板"),
        ('href="/"', "成员单位"),
        ("/city-programmes/", "全市统一项目"),
        ("/calendar/", "工作日日历"),
        ("/installation/", "本平台设置"),
        ("/api/v1/docs/", "API 文档"),
        ("/pool/", "服务机构库"),
        ("/network-vouchers/schemes/", "网络服务券"),
        ("/network/handoffs/", "跨单位交接"),
        ("/network-demands/supervision/", "跨单位诉求"),
    ]:
        assert href in html and label in html, (path, label)
    # One navigation, the hub's: each of its links once, one of them marked as the current section.
    (nav,) = NAV_LINKS.findall(html)
    hrefs = re.findall(r'href="([^"]+)"', nav)
    assert len(hrefs) == len(set(hrefs)) == 10, (path, hrefs)
    assert nav.count('aria-current="page"') == 1, path


def test_the_city_wide_programmes_are_marked_current_on_their_own_page(db, hub_client, hub_operator):
    hub_client.force_login(hub_operator)
    html = hub_client.get("/city-programmes/").content.decode()
    assert '<a href="/city-programmes/" aria-current="page">' in html


def test_a_signed_in_hub_user_who_is_no_operator_sees_no_operator_links(db, hub_client):
    hub_client.force_login(make_user("public", email="visitor@hub.cn"))
    html = hub_client.get("/accounts/login/").content.decode()
    assert "/city-programmes/" not in html and "/installation/" not in html
