"""Fault: Redis stopped. Every page and every form keeps answering, and a sign-out made meanwhile holds.

The README promises that pages keep working while Redis is down (sessions come from
PostgreSQL, the page cache is skipped, rate limits are not enforced, Celery sends are logged).
gunicorn runs on a private redis-server (cache, sessions, rate limits and the Celery broker),
which is stopped in the middle of the test and started again from its append-only file, so
that it comes back holding what it held, as a Redis restarted from its snapshot or a healed
network partition does: the cached copy of a session signed out during the outage is back
in Redis, and must not sign anyone in.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from ..conftest import PASSWORD
from ..enterprises.test_pages import registration_data
from .conftest import Browser, PrivateRedis, gunicorn_start, process_stop

pytestmark = pytest.mark.slow


def tenant_page_paths(park) -> list[str]:
    """Every GET address of a park's site (saas.urls_tenants), ids filled with the park's award.

    Addresses with an id that is not the award's answer 404, which is an answer too.
    """
    paths = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith("admin/"):
                    paths.append("/admin/")
                    continue
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                if route.startswith("^") or "(?P" in route:
                    continue  # format-suffix regex duplicates of the API routes
                route = re.sub(
                    r"<(?:int:)?\w+>", str(park.application_id), route.replace("<slug:action>", "advance")
                )
                route = route.replace("<path:name>", "shared/nothing.txt")
                paths.append("/" + route)

    walk(get_resolver("saas.urls_tenants").url_patterns, "")
    # The schema document is generated on each request (seconds, nothing to do with Redis).
    return sorted({p for p in paths if "/schema/" not in p and "/docs/" not in p})


def server_errors(browser: Browser, paths: list[str]) -> dict[str, int]:
    statuses = {path: browser.get(path) for path in paths}
    return {path: status for path, status in statuses.items() if status >= 500}


def test_every_page_and_form_answers_while_redis_is_stopped_and_sign_out_holds_after(fault_park, tmp_path):
    park = fault_park
    redis = PrivateRedis(tmp_path)
    redis.start()
    web, port = gunicorn_start(log=tmp_path / "web.log", REDIS_URL=redis.url, CELERY_BROKER_URL=redis.url)
    sent = failed = 0
    try:
        admin, owner, anonymous = (Browser(port, park.host) for _ in range(3))
        assert admin.sign_in(park.admin_email) == 302
        assert owner.sign_in(park.owner_email) == 302
        # A session signed in while Redis is up: cached there, and its cookie copied.
        leaving = Browser(port, park.host)
        assert leaving.sign_in(park.admin_email) == 302
        assert leaving.get("/notifications/") == 200
        copied = leaving.session
        cached = [key for key in redis.client().scan_iter(f"*cached_db{copied}")]
        assert cached, "the session should be cached in Redis before the outage"

        paths = tenant_page_paths(park)
        assert len(paths) > 40
        baseline = {
            who: server_errors(browser, paths)
            for who, browser in [("admin", admin), ("owner", owner), ("anonymous", anonymous)]
        }
        assert baseline == {"admin": {}, "owner": {}, "anonymous": {}}

        redis.stop()
        assert not redis.answers()

        during = {
            who: server_errors(browser, paths)
            for who, browser in [("admin", admin), ("owner", owner), ("anonymous", anonymous)]
        }
        sent += 3 * len(paths)
        failed += sum(len(errors) for errors in during.values())
        assert during == {"admin": {}, "owner": {}, "anonymous": {}}

        posts = {}
        # Sign-in and sign-out.
        posts["sign-in"] = Browser(port, park.host).sign_in(park.admin_email)
        posts["sign-in, wrong password"] = Browser(port, park.host).sign_in(
            park.admin_email, "wrong-" + PASSWORD
        )
        posts["sign-out"] = leaving.post("/accounts/logout/", token_from="/notifications/")[0]
        # Registration of an enterprise (its mail goes through the stopped broker), and a bad one.
        posts["registration"] = Browser(port, park.host).post(
            "/register/", registration_data(email="outage@haiwan.example.cn")
        )[0]
        posts["registration, invalid"] = Browser(port, park.host).post("/register/", {})[0]
        # An objection to the award on public notice.
        objection = {"name": "李四", "contact": "13900000000", "text": "该企业已获同类奖励"}
        posts["objection"] = anonymous.post(f"/notice/{park.application_id}/object/", objection)[0]
        # Application pages: the owner's new draft, the staff's move of it.
        posts["application draft"] = owner.post(
            f"/applications/new/{park.open_programme_id}/", {"requested_amount": "50000.00"}
        )[0]
        posts["staff action"] = admin.post(
            f"/park/applications/{park.application_id}/act/advance/",
            {},
            token_from=f"/park/applications/{park.application_id}/",
        )[0]
        sent += len(posts)
        failed += sum(status >= 500 for status in posts.values())
        assert {name: status for name, status in posts.items() if status >= 500} == {}
        assert posts["sign-in"] == 302 and posts["sign-out"] == 302
        assert (
            posts["registration"] == 302 and posts["objection"] == 302 and posts["application draft"] == 302
        )
        assert posts["registration, invalid"] == 200 and posts["sign-in, wrong password"] == 200

        # The signed-out cookie is anonymous during the outage...
        stolen = Browser(port, park.host)
        stolen.cookies["sessionid"] = copied
        assert stolen.get("/notifications/") == 302

        redis.start()
        # ...and after it: Redis came back with the session's cached copy, which no longer counts.
        assert list(redis.client().scan_iter(f"*cached_db{copied}")), "Redis should come back with its data"
        # Connections pooled before the outage fail once each (and fall back to the database):
        # enough requests that every worker reads from the restarted Redis again.
        for _ in range(20):
            assert admin.get("/notifications/") == 200
        for _ in range(10):
            stolen.cookies["sessionid"] = copied  # the last answer told the browser to drop it
            status, _page, headers = stolen.request("GET", "/notifications/")
            assert status == 302 and "/accounts/login/" in headers["Location"]
        assert not list(redis.client().scan_iter(f"*cached_db{copied}"))
        # The others are still signed in, and every page answers again.
        assert admin.get("/notifications/") == 200 and owner.get("/applications/") == 200
        assert server_errors(admin, paths) == {}
        print(f"\nRedis stopped: {sent} requests during the outage, {failed} answered 5xx")
    finally:
        process_stop(web)
        if redis.proc and redis.proc.poll() is None:
            redis.stop()


def test_pages_answer_promptly_while_redis_hangs_without_answering(fault_park, tmp_path):
    """A Redis that accepts connections but never answers (frozen, or cut off mid-route) must
    cost a page seconds at most, not hold it until the proxy gives up."""
    import os
    import signal
    import time

    park = fault_park
    redis = PrivateRedis(tmp_path)
    redis.start()
    web, port = gunicorn_start(log=tmp_path / "web.log", REDIS_URL=redis.url, CELERY_BROKER_URL=redis.url)
    try:
        admin = Browser(port, park.host, timeout=30)
        assert admin.sign_in(park.admin_email) == 302
        paths = [
            "/",
            "/notifications/",
            "/park/applications/",
            f"/park/applications/{park.application_id}/",
            "/notice/",
            "/programmes/",
        ]
        assert {path: admin.get(path) for path in paths} == dict.fromkeys(paths, 200)
        os.kill(redis.proc.pid, signal.SIGSTOP)
        try:
            slowest = 0.0
            for path in paths:
                started = time.monotonic()
                assert admin.get(path) == 200, path
                slowest = max(slowest, time.monotonic() - started)
            status, _page, _headers = admin.post("/accounts/logout/", token_from="/notifications/")
            assert status == 302
            print(f"\nRedis hung: slowest page {slowest:.1f} s")
            assert slowest < 10
        finally:
            os.kill(redis.proc.pid, signal.SIGCONT)
    finally:
        process_stop(web)
        redis.stop()
