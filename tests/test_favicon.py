"""/favicon.ico, asked for by every browser on its first visit, is a file (not a 404 through Django)."""

from .conftest import ALPHA, HostClient, host_of


def test_every_site_serves_its_favicon(db, tenant_a, hub_client):
    for client in (HostClient(host_of(ALPHA)), hub_client):
        response = client.get("/favicon.ico")
        assert response.status_code == 200
        assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
