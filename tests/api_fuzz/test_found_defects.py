"""What the schemathesis run found, each pinned by a focused test: a 5xx or a response outside the schema."""

import pytest
from django_tenants.utils import schema_context

from tenant_schema.billing.services import service_create

from ..conftest import ALPHA, HostClient, host_of
from ..enterprises.conftest import register

PROGRAMMES = "/api/v1/programmes/"


def _client(user) -> HostClient:
    client = HostClient(host_of(ALPHA))
    client.force_login(user)
    return client


@pytest.fixture
def admin(park_admin_a):
    return _client(park_admin_a)


@pytest.fixture
def owner(db, tenant_a):
    return _client(register(ALPHA).user)


@pytest.fixture
def schema(db, client_a) -> dict:
    return client_a.get("/api/v1/schema/?format=json").json()


def error_fields(response) -> dict:
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    return body["fields"]


# --- updated_since with an offset PostgreSQL refuses: was a 500 (DataError) on every synced list -------------


@pytest.mark.parametrize("path", [PROGRAMMES, "/api/v1/notifications/", "/api/v1/billing/subscriptions/"])
def test_updated_since_with_an_offset_past_15_hours_is_answered(admin, path):
    response = admin.get(path, {"updated_since": "2026-02-05T03:04:42+23:59"})
    assert response.status_code == 200, response.content


def test_updated_since_with_no_utc_equivalent_is_a_400_on_the_field(admin):
    response = admin.get(PROGRAMMES, {"updated_since": "0001-01-01T00:00:00+23:59"})
    assert response.status_code == 400
    assert list(error_fields(response)) == ["updated_since"]


# --- a page past the end: DRF's 404 was not in the schema ---------------------------------------------------


def test_a_page_past_the_last_is_a_404_the_schema_documents(admin, schema):
    response = admin.get(PROGRAMMES, {"page": 99})
    assert response.status_code == 404 and error_fields(response) == {}
    assert "404" in schema["paths"][PROGRAMMES]["get"]["responses"]


# --- read-only columns that may be blank: "" was outside the documented enum / format -----------------------


def test_a_blank_choice_or_url_that_responses_carry_is_in_the_schema(schema):
    components = schema["components"]["schemas"]
    blank = {"$ref": "#/components/schemas/BlankEnum"}
    assert blank in components["EnterpriseOutput"]["properties"]["industry"]["oneOf"]
    assert blank in components["EnterpriseOutput"]["properties"]["size_class"]["oneOf"]
    assert blank in components["DemandOutput"]["properties"]["rating"]["oneOf"]
    assert components["BlankEnum"] == {"enum": [""]}
    checkout_url = components["Payment"]["properties"]["checkout_url"]
    assert checkout_url["anyOf"] == [{"format": "uri"}, {"maxLength": 0}]


def test_an_unset_industry_reads_as_blank(owner):
    body = owner.get("/api/v1/me/enterprise/").json()
    assert body["industry"] == "" and body["size_class"] == ""


# --- category limits without the days: was a 500 (TypeError in category_policy_set) -------------------------


def test_setting_category_limits_without_the_days_is_a_400_naming_them(admin):
    response = admin.put("/api/v1/demands/categories/", {"category": "land"}, content_type="application/json")
    assert response.status_code == 400
    assert set(error_fields(response)) == {"first_reply_days", "resolution_days"}


# --- an id in a body naming nothing: was an undocumented 404 ------------------------------------------------


def test_ordering_an_unknown_service_is_a_400_on_the_field(owner):
    response = owner.post(
        "/api/v1/billing/subscriptions/",
        {"service": 999999, "term_months": 3},
        content_type="application/json",
    )
    assert response.status_code == 400 and list(error_fields(response)) == ["service"]


def test_a_voucher_for_an_unknown_enterprise_is_a_400_on_the_field(admin):
    response = admin.post(
        "/api/v1/billing/vouchers/",
        {"enterprise": 999999, "kind": "amount", "value": "100.00", "expires_on": "2030-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400 and list(error_fields(response)) == ["enterprise"]


# --- a refused service change: the 403 was {"detail": ...}, not the Error shape -----------------------------


def test_an_enterprise_changing_a_service_gets_the_error_shape(owner, park_admin_a):
    with schema_context(ALPHA):
        service = service_create(actor=park_admin_a, name="企业法律顾问", price="100.00")
    response = owner.patch(f"/api/v1/billing/services/{service.pk}/", {}, content_type="application/json")
    assert response.status_code == 403 and error_fields(response) == {}
    assert response.json()["code"] == "permission_denied"


# --- a programme dated in year 7: Asia/Shanghai's 1901 offset (+08:05:43) is no valid date-time ------------


def test_a_programme_dated_outside_1990_to_2100_is_a_400_on_the_field(admin):
    response = admin.post(
        PROGRAMMES,
        {
            "title": "远古专项",
            "budget": "1000.00",
            "opens_at": "0007-08-22T05:01:48+08:00",
            "closes_at": "2027-08-22T05:01:48+08:00",
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400, response.content
    fields = error_fields(response)
    assert list(fields) == ["opens_at"]
    assert "1990" in str(fields["opens_at"])
