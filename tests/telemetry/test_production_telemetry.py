"""Under the production settings (gunicorn, tests/production_like_settings.py): probes over plain
HTTP on any Host, /metrics only with its token, and log lines that are JSON objects naming the
request, the tenant and the user.

The probes come from the kubelet or Compose to the pod's own port: no proxy, no HTTPS, no
tenant host. Everything else arrives as nginx sends it (X-Forwarded-Proto, X-Request-ID).
"""

import http.client
import json
import secrets
import subprocess
import sys

import pytest
from django_tenants.utils import schema_context

from every_schema.accounts import roles

from ..conftest import ALPHA, ROOT, free_port, host_of, make_user, process_env, wait_until
from ..faults.conftest import process_stop

pytestmark = pytest.mark.slow
METRICS_TOKEN = secrets.token_urlsafe(24)


def request(port: int, path: str, host: str, **headers) -> tuple[int, bytes, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host, **headers})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


@pytest.fixture
def production_web(committed_db, tmp_path):
    port, log = free_port(), tmp_path / "web.log"
    env = process_env(
        DJANGO_SETTINGS_MODULE="tests.production_like_settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        PARKHUB_BASE_DOMAIN="localhost",
        EMAIL_URL="consolemail://",
        PARKHUB_TRUSTED_PROXY_COUNT="1",
        METRICS_TOKEN=METRICS_TOKEN,
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "saas.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
    )

    def up():
        if proc.poll() is not None:
            return True
        try:
            return request(port, "/healthz", "127.0.0.1")[0] == 200
        except OSError:
            return False

    try:
        wait_until(up, timeout=60, message="gunicorn")
        assert proc.poll() is None, log.read_text()[-3000:]
        yield port, log
    finally:
        process_stop(proc)


@pytest.fixture
def api_token(committed_db):
    user = make_user(ALPHA, role=roles.PARK_ADMIN)
    from every_schema.accounts.services import api_token_create

    with schema_context(ALPHA):
        token, secret = api_token_create(user=user, name="telemetry test")
    yield user, secret
    with schema_context(ALPHA):
        token.delete()


def test_probes_answer_plain_http_on_any_host_without_a_redirect(production_web):
    port, _log = production_web
    for host in ("10.244.3.17:8000", "127.0.0.1", "unknown.example"):
        assert request(port, "/healthz", host)[0] == 200
        status, body, _headers = request(port, "/readyz", host)
        assert status == 200, body
        assert set(json.loads(body)["checks"]) == {"database", "redis", "broker", "storage"}
    # Anything else still goes to HTTPS.
    assert request(port, "/accounts/login/", host_of(ALPHA))[0] == 301


def test_metrics_need_the_token_in_production(production_web):
    port, _log = production_web
    https = {"X-Forwarded-Proto": "https"}
    assert request(port, "/metrics", host_of(ALPHA), **https)[0] == 404
    status, body, _headers = request(
        port, "/metrics", "10.244.3.17:8000", Authorization=f"Bearer {METRICS_TOKEN}"
    )
    assert status == 200 and b"parkhub_http_request_duration_seconds" in body


def test_log_lines_are_json_with_request_tenant_and_user(production_web, api_token):
    port, log = production_web
    user, key = api_token
    request_id = secrets.token_hex(16)
    status, _body, headers = request(
        port,
        "/api/v1/me/",
        host_of(ALPHA),
        **{"X-Forwarded-Proto": "https", "X-Request-ID": request_id, "Authorization": f"Bearer {key}"},
    )
    assert status == 200
    assert headers["X-Request-ID"] == request_id  # set by the proxy (PARKHUB_TRUSTED_PROXY_COUNT=1): kept

    def access_line():
        for text in log.read_text().splitlines():
            if text.startswith("{") and request_id in text:
                return json.loads(text)
        return None

    line = wait_until(access_line, timeout=10, message="the request's log line")
    assert line["request_id"] == request_id
    assert line["tenant"] == ALPHA
    assert line["user_id"] == user.pk
    assert line["route"] == "api:me" and line["status"] == 200
    assert line["level"] == "INFO" and "time" in line
    # Every line the app wrote is JSON (gunicorn's own start-up lines aside).
    app_lines = [t for t in log.read_text().splitlines() if t.startswith("{")]
    assert app_lines and all(json.loads(t) for t in app_lines)
