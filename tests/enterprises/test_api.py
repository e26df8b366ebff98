"""The enterprise API: the park's register, one enterprise's profile and figures, verification.

Owner / insider / outsider: enterprise X's owner, the park's administrator and reviewer,
enterprise Y's owner (an outsider to X), and park B's people (outsiders to park A).
"""

from decimal import Decimal

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.enterprises.credit_code import credit_code_make
from tenant_schema.enterprises.models import Enterprise, Tag, YearlyFigures
from tenant_schema.enterprises.services import enterprise_create, figures_upsert

from ..conftest import ALPHA, BETA, PASSWORD, HostClient, host_of, make_user
from ..factories import MemberFactory
from .conftest import new_credit_code

LIST = "/api/enterprises/"
MINE = "/api/me/enterprise/"


def detail(pk: int) -> str:
    return f"/api/enterprises/{pk}/"


def _with_wrong_check_character(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


@pytest.fixture
def reviewer_a(db, tenant_a):
    return make_user(ALPHA, role=roles.REVIEWER)


@pytest.fixture
def admin_client(client_a, park_admin_a):
    client_a.force_login(park_admin_a)
    return client_a


@pytest.fixture
def owner_x_client(client_a, registration_x):
    client_a.force_login(registration_x.user)
    return client_a


@pytest.fixture
def listed(db, tenant_a, park_admin_a, registration_x, registration_y):
    """Park A's register: X and Y (pending registrations) and two enterprises the park added."""
    with schema_context(ALPHA):
        specialised = Tag.objects.get_or_create(name="专精特新", defaults={"is_builtin": True})[0]
        machine_tools = enterprise_create(
            actor=park_admin_a,
            credit_code=new_credit_code(),
            name="胶州精工数控有限公司",
            industry="C",
            size_class="medium",
            above_designated_size=True,
            tags=[specialised],
        )
        software = enterprise_create(
            actor=park_admin_a,
            credit_code=new_credit_code(),
            name="青岛云帆软件有限公司",
            industry="I",
            size_class="small",
        )
    return {
        "x": registration_x.enterprise,
        "y": registration_y.enterprise,
        "machine_tools": machine_tools,
        "software": software,
    }


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


# ---------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------


def test_park_admin_lists_every_enterprise_of_the_park_paginated(admin_client, listed):
    response = admin_client.get(LIST)
    body = response.json()
    assert body["count"] == 4 and {"next", "previous", "results"} <= set(body)
    assert names(response) == {e.name for e in listed.values()}


def test_the_list_filters_by_industry_size_tag_status_and_above_designated_size(admin_client, listed):
    assert names(admin_client.get(LIST, {"industry": "C"})) == {"胶州精工数控有限公司"}
    assert names(admin_client.get(LIST, {"size_class": "small"})) == {"青岛云帆软件有限公司"}
    assert names(admin_client.get(LIST, {"tag": "专精特新"})) == {"胶州精工数控有限公司"}
    assert names(admin_client.get(LIST, {"status": "pending"})) == {listed["x"].name, listed["y"].name}
    assert names(admin_client.get(LIST, {"status": "verified"})) == {
        "胶州精工数控有限公司",
        "青岛云帆软件有限公司",
    }
    assert names(admin_client.get(LIST, {"above_designated_size": "true"})) == {"胶州精工数控有限公司"}
    assert "胶州精工数控有限公司" not in names(admin_client.get(LIST, {"above_designated_size": "false"}))
    assert len(names(admin_client.get(LIST, {"above_designated_size": "false"}))) == 3


def test_the_list_searches_name_and_credit_code(admin_client, listed):
    assert names(admin_client.get(LIST, {"search": "云帆"})) == {"青岛云帆软件有限公司"}
    code = listed["x"].credit_code
    assert names(admin_client.get(LIST, {"search": code[-8:].lower()})) == {listed["x"].name}
    assert names(admin_client.get(LIST, {"search": "不存在的企业"})) == set()


def test_an_unknown_filter_value_is_a_400_naming_the_parameter(admin_client, listed):
    response = admin_client.get(LIST, {"industry": "ZZ"})
    assert response.status_code == 400
    assert "industry" in response.json()["fields"]


def test_an_enterprise_user_lists_only_its_own_enterprise(owner_x_client, listed):
    response = owner_x_client.get(LIST)
    assert names(response) == {listed["x"].name}
    assert response.json()["count"] == 1


def test_the_register_is_the_administrators_a_reviewer_is_refused_the_list(client_a, reviewer_a, listed):
    # #20: a reviewer works its queue; the whole register (and the park's revenue) is the
    # administrator's, the same rule as the page (enterprises.selectors.user_may_read_register).
    client_a.force_login(reviewer_a)
    response = client_a.get(LIST)
    assert response.status_code == 403
    assert "results" not in response.json()


# ---------------------------------------------------------------------------
# Create
# ---------------------------------------------------------------------------


def test_park_admin_adds_a_verified_enterprise_with_new_and_existing_tags(admin_client):
    with schema_context(ALPHA):
        Tag.objects.get_or_create(name="高新技术企业", defaults={"is_builtin": True})[0]
    code = new_credit_code()
    spaced = f"{code[:6]} {code[6:12].lower()}-{code[12:]}"
    response = admin_client.post(
        LIST,
        {
            "credit_code": spaced,
            "name": "  胶州海湾新材料有限公司 ",
            "industry": "C",
            "size_class": "small",
            "above_designated_size": True,
            "employees": 120,
            "tags": ["高新技术企业", "园区重点企业"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["credit_code"] == code
    assert body["name"] == "胶州海湾新材料有限公司"
    assert body["status"] == "verified" and body["status_display"]
    assert body["industry"] == "C" and body["industry_display"]
    assert body["size_class_display"]
    assert sorted(body["tags"]) == sorted(["高新技术企业", "园区重点企业"])
    assert body["latest_figures"] is None
    with schema_context(ALPHA):
        assert Enterprise.objects.get(pk=body["id"]).credit_code == code
        assert Tag.objects.filter(name="园区重点企业").exists()


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(_with_wrong_check_character, id="wrong check character"),
        pytest.param(lambda code: code[:-2], id="too short"),
        pytest.param(lambda code: code + "1", id="too long"),
        pytest.param(lambda code: code[:10] + "I" + code[11:], id="illegal letter I"),
        pytest.param(lambda code: "ABCDEFGH" + code[8:], id="letters where the region digits go"),
    ],
)
def test_a_bad_credit_code_is_a_400_on_the_credit_code_field(admin_client, mangle):
    response = admin_client.post(
        LIST,
        {"credit_code": mangle(new_credit_code()), "name": "胶州测试有限公司"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()["fields"]
    assert list(body) == ["credit_code"]
    assert body["credit_code"] and all(message for message in body["credit_code"])
    with schema_context(ALPHA):
        assert not Enterprise.objects.filter(name="胶州测试有限公司").exists()


def test_field_errors_from_drf_are_in_chinese_by_default(admin_client):
    response = admin_client.post(LIST, {"industry": "ZZ"}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()["fields"]
    assert response["Content-Language"] == "zh-hans"
    assert body["credit_code"] == ["该字段是必填项。"]
    assert body["name"] == ["该字段是必填项。"]
    assert body["industry"] == ["“ZZ” 不是合法选项。"]


def test_the_english_switch_gives_english_drf_messages(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = admin_client.post(LIST, {"name": "胶州测试有限公司"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["fields"]["credit_code"] == ["This field is required."]


def test_a_credit_code_already_registered_is_a_400_naming_the_field(admin_client, registration_x):
    response = admin_client.post(
        LIST,
        {"credit_code": registration_x.enterprise.credit_code.lower(), "name": "另一家公司"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["credit_code"]
    with schema_context(ALPHA):
        assert Enterprise.objects.filter(credit_code=registration_x.enterprise.credit_code).count() == 1


def test_only_a_park_administrator_adds_enterprises(client_a, registration_x, reviewer_a):
    payload = {"credit_code": new_credit_code(), "name": "胶州越权有限公司"}
    for user in (registration_x.user, reviewer_a):
        client_a.force_login(user)
        response = client_a.post(LIST, payload, content_type="application/json")
        assert response.status_code == 403
    with schema_context(ALPHA):
        assert not Enterprise.objects.filter(name="胶州越权有限公司").exists()


# ---------------------------------------------------------------------------
# Detail and update
# ---------------------------------------------------------------------------


def test_owner_reads_and_updates_its_own_enterprise(owner_x_client, registration_x):
    pk = registration_x.enterprise.pk
    response = owner_x_client.get(detail(pk))
    assert response.status_code == 200
    assert response.json()["credit_code"] == registration_x.enterprise.credit_code
    assert response.json()["status"] == "pending"
    response = owner_x_client.patch(
        detail(pk), {"contact_phone": "0532-88888888", "employees": 35}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    with schema_context(ALPHA):
        enterprise = Enterprise.objects.get(pk=pk)
    assert enterprise.contact_phone == "0532-88888888" and enterprise.employees == 35
    assert enterprise.status == Enterprise.Status.PENDING  # editing is not verifying


def test_a_colleague_of_the_enterprise_may_update_it_too(client_a, registration_x):
    with schema_context(ALPHA):
        colleague = MemberFactory(registration=registration_x, email="colleague-x@example.cn").user
    client_a.force_login(colleague)
    response = client_a.patch(
        detail(registration_x.enterprise.pk), {"address": "胶州市兰州东路"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["address"] == "胶州市兰州东路"


def test_an_enterprise_cannot_change_its_credit_code_or_coin_tags(owner_x_client, registration_x):
    pk = registration_x.enterprise.pk
    response = owner_x_client.patch(
        detail(pk), {"credit_code": new_credit_code()}, content_type="application/json"
    )
    assert response.status_code == 400 and "credit_code" in response.json()["fields"]
    response = owner_x_client.patch(detail(pk), {"tags": ["自封标签"]}, content_type="application/json")
    assert response.status_code == 400 and "tags" in response.json()["fields"]
    with schema_context(ALPHA):
        assert not Tag.objects.filter(name="自封标签").exists()
        assert Enterprise.objects.get(pk=pk).credit_code == registration_x.enterprise.credit_code


def test_an_enterprise_chooses_among_the_parks_own_tags_but_not_official_designations(
    owner_x_client, registration_x
):
    with schema_context(ALPHA):
        Tag.objects.get_or_create(name="跨境电商")
    response = owner_x_client.patch(
        detail(registration_x.enterprise.pk), {"tags": ["跨境电商"]}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["tags"] == ["跨境电商"]
    official = owner_x_client.patch(
        detail(registration_x.enterprise.pk),
        {"tags": ["跨境电商", "科技型中小企业"]},
        content_type="application/json",
    )
    assert official.status_code == 400 and "tags" in official.json()["fields"]
    with schema_context(ALPHA):
        assert list(registration_x.enterprise.tags.values_list("name", flat=True)) == ["跨境电商"]


def test_park_admin_updates_any_enterprise_and_its_credit_code(admin_client, registration_x):
    code = new_credit_code()
    response = admin_client.patch(
        detail(registration_x.enterprise.pk),
        {"credit_code": code, "tags": ["园区新标签"], "industry": "M"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["credit_code"] == code and body["tags"] == ["园区新标签"] and body["industry"] == "M"


def test_a_failed_update_leaves_no_new_tag_behind(admin_client, registration_x):
    response = admin_client.patch(
        detail(registration_x.enterprise.pk),
        {"tags": ["半途标签"], "credit_code": _with_wrong_check_character(new_credit_code())},
        content_type="application/json",
    )
    assert response.status_code == 400 and "credit_code" in response.json()["fields"]
    with schema_context(ALPHA):
        assert not Tag.objects.filter(name="半途标签").exists()


def test_a_reviewer_reads_but_cannot_change_an_enterprise(client_a, reviewer_a, registration_x):
    client_a.force_login(reviewer_a)
    pk = registration_x.enterprise.pk
    assert client_a.get(detail(pk)).status_code == 200
    assert client_a.patch(detail(pk), {"name": "改名"}, content_type="application/json").status_code == 403
    assert (
        client_a.post(f"{detail(pk)}figures/", {"year": 2024}, content_type="application/json").status_code
        == 403
    )
    assert client_a.post(f"{detail(pk)}verify/").status_code == 403
    with schema_context(ALPHA):
        enterprise = Enterprise.objects.get(pk=pk)
    assert (
        enterprise.name == registration_x.enterprise.name and enterprise.status == Enterprise.Status.PENDING
    )


# ---------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------


def test_park_admin_verifies_a_registration(admin_client, registration_x, park_admin_a):
    response = admin_client.post(f"{detail(registration_x.enterprise.pk)}verify/")
    assert response.status_code == 200
    assert response.json()["status"] == "verified" and response.json()["status_display"]
    with schema_context(ALPHA):
        enterprise = Enterprise.objects.get(pk=registration_x.enterprise.pk)
    assert enterprise.status == Enterprise.Status.VERIFIED and enterprise.verified_by_id == park_admin_a.pk


def test_park_admin_rejects_with_a_reason_and_not_without(admin_client, registration_x):
    url = f"{detail(registration_x.enterprise.pk)}reject/"
    for body in ({}, {"reason": "   "}):
        response = admin_client.post(url, body, content_type="application/json")
        assert response.status_code == 400
        assert list(response.json()["fields"]) == ["reason"]
    assert admin_client.post(url, {}, content_type="application/json").json()["fields"]["reason"] == [
        "该字段是必填项。"
    ]
    with schema_context(ALPHA):
        assert Enterprise.objects.get(pk=registration_x.enterprise.pk).status == Enterprise.Status.PENDING

    response = admin_client.post(url, {"reason": "营业执照照片不清晰"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["rejection_reason"] == "营业执照照片不清晰"


def test_an_enterprise_cannot_verify_or_reject_itself(owner_x_client, registration_x):
    pk = registration_x.enterprise.pk
    assert owner_x_client.post(f"{detail(pk)}verify/").status_code == 403
    assert (
        owner_x_client.post(
            f"{detail(pk)}reject/", {"reason": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    with schema_context(ALPHA):
        enterprise = Enterprise.objects.get(pk=pk)
    assert enterprise.status == Enterprise.Status.PENDING and enterprise.verified_by_id is None


# ---------------------------------------------------------------------------
# Yearly figures
# ---------------------------------------------------------------------------


def test_figures_are_upserted_and_round_trip_as_decimal_strings(owner_x_client, registration_x):
    url = f"{detail(registration_x.enterprise.pk)}figures/"
    response = owner_x_client.post(
        url,
        {
            "year": 2024,
            "output_value": "1234567.89",
            "revenue": "1000000.00",
            "tax_paid": "45678.10",
            "rd_spend": "50000",
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "year": 2024,
        "output_value": "1234567.89",
        "revenue": "1000000.00",
        "tax_paid": "45678.10",
        "rd_spend": "50000.00",
        "rd_share_of_revenue": "5.00",
    }
    with schema_context(ALPHA):
        row = YearlyFigures.objects.get(enterprise=registration_x.enterprise, year=2024)
    assert row.output_value == Decimal("1234567.89")

    # The same year again corrects it; no second row.
    response = owner_x_client.post(
        url, {"year": 2024, "output_value": "2000000.01"}, content_type="application/json"
    )
    assert response.status_code == 200
    with schema_context(ALPHA):
        assert YearlyFigures.objects.filter(enterprise=registration_x.enterprise).count() == 1
        assert YearlyFigures.objects.get(enterprise=registration_x.enterprise).output_value == Decimal(
            "2000000.01"
        )

    owner_x_client.post(url, {"year": 2023, "revenue": "900000.50"}, content_type="application/json")
    listed = owner_x_client.get(url).json()
    assert [row["year"] for row in listed] == [2024, 2023]
    assert listed[1]["revenue"] == "900000.50"
    assert owner_x_client.get(detail(registration_x.enterprise.pk)).json()["latest_figures"]["year"] == 2024


def test_bad_figures_are_400s_on_their_fields(owner_x_client, registration_x):
    url = f"{detail(registration_x.enterprise.pk)}figures/"
    assert (
        "year" in owner_x_client.post(url, {"year": 1900}, content_type="application/json").json()["fields"]
    )
    response = owner_x_client.post(url, {"year": 2024, "revenue": "-1"}, content_type="application/json")
    assert response.status_code == 400 and "revenue" in response.json()["fields"]
    response = owner_x_client.post(url, {"year": 2024, "revenue": "1.234"}, content_type="application/json")
    assert response.status_code == 400 and "revenue" in response.json()["fields"]
    response = owner_x_client.post(url, {"revenue": "1"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["fields"]["year"] == ["该字段是必填项。"]
    with schema_context(ALPHA):
        assert not YearlyFigures.objects.filter(enterprise=registration_x.enterprise).exists()


# ---------------------------------------------------------------------------
# My enterprise
# ---------------------------------------------------------------------------


def test_my_enterprise_is_the_owners_own(owner_x_client, registration_x):
    response = owner_x_client.get(MINE)
    assert response.status_code == 200
    assert response.json()["id"] == registration_x.enterprise.pk
    response = owner_x_client.patch(MINE, {"legal_representative": "李四"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["legal_representative"] == "李四"


def test_my_enterprise_is_a_404_for_someone_without_one(admin_client):
    assert admin_client.get(MINE).status_code == 404
    assert admin_client.patch(MINE, {"name": "x"}, content_type="application/json").status_code == 404


# ---------------------------------------------------------------------------
# Outsiders
# ---------------------------------------------------------------------------


def test_outsider_enterprise_gets_404_for_another_enterprise(client_a, registration_x, registration_y):
    client_a.force_login(registration_x.user)
    y = registration_y.enterprise
    with schema_context(ALPHA):
        figures_upsert(enterprise=y, year=2024, revenue=Decimal("10.00"))
        missing = (Enterprise.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    not_found = client_a.get(detail(missing))
    assert not_found.status_code == 404

    attempts = [
        client_a.get(detail(y.pk)),
        client_a.patch(detail(y.pk), {"name": "被改名"}, content_type="application/json"),
        client_a.get(f"{detail(y.pk)}figures/"),
        client_a.post(
            f"{detail(y.pk)}figures/", {"year": 2024, "revenue": "1"}, content_type="application/json"
        ),
        client_a.post(f"{detail(y.pk)}verify/"),
        client_a.post(f"{detail(y.pk)}reject/", {"reason": "x"}, content_type="application/json"),
    ]
    for response in attempts:
        assert response.status_code == 404
        assert response.json() == not_found.json()  # "not yours" reads exactly like "does not exist"
        assert y.name not in response.content.decode()
    with schema_context(ALPHA):
        y.refresh_from_db()
        assert y.name == registration_y.enterprise.name and y.status == Enterprise.Status.PENDING
        assert YearlyFigures.objects.get(enterprise=y).revenue == Decimal("10.00")


def test_park_b_enterprises_are_404s_on_park_a(admin_client, registration_b):
    b = registration_b.enterprise
    with schema_context(ALPHA):
        # Ids are per schema: make sure park A has no enterprise of its own with B's id.
        Enterprise.objects.filter(pk=b.pk).delete()
    for response in (
        admin_client.get(detail(b.pk)),
        admin_client.get(f"{detail(b.pk)}figures/"),
        admin_client.post(f"{detail(b.pk)}verify/"),
    ):
        assert response.status_code == 404
    assert admin_client.get(LIST, {"search": b.credit_code}).json()["count"] == 0
    with schema_context(BETA):
        assert Enterprise.objects.get(pk=b.pk).status == Enterprise.Status.PENDING


def test_park_a_admin_session_and_token_are_refused_on_park_b(
    client_a, client_b, park_admin_a, registration_b
):
    b = registration_b.enterprise
    client_a.force_login(park_admin_a)
    stolen = HostClient(host_of(BETA))
    stolen.cookies[settings.SESSION_COOKIE_NAME] = client_a.cookies[settings.SESSION_COOKIE_NAME].value
    assert stolen.get(LIST).status_code in (401, 403)
    assert stolen.get(detail(b.pk)).status_code in (401, 403)
    assert stolen.post(f"{detail(b.pk)}verify/").status_code in (401, 403)

    token = client_a.post(
        "/api/auth/token/",
        {"email": park_admin_a.email, "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    assert client_a.get(LIST, HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    assert client_b.get(LIST, HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
    assert client_b.post(f"{detail(b.pk)}verify/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
    with schema_context(BETA):
        assert Enterprise.objects.get(pk=b.pk).status == Enterprise.Status.PENDING


def test_anonymous_gets_401_everywhere(client_a, registration_x):
    pk = registration_x.enterprise.pk
    responses = [
        client_a.get(LIST),
        client_a.post(
            LIST,
            {"credit_code": credit_code_make("91370281MA9999999"), "name": "匿名"},
            content_type="application/json",
        ),
        client_a.get(detail(pk)),
        client_a.patch(detail(pk), {"name": "匿名"}, content_type="application/json"),
        client_a.post(f"{detail(pk)}verify/"),
        client_a.post(f"{detail(pk)}reject/", {"reason": "x"}, content_type="application/json"),
        client_a.get(f"{detail(pk)}figures/"),
        client_a.get(MINE),
    ]
    for response in responses:
        assert response.status_code == 401
    assert responses[0].json()["message"] == "身份认证信息未提供。"
