"""The voucher pages as people use them, in Chinese: issue a scheme, apply, review, file a claim."""

from django.test import override_settings
from django.utils import timezone

from public_schema.voucher_schemes.models import NetworkVoucher, VoucherClaim, VoucherScheme

from ..conftest import ALPHA, HostClient, host_of
from .conftest import INSTITUTION
from .test_services import grant, pdf, spend

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_the_hub_issues_a_scheme_from_its_page(hub_operator, hub_client):
    hub_client.force_login(hub_operator)
    today = timezone.localdate()
    answer = hub_client.post(
        "/network-vouchers/schemes/",
        {
            "title": "检验检测券",
            "kind": "face_value",
            "budget": "50000",
            "face_value": "2000",
            "categories": ["testing"],
            "valid_from": today.isoformat(),
            "valid_until": today.replace(year=today.year + 1).isoformat(),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    scheme = VoucherScheme.objects.get(title="检验检测券")
    page = hub_client.get(f"/network-vouchers/schemes/{scheme.pk}/", **ZH)
    assert (
        "检验检测券" in page.content.decode()
        and "剩余" in hub_client.get("/network-vouchers/schemes/", **ZH).content.decode()
    )


def test_a_scheme_over_its_cap_is_refused_on_the_form_in_chinese(hub_operator, hub_client):
    hub_client.force_login(hub_operator)
    today = timezone.localdate()
    answer = hub_client.post(
        "/network-vouchers/schemes/",
        {
            "title": "x",
            "kind": "percentage",
            "budget": "100",
            "percentage": "150",
            "cap_per_voucher": "10",
            "valid_from": today.isoformat(),
            "valid_until": today.isoformat(),
        },
        **ZH,
    )
    assert answer.status_code == 400 and "比例须大于 0 且不超过 100" in answer.content.decode()


def test_an_enterprise_applies_on_its_page_and_the_hub_grants_it(
    scheme, tenant_a, enterprise_a, hub_operator, hub_client
):
    client = HostClient(host_of(ALPHA))
    client.force_login(enterprise_a.user)
    page = client.get("/my/network-vouchers/", **ZH).content.decode()
    assert scheme.title in page and "申领" in page
    assert client.post(f"/my/network-vouchers/schemes/{scheme.pk}/apply/").status_code == 302
    voucher = NetworkVoucher.objects.get(scheme=scheme, enterprise_id=enterprise_a.enterprise.pk)
    hub_client.force_login(hub_operator)
    assert (
        enterprise_a.enterprise.name
        in hub_client.get("/network-vouchers/applications/", **ZH).content.decode()
    )
    hub_client.post(
        "/network-vouchers/applications/",
        {"voucher": voucher.pk, "action": "grant", "expected_status": "applied"},
    )
    voucher.refresh_from_db()
    assert voucher.status == "granted"
    assert "已发放" in client.get("/my/network-vouchers/", **ZH).content.decode()


@override_settings(ROOT_URLCONF="tests.voucher_schemes.institution_site_urls")
def test_an_institution_files_a_claim_from_its_page(
    scheme, tenant_a, enterprise_a, hub_operator, institution, institution_staff
):
    voucher = grant(scheme, tenant_a, enterprise_a, hub_operator)
    spend(voucher, tenant_a, enterprise_a, institution, price="700")
    client = HostClient(host_of(INSTITUTION))
    client.force_login(institution_staff)
    assert voucher.code in client.get("/voucher-claims/new/", **ZH).content.decode()
    answer = client.post(
        "/voucher-claims/new/",
        {
            "vouchers": [voucher.pk],
            "contract": pdf("合同.pdf"),
            "invoice": pdf("发票.pdf"),
            "delivery": pdf("交付.pdf"),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    claim = VoucherClaim.objects.get(institution=institution)
    detail = client.get(f"/voucher-claims/{claim.pk}/", **ZH).content.decode()
    assert claim.reference in detail and "合同.pdf" in detail
