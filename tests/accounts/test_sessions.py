"""Sessions come from the cache on every request, are written to the database, and survive a Redis outage."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..conftest import PASSWORD


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
