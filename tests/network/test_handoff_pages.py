"""The hub's page of stuck handoffs: operators see what failed and resend it; anyone else gets a 404."""

import pytest

from every_schema.accounts import roles
from public_schema.network.handoffs import handoff_deliver, handoff_send
from public_schema.network.models import Handoff

from ..conftest import ALPHA, HUB_HOST, HostClient, host_of, make_user
from ..support.handoff_receivers import KIND


@pytest.fixture
def failed(db, tenant_a, tenant_b, key) -> Handoff:
    handoff = handoff_send(
        kind=KIND,
        sender=tenant_a,
        receiver=tenant_b,
        key=key,
        reference=key[:64],
        payload={"fail_attempts": 9},
    )
    with pytest.raises(RuntimeError):
        handoff_deliver(handoff_id=handoff.pk)
    handoff.refresh_from_db()
    return handoff


def test_operator_sees_a_failed_handoff_with_its_parties_and_error_and_resends_it(
    hub_operator, failed, queue, django_capture_on_commit_callbacks
):
    client = HostClient(HUB_HOST)
    client.force_login(hub_operator)
    page = client.get("/network/handoffs/").content.decode()
    assert "Alpha Park" in page and "Beta Park" in page and KIND in page
    assert "ReceiverBroke: the receiver broke on attempt 1" in page
    assert f"/network/handoffs/{failed.pk}/resend/" in page
    assert "/network/handoffs/" in client.get("/").content.decode()  # linked from the hub's home

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/network/handoffs/{failed.pk}/resend/")
    assert response.status_code == 302 and response["Location"] == "/network/handoffs/"
    assert queue() == [failed.pk]


def test_a_delivered_handoff_cannot_be_resent(hub_operator, failed):
    Handoff.objects.filter(pk=failed.pk).update(state=Handoff.State.DELIVERED)
    client = HostClient(HUB_HOST)
    client.force_login(hub_operator)
    assert client.post(f"/network/handoffs/{failed.pk}/resend/").status_code == 404
    assert f"/network/handoffs/{failed.pk}/resend/" not in client.get("/network/handoffs/").content.decode()


def test_outsider_gets_404(failed):
    stranger = HostClient(HUB_HOST)
    stranger.force_login(make_user("public"))
    assert stranger.get("/network/handoffs/").status_code == 404
    assert stranger.post(f"/network/handoffs/{failed.pk}/resend/").status_code == 404
    park_admin = HostClient(host_of(ALPHA))
    park_admin.force_login(make_user(ALPHA, role=roles.PARK_ADMIN))
    assert park_admin.get("/network/handoffs/").status_code == 404  # not on a park's site
    assert HostClient(HUB_HOST).get("/network/handoffs/").status_code == 302  # sign in first
