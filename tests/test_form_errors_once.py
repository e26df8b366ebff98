"""Every refused form says each of its errors once: under its field or above the form, never twice.

A page that showed an error both in a banner (a flash, the messages framework) and on the form,
or both above the form and under the field, read as two problems to the person correcting it.
Each case posts something the form refuses and counts every error text on the page.
"""

import html as html_lib
import re

import pytest
from django_tenants.utils import schema_context

from every_schema.accounts import roles

from .conftest import ALPHA, HUB_HOST, HostClient, host_of, make_user
from .enterprises.conftest import register
from .factories import ProgrammeFactory, verified

ERRORLIST = re.compile(r'<ul class="errorlist( nonfield)?[^"]*"[^>]*>(.*?)</ul>', re.S)
ITEM = re.compile(r"<li[^>]*>(.*?)</li>", re.S)
# Where else a page may say something went wrong: a flash, a banner above a form.
BANNER = re.compile(
    r'<(li|div|p) class="(?:message error|form-errors|refused|banner banner-error)[^"]*"[^>]*>(.*?)</\1>',
    re.S,
)
TAG = re.compile(r"<[^>]+>")


def _words(fragment: str) -> str:
    return " ".join(html_lib.unescape(TAG.sub(" ", fragment)).split())


def errors_said_twice(page: str) -> list[str]:
    """The error texts a page says more than once for one cause; [] when each is said once.

    The same words under two fields ("This field is required.") are two errors; the same words
    under a field and above the form, or in a flash and on the form, are one error said twice.
    """
    main = page[page.index("<main") : page.index("</main>")]
    field_errors: list[str] = []
    form_errors: list[str] = []
    for nonfield, block in ERRORLIST.findall(main):
        items = [_words(item) for item in ITEM.findall(block)]
        if len(set(items)) != len(items):
            return [item for item in items if items.count(item) > 1]
        (form_errors if nonfield else field_errors).extend(items)
    elsewhere = BANNER.sub("", ERRORLIST.sub("", main))
    banners = [_words(inner) for _tag, inner in BANNER.findall(ERRORLIST.sub("", main))]
    twice = [text for text in form_errors if text in field_errors]
    twice += [text for text in banners if any(error in text for error in field_errors + form_errors)]
    twice += [error for error in set(field_errors + form_errors) if error in _words(elsewhere)]
    return twice


def assert_each_error_once(response) -> None:
    assert response.status_code in (200, 400), response.status_code
    page = response.content.decode()
    said = 'class="errorlist' in page or BANNER.search(page[page.index("<main") :])
    assert said, "the form was expected to refuse this post and say why"
    assert errors_said_twice(page) == []


def _client(host: str, user=None) -> HostClient:
    client = HostClient(host, HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def people(db, tenant_a):
    with schema_context(ALPHA):
        member = verified(register(ALPHA, name="青岛星海机械有限公司"))
        programme = ProgrammeFactory(title="专精特新奖励")
    return {
        "member": member.user,
        "admin": make_user(ALPHA, role=roles.PARK_ADMIN),
        "hub": make_user("public", role=roles.HUB_OPERATOR),
        "programme": programme,
    }


TENANT_FORMS = [
    (None, "/register/", {"credit_code": "91370281MA3ABCDE1X", "name": ""}),
    (None, "/accounts/login/", {"username": "nobody@example.cn", "password": "wrong-password"}),
    ("member", "/demands/new/", {"title": ""}),
    ("member", "/enterprise/edit/", {"name": "", "employees": "many"}),
    ("member", "/enterprise/figures/", {"year": "abc"}),
    ("member", "/applications/new/{programme}/", {"requested_amount": "999999999"}),
    ("admin", "/park/programmes/new/", {"title": "", "budget": "-1"}),
    ("admin", "/park/enterprises/new/", {"credit_code": "123"}),
    ("admin", "/park/services/new/", {"name": ""}),
    ("admin", "/accounts/tokens/", {"name": ""}),
    (
        "admin",
        "/park/programmes/{programme}/eligibility/",
        {
            "combine": "all",
            "conditions-TOTAL_FORMS": "1",
            "conditions-INITIAL_FORMS": "0",
            "conditions-MIN_NUM_FORMS": "0",
            "conditions-MAX_NUM_FORMS": "20",
            "conditions-0-field": "employees",
            "conditions-0-op": "gte",
            "conditions-0-value": "many",
            "conditions-0-year": "",
        },
    ),
]
HUB_FORMS = [
    ("/tenants/new/", {"name": "", "slug": "Not A Slug"}),
    (f"/tenants/{ALPHA}/suspend/", {"reason": ""}),
    ("/installation/", {"hub_name": "", "contact_email": "not-an-email"}),
    (
        "/city-programmes/",
        {
            "title": "全市首台套奖励",
            "category": "award",
            "budget": "-5",
            "opens_at": "2026-13-01T00:00",
            "rules-combine": "all",
            "conditions-TOTAL_FORMS": "1",
            "conditions-INITIAL_FORMS": "0",
            "conditions-MIN_NUM_FORMS": "0",
            "conditions-MAX_NUM_FORMS": "20",
            "conditions-0-field": "employees",
            "conditions-0-op": "gte",
            "conditions-0-value": "many",
        },
    ),
]


@pytest.mark.parametrize(("role", "path", "data"), TENANT_FORMS, ids=[p for _r, p, _d in TENANT_FORMS])
def test_tenant_form_says_each_error_once(people, role, path, data):
    client = _client(host_of(ALPHA), people[role] if role else None)
    assert_each_error_once(client.post(path.format(programme=people["programme"].pk), data))


@pytest.mark.parametrize(("path", "data"), HUB_FORMS, ids=[p for p, _d in HUB_FORMS])
def test_hub_form_says_each_error_once(people, path, data):
    assert_each_error_once(_client(HUB_HOST, people["hub"]).post(path, data))
