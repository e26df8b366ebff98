"""Behind the proxy, login lockout and rate limits key on the real client, never on a header it wrote.

Issue 14: in production every request reached gunicorn from nginx, so five bad passwords from
anyone locked a park administrator out and one client used up the registration limit of the
whole internet. Here gunicorn runs the production settings (tests/production_like_settings.py)
behind a proxy that does what deploy/nginx/parkhub.conf does: append the peer's address to
X-Forwarded-For, set X-Real-IP and X-Forwarded-Proto. Each simulated client connects from its
own loopback address (127.x.y.z, all local on Linux), fresh every run so that counts left in
Redis by an earlier run never apply, and sends whatever X-Forwarded-For it likes.
"""

import http.client
import http.server
import re
import secrets
import subprocess
import sys
import threading
import urllib.parse

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django_tenants.utils import schema_context

from every_schema.accounts import roles

from .conftest import ALPHA, PASSWORD, ROOT, free_port, host_of, make_user, process_env, wait_until

pytestmark = pytest.mark.slow
FAILURE_LIMIT = 3
REGISTRATIONS_PER_HOUR = 3
HOST = host_of(ALPHA)


def loopback_address() -> str:
    return f"127.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}"


class NginxLikeProxy(http.server.ThreadingHTTPServer):
    """Forwards every request to gunicorn with the headers deploy/nginx/parkhub.conf sets."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        super().__init__(("127.0.0.1", free_port()), _ProxyHandler)


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        peer = self.client_address[0]
        headers = {
            k: v for k, v in self.headers.items() if k.lower() not in ("x-real-ip", "x-forwarded-proto")
        }
        # $proxy_add_x_forwarded_for: the client's own header, then the address nginx saw.
        claimed = self.headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = f"{claimed}, {peer}" if claimed else peer
        headers["X-Real-IP"] = peer
        headers["X-Forwarded-Proto"] = "https"
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=30)
        try:
            try:
                upstream.request(self.command, self.path, body=body or None, headers=headers)
            except ConnectionRefusedError:
                self.send_error(502)  # gunicorn not up yet, as nginx would say
                return
            response = upstream.getresponse()
            content = response.read()
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
        finally:
            upstream.close()

    do_GET = do_POST = _forward


class Visitor:
    """One client at its own address, keeping its cookies, sending forms with their CSRF token."""

    def __init__(self, proxy_port: int, address: str):
        self.proxy_port, self.address, self.cookies = proxy_port, address, {}

    def request(self, method: str, path: str, *, form: dict | None = None, forwarded_for: str | None = None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.proxy_port, timeout=30, source_address=(self.address, 0)
        )
        headers = {"Host": HOST}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if forwarded_for:
            headers["X-Forwarded-For"] = forwarded_for
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{HOST}"
            headers["Referer"] = f"https://{HOST}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie_name, _eq, rest = value.partition("=")
                    self.cookies[cookie_name] = rest.split(";", 1)[0]
            return response.status, text
        finally:
            connection.close()

    def post_form(self, path: str, fields: dict, **kwargs):
        status, page = self.request("GET", path)
        assert status == 200, page[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request("POST", path, form={"csrfmiddlewaretoken": token, **fields}, **kwargs)


@pytest.fixture(scope="module")
def proxy_port(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn on the production settings, behind the nginx-like proxy; yields the proxy's port."""
    port = free_port()
    log = tmp_path_factory.mktemp("proxied-web") / "web.log"
    with django_db_blocker.unblock():
        env = process_env(
            DJANGO_SETTINGS_MODULE="tests.production_like_settings",
            SECRET_KEY=secrets.token_urlsafe(50),
            PARKHUB_BASE_DOMAIN="localhost",
            CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
            EMAIL_URL="consolemail://",
            AXES_FAILURE_LIMIT=str(FAILURE_LIMIT),
            PARKHUB_RATE_REGISTER=f"{REGISTRATIONS_PER_HOUR}/h",
            PARKHUB_TRUSTED_PROXY_COUNT="1",
            MEDIA_ROOT=str(tmp_path_factory.mktemp("proxied-media")),
        )
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "saas.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2"],
        cwd=ROOT,
        env=env,
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
    )
    proxy = NginxLikeProxy(port)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    probe = Visitor(proxy.server_address[1], "127.0.0.1")

    def answers():
        if proc.poll() is not None:
            return True
        try:
            return probe.request("GET", "/accounts/login/")[0] == 200
        except OSError:
            return False

    try:
        wait_until(answers, timeout=60, message="gunicorn behind the proxy")
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        yield proxy.server_address[1]
    finally:
        proxy.shutdown()
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def administrator(committed_db):
    user = make_user(ALPHA, role=roles.PARK_ADMIN)
    # Production checks passwords with its own hashers, not the tests' fast MD5.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    with schema_context(ALPHA):
        user.save(update_fields=["password"])
    yield user
    with schema_context(ALPHA):
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username=user.email).delete()
        user.delete()


def test_bad_passwords_lock_out_the_client_that_sent_them_whatever_it_claims(proxy_port, administrator):
    attacker = Visitor(proxy_port, loopback_address())
    administrator_at_work = Visitor(proxy_port, loopback_address())
    wrong = {"username": administrator.email, "password": "not-the-password"}

    # Each attempt claims to come from somewhere else, the first ones from the administrator's desk.
    claims = [administrator_at_work.address] * 2 + [loopback_address() for _ in range(FAILURE_LIMIT)]
    for claim in claims[:FAILURE_LIMIT]:
        status, _page = attacker.post_form("/accounts/login/", wrong, forwarded_for=claim)
        assert status in (200, 429)
    # No claimed address dodges the lockout: even the right password is refused now.
    status, _page = attacker.post_form(
        "/accounts/login/", {**wrong, "password": PASSWORD}, forwarded_for=claims[-1]
    )
    assert status == 429

    with schema_context(ALPHA):
        counted = dict(
            AccessAttempt.objects.filter(username=administrator.email).values_list(
                "ip_address", "failures_since_start"
            )
        )
    assert counted == {attacker.address: FAILURE_LIMIT + 1}

    # The administrator, at their own address, was not locked out by any of it.
    status, page = administrator_at_work.post_form(
        "/accounts/login/", {"username": administrator.email, "password": PASSWORD}
    )
    assert status == 302, page[page.find("<main") :][:1000]


def test_registrations_are_limited_per_real_client_whatever_it_claims(proxy_port):
    flooder = Visitor(proxy_port, loopback_address())
    neighbour = Visitor(proxy_port, loopback_address())

    # An empty form is a 200 with field errors, and counts against the limit like any POST.
    for _ in range(REGISTRATIONS_PER_HOUR):
        status, _page = flooder.post_form(
            "/register/", {}, forwarded_for=f"{loopback_address()}, {neighbour.address}"
        )
        assert status == 200
    status, page = flooder.post_form("/register/", {}, forwarded_for=loopback_address())
    assert status == 429

    # The neighbour's allowance is whole: the flooder's claims to be it counted for the flooder.
    for _ in range(REGISTRATIONS_PER_HOUR):
        assert neighbour.post_form("/register/", {})[0] == 200
    assert neighbour.post_form("/register/", {})[0] == 429
