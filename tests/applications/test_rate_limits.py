"""What anyone may send without an account is limited per client address, per park."""

import secrets

from django_tenants.utils import schema_context

from tenant_schema.enterprises.models import Enterprise

from ..conftest import ALPHA, HostClient
from ..enterprises.test_pages import registration_data as registration_form
from ..factories import ApplicationFactory
from .conftest import act


def registration_data() -> dict:
    """A new enterprise each time: its own credit code and owner email."""
    return registration_form(email=f"owner-{secrets.token_hex(4)}@haiwan.example.cn")


def an_address() -> str:
    """A fresh client address, so counts left in Redis by earlier runs never apply."""
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def test_registrations_over_the_limit_get_429_with_what_to_do_and_create_nothing(
    db, client_a, client_b, settings
):
    settings.PARKHUB_RATES = {**settings.PARKHUB_RATES, "register": "2/h"}
    address = an_address()
    for _ in range(2):
        client = HostClient(client_a.host)
        assert client.post("/register/", registration_data(), REMOTE_ADDR=address).status_code == 302

    over = registration_data()
    refused = HostClient(client_a.host).post("/register/", over, REMOTE_ADDR=address)
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert "errors/too_many_requests.html" in [t.name for t in refused.templates]
    with schema_context(ALPHA):
        assert not Enterprise.objects.filter(credit_code=over["credit_code"]).exists()

    # Another address, and the same address on another park, are not held back.
    assert (
        HostClient(client_a.host)
        .post("/register/", registration_data(), REMOTE_ADDR=an_address())
        .status_code
        == 302
    )
    assert (
        HostClient(client_b.host).post("/register/", registration_data(), REMOTE_ADDR=address).status_code
        == 302
    )
    # Reading the form is never limited.
    assert HostClient(client_a.host).get("/register/", REMOTE_ADDR=address).status_code == 200


def test_objections_over_the_limit_get_429_on_the_page_and_in_the_api(
    client_a, settings, programme, enterprise_x, reviewer, park_admin
):
    from tenant_schema.applications.models import Objection

    settings.PARKHUB_RATES = {**settings.PARKHUB_RATES, "objection": "1/h"}
    application = ApplicationFactory(registration=enterprise_x, programme=programme, submitted=True)
    act(application, "advance", reviewer)
    act(application, "advance", reviewer)
    act(application, "approve", park_admin, amount="80000.00")
    objection = {"name": "李四", "contact": "13900000000", "text": "该企业已获同类奖励"}
    address = an_address()

    assert (
        client_a.post(f"/notice/{application.pk}/object/", objection, REMOTE_ADDR=address).status_code == 302
    )
    page = client_a.post(f"/notice/{application.pk}/object/", objection, REMOTE_ADDR=address)
    assert page.status_code == 429
    api = client_a.post(
        f"/api/notice/{application.pk}/objections/",
        objection,
        content_type="application/json",
        REMOTE_ADDR=address,
    )
    assert api.status_code == 429 and api["Retry-After"] == "3600"
    assert api.json()["code"] == "throttled" and api.json()["message"] and api.json()["fields"] == {}
    with schema_context(ALPHA):
        assert Objection.objects.filter(application_id=application.pk).count() == 1
