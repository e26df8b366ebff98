"""Sessions come from the cache on every request, are written to the database, and survive a Redis outage."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from ..conftest import ALPHA, PASSWORD


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0"},  # nothing listens
    }


def sign_in(client, user):
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def test_a_signed_in_page_reads_the_session_from_the_cache(db, client_a, park_admin_a):
    sign_in(client_a, park_admin_a)
    client_a.get("/notifications/")
    with CaptureQueriesContext(connection) as queries:
        assert client_a.get("/notifications/").status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"]]


def test_signing_out_ends_the_session_for_a_copied_cookie(db, client_a, park_admin_a):
    sign_in(client_a, park_admin_a)
    assert client_a.get("/notifications/").status_code == 200
    copied = client_a.cookies["sessionid"].value
    client_a.post("/accounts/logout/")
    client_a.cookies["sessionid"] = copied
    response = client_a.get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_sign_in_pages_and_sign_out_work_while_redis_is_down(db, client_a, park_admin_a, cache_down, caplog):
    sign_in(client_a, park_admin_a)
    assert client_a.get("/notifications/").status_code == 200
    assert client_a.post("/accounts/logout/").status_code == 302
    response = client_a.get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "Session cache unreachable" in caplog.text


def test_a_sign_out_while_redis_is_down_still_holds_when_redis_returns_with_the_copy(
    db, client_a, park_admin_a, settings
):
    reachable = settings.CACHES
    sign_in(client_a, park_admin_a)
    assert client_a.get("/notifications/").status_code == 200  # cached in Redis now
    copied = client_a.cookies["sessionid"].value

    settings.CACHES = {**reachable, "default": {**reachable["default"], "LOCATION": "redis://127.0.0.1:9/0"}}
    assert client_a.post("/accounts/logout/").status_code == 302
    settings.CACHES = reachable  # Redis is back, still holding the signed-in copy
    with schema_context(ALPHA):
        assert cache.get(f"django.contrib.sessions.cached_db{copied}") is not None
        cache.delete("parkhub.sessions.revocations-applied")  # as if the outage outlasted the lease

    client_a.cookies["sessionid"] = copied
    response = client_a.get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    with schema_context(ALPHA):
        assert cache.get(f"django.contrib.sessions.cached_db{copied}") is None


@pytest.mark.parametrize("keep_old_key, still_signed_in", [(True, True), (False, False)])
def test_rotating_the_secret_key_keeps_sessions_only_with_the_old_key_as_fallback(
    db, client_a, park_admin_a, settings, keep_old_key, still_signed_in
):
    sign_in(client_a, park_admin_a)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-of-the-installation-" + "x9" * 20
    settings.SECRET_KEY_FALLBACKS = [old_key] if keep_old_key else []
    response = client_a.get("/notifications/")
    assert (response.status_code == 200) is still_signed_in
