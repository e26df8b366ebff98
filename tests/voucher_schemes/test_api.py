"""The voucher API as each party sees it: its own rows, and a 404 for anyone else's."""

from decimal import Decimal

from django.test import override_settings

from public_schema.tenants.models import Tenant
from public_schema.voucher_schemes.models import VoucherClaim

from ..conftest import ALPHA, BETA, HostClient, host_of, make_user
from .conftest import INSTITUTION, city_scheme, on_site
from .test_services import claim_files, grant, spend


def test_an_enterprise_never_sees_another_enterprises_voucher(
    scheme, tenant_a, enterprise_a, enterprise_a2, hub_operator
):
    mine = grant(scheme, tenant_a, enterprise_a, hub_operator)
    theirs = grant(scheme, tenant_a, enterprise_a2, hub_operator)
    client = HostClient(host_of(ALPHA))
    client.force_login(enterprise_a.user)
    listed = client.get("/api/v1/vouchers/mine/").json()["results"]
    assert [row["code"] for row in listed] == [mine.code]
    assert client.get(f"/api/v1/vouchers/mine/{mine.pk}/").status_code == 200
    assert client.get(f"/api/v1/vouchers/mine/{theirs.pk}/").status_code == 404


def test_an_enterprise_applies_and_the_hub_grants_through_the_api(
    scheme, tenant_a, enterprise_a, hub_operator, hub_client
):
    client = HostClient(host_of(ALPHA))
    client.force_login(enterprise_a.user)
    assert scheme.pk in [row["id"] for row in client.get("/api/v1/voucher-schemes/").json()["results"]]
    applied = client.post(f"/api/v1/voucher-schemes/{scheme.pk}/apply/")
    assert applied.status_code == 201, applied.content
    hub_client.force_login(hub_operator)
    pending = hub_client.get("/api/v1/vouchers/issued/?status=applied").json()["results"]
    assert [row["id"] for row in pending] == [applied.json()["id"]]
    body = {"action": "grant", "expected_status": "applied"}
    assert hub_client.post(f"/api/v1/vouchers/issued/{pending[0]['id']}/review/", body).status_code == 200
    assert hub_client.post(f"/api/v1/vouchers/issued/{pending[0]['id']}/review/", body).status_code == 409


def test_a_sub_platform_sees_only_its_own_enterprises_vouchers_and_its_own_schemes(
    scheme, tenant_a, tenant_b, enterprise_a, enterprise_b, hub_operator, park_admin_a, park_admin_b
):
    grant(scheme, tenant_a, enterprise_a, hub_operator)
    held_b = grant(scheme, tenant_b, enterprise_b, hub_operator)
    with on_site(tenant_a):
        alpha_scheme = city_scheme(tenant_a, park_admin_a, title="阿尔法服务券")
    client_b = HostClient(host_of(BETA))
    client_b.force_login(park_admin_b)
    held = client_b.get("/api/v1/vouchers/held/").json()["results"]
    assert [row["code"] for row in held] == [held_b.code]
    assert client_b.get("/api/v1/voucher-schemes/issued/").json()["results"] == []
    assert client_b.get(f"/api/v1/voucher-schemes/issued/{alpha_scheme.pk}/").status_code == 404
    client_a = HostClient(host_of(ALPHA))
    client_a.force_login(park_admin_a)
    assert client_a.get(f"/api/v1/voucher-schemes/issued/{alpha_scheme.pk}/").status_code == 200
    # The hub's scheme is the hub's to review, not alpha's.
    assert client_a.get("/api/v1/vouchers/issued/").json()["results"] == []


INSTITUTION_SITE = "tests.voucher_schemes.institution_site_urls"


@override_settings(ROOT_URLCONF=INSTITUTION_SITE)
def test_an_institution_sees_only_the_claims_it_filed(
    scheme, tenant_a, enterprise_a, enterprise_a2, hub_operator, institution, institution_staff, hub_client
):
    first = grant(scheme, tenant_a, enterprise_a, hub_operator)
    spend(first, tenant_a, enterprise_a, institution, reference="NO-1", price="800")
    client = HostClient(host_of(INSTITUTION))
    client.force_login(institution_staff)
    spent = client.get("/api/v1/vouchers/spent/?status=spent").json()["results"]
    assert [row["code"] for row in spent] == [first.code]
    body = {"vouchers": [first.pk], **{kind: files[0] for kind, files in claim_files().items()}}
    filed = client.post("/api/v1/voucher-claims/", body)
    assert filed.status_code == 201, filed.content
    claim_id = filed.json()["id"]
    other_institution = Tenant.objects.create(
        schema_name="vinst_other", name="另一机构", kind=Tenant.Kind.INSTITUTION
    )
    foreign = VoucherClaim.objects.create(
        reference="DF-TEST-0001", scheme=scheme, institution=other_institution, amount_claimed=Decimal("1")
    )
    assert [row["id"] for row in client.get("/api/v1/voucher-claims/").json()["results"]] == [claim_id]
    assert client.get(f"/api/v1/voucher-claims/{foreign.pk}/").status_code == 404
    file_id = filed.json()["files"][0]["id"]
    assert client.get(f"/api/v1/voucher-claims/{claim_id}/files/{file_id}/").status_code == 200
    # The issuer fetches the same file; an enterprise of the park cannot reach the claim at all.
    hub_client.force_login(hub_operator)
    assert hub_client.get(f"/api/v1/voucher-claims/to-review/{claim_id}/files/{file_id}/").status_code == 200
    park = HostClient(host_of(ALPHA))
    park.force_login(enterprise_a.user)
    with override_settings(ROOT_URLCONF="saas.urls_tenants"):
        assert park.get(f"/api/v1/voucher-claims/to-review/{claim_id}/").status_code == 404
    # The institution's pages list it and show its stages.
    assert claim_id and client.get(f"/voucher-claims/{claim_id}/").status_code == 200
    assert client.get(f"/voucher-claims/{foreign.pk}/").status_code == 404
    assert client.get("/voucher-claims/new/").status_code == 200


def test_a_stranger_signed_in_elsewhere_is_not_an_issuer(hub_operator, park_admin_a):
    """A park admin's session is nobody on the hub's issuer API; the hub operator is nobody on a park's."""
    client = HostClient(host_of(ALPHA))
    client.force_login(make_user(ALPHA))
    assert client.get("/api/v1/voucher-schemes/issued/").status_code == 404
