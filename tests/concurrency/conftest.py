"""A park of its own behind a real gunicorn (several workers, threads), and a way to make requests collide.

Every race test sends N requests from N threads that each hold an open connection and
wait at one Barrier, so the requests reach the server together and the workers really
compete for the same rows; then it counts the answers and reads the history tables.
"""

import http.client
import json
import re
import secrets
import signal
import subprocess
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import tenant_drop, tenant_provision

from ..conftest import PASSWORD, make_user
from ..enterprises.conftest import register
from ..faults.conftest import Browser, gunicorn_start


@dataclass
class Answer:
    status: int
    body: str

    def json(self):
        return json.loads(self.body)


@dataclass
class Race:
    """N identical requests at once; `statuses` counts the answers ("1x201 / 19x400")."""

    answers: list[Answer] = field(default_factory=list)

    @property
    def statuses(self) -> Counter:
        return Counter(answer.status for answer in self.answers)

    def __str__(self):
        return " / ".join(f"{count}x{status}" for status, count in sorted(self.statuses.items()))


class Site:
    """One tenant's host on the test gunicorn; API calls with a token, page posts with a session."""

    def __init__(self, port: int, host: str):
        self.port, self.host = port, host

    def _send(self, connection_, method, path, body, headers) -> Answer:
        connection_.request(method, path, body=body, headers={"Host": self.host, **headers})
        response = connection_.getresponse()
        return Answer(response.status, response.read().decode(errors="replace"))

    def race(self, n: int, method: str, path: str, *, body="", headers: dict | None = None) -> Race:
        """`body` is the same for every request, or a list of one body per request."""
        barrier = threading.Barrier(n)
        bodies = body if isinstance(body, list) else [body] * n

        def one(index):
            connection_ = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            connection_.connect()  # the connection is open before the barrier: only the request is left
            try:
                barrier.wait(timeout=30)
                return self._send(connection_, method, path, bodies[index], headers or {})
            finally:
                connection_.close()

        with ThreadPoolExecutor(max_workers=n) as pool:
            return Race(list(pool.map(one, range(n))))

    def api_race(self, n: int, token: str, path: str, payload: dict | None = None) -> Race:
        return self.race(
            n,
            "POST",
            f"/api{path}",
            body=json.dumps(payload or {}),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )

    def api_race_each(self, n: int, token: str, path: str, payload) -> Race:
        """Like api_race, with `payload()` called once per request for its own body."""
        return self.race(
            n,
            "POST",
            f"/api{path}",
            body=[json.dumps(payload()) for _ in range(n)],
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )

    def page_race(self, n: int, browser: Browser, path: str, fields: dict, *, token_from: str) -> Race:
        token = browser.csrf_token(token_from)
        cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields})
        return self.race(
            n,
            "POST",
            path,
            body=body,
            headers={
                "Cookie": cookies,
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}{token_from}",
            },
        )

    def browser(self, email: str) -> Browser:
        browser = Browser(self.port, self.host)
        assert browser.sign_in(email, PASSWORD) == 302
        return browser


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden {name} on the page"
    return found.group(1)


@dataclass
class RacePark:
    slug: str
    site: Site
    admin: object
    reviewer: object
    admin_token: str
    reviewer_token: str

    def token_for(self, user) -> str:
        from every_schema.accounts.services import api_token_create

        with schema_context(self.slug):
            return api_token_create(user=user, name="race test")[1]

    def enterprise(self, name: str | None = None):
        """A verified enterprise with its owner, and the owner's API token."""
        from tenant_schema.enterprises.services import enterprise_verify

        registration = register(self.slug, name=name or f"青岛并发{secrets.token_hex(3)}有限公司")
        with schema_context(self.slug):
            enterprise_verify(enterprise=registration.enterprise, actor=self.admin)
            registration.enterprise.refresh_from_db()
        return registration, self.token_for(registration.user)


@pytest.fixture(scope="module")
def race_park(django_db_setup, django_db_blocker, tmp_path_factory):
    slug = f"race{secrets.token_hex(3)}"
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        provisioned = tenant_provision(
            name=f"并发园区 {slug}", slug=slug, kind=Tenant.Kind.PARK, admin_email=f"admin@{slug}.test"
        )
        host = provisioned.tenant.domains.get().domain
        admin = make_user(slug, role=roles.PARK_ADMIN)
        reviewer = make_user(slug, role=roles.REVIEWER)
        proc, port = gunicorn_start(log=tmp_path_factory.mktemp("race-web") / "web.log", workers=3)
        park = RacePark(
            slug=slug,
            site=Site(port, host),
            admin=admin,
            reviewer=reviewer,
            admin_token="",
            reviewer_token="",
        )
        park.admin_token, park.reviewer_token = park.token_for(admin), park.token_for(reviewer)
        connection.set_schema_to_public()
        try:
            yield park
        finally:
            started = time.monotonic()
            proc.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: nothing is in flight any more
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            print(f"gunicorn stopped in {time.monotonic() - started:.1f}s")
            started = time.monotonic()
            connection.set_schema_to_public()
            for tenant in Tenant.objects.filter(schema_name=slug):
                tenant_drop(tenant=tenant)
            print(f"park dropped in {time.monotonic() - started:.1f}s")
