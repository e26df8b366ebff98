"""Liveness and readiness answer on every host: the hub, a park, an unknown host, a suspended park.

The kubelet probes by the pod's address, so the Host is whatever it is; a suspended tenant
answers 503 on every page, which must not take its pods out of the Service.
"""

import json

import pytest
from django.test import Client

from public_schema.tenants.services import tenant_suspend

from ..conftest import HUB_HOST, host_of

CHECKS = {"database", "redis", "broker", "storage"}


def probe(host: str, path: str):
    return Client(HTTP_HOST=host).get(path)


@pytest.fixture
def suspended_park(db, tenant_b):
    return tenant_suspend(tenant=tenant_b, reason="探针测试")


@pytest.mark.parametrize(
    "host", [HUB_HOST, host_of("alpha"), "nowhere.localhost", "10.1.2.3:8000", "evil.example"]
)
def test_liveness_and_readiness_answer_on_any_host(db, tenant_a, host):
    live = probe(host, "/healthz")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    ready = probe(host, "/readyz")
    body = ready.json()
    assert ready.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == CHECKS
    assert all(check["ok"] for check in body["checks"].values())
    assert ready["Cache-Control"] == "no-store"


def test_a_suspended_park_still_answers_its_probes(suspended_park):
    host = host_of(suspended_park.schema_name)
    assert probe(host, "/").status_code == 503  # the park itself is closed...
    assert probe(host, "/healthz").status_code == 200  # ...its pods are alive
    assert probe(host, "/readyz").status_code == 200


def test_readiness_names_the_failed_check_and_answers_503(db, settings, tmp_path):
    # A media folder that cannot take a file (a read-only volume): storage fails, the rest passes.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocked)
    response = probe("nowhere.localhost", "/readyz")
    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["storage"]["ok"] is False
    assert {name for name, check in body["checks"].items() if check["ok"]} == CHECKS - {"storage"}
    # The reason's details (paths, hosts) stay in the log, not in an unauthenticated answer.
    assert str(blocked) not in response.content.decode()


def test_probes_are_get_only_and_other_paths_are_the_sites(db, tenant_a):
    assert Client(HTTP_HOST=host_of("alpha")).post("/healthz").status_code == 404
    assert probe(host_of("alpha"), "/healthz/extra").status_code == 404
