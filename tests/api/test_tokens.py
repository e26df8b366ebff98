"""API tokens: hashed at rest, expiring, revocable by their owner, valid on their own site only."""

import hashlib
from datetime import timedelta
from types import SimpleNamespace

from django.apps import apps
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from every_schema.accounts.models import ApiToken

from ..conftest import ALPHA, PASSWORD, make_user

TOKEN = "/api/v1/auth/token/"
TOKENS = "/api/v1/auth/tokens/"
ME = "/api/v1/me/"


def obtain(client, user, **extra) -> dict:
    response = client.post(
        TOKEN, {"email": user.email, "password": PASSWORD, **extra}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_token_is_stored_as_its_hash_only(db, client_a, park_admin_a):
    created = obtain(client_a, park_admin_a, name="ERP sync")
    secret = created["token"]
    assert client_a.get(ME, **bearer(secret)).json()["email"] == park_admin_a.email
    with schema_context(ALPHA), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        rows = cursor.fetchall()
        stored = ApiToken.objects.get(pk=created["id"])
    assert rows and not any(secret in str(value) for row in rows for value in row)
    assert stored.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.prefix == secret[:10] and created["prefix"] == stored.prefix
    # The list never shows the secret again.
    listed = client_a.get(TOKENS, **bearer(secret)).json()["results"]
    assert [t["id"] for t in listed] == [created["id"]] and "token" not in listed[0]


def test_a_token_expires_after_the_configured_lifetime(db, client_a, park_admin_a, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    created = obtain(client_a, park_admin_a, lifetime_days=7)
    with schema_context(ALPHA):
        token = ApiToken.objects.get(pk=created["id"])
        assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)
        token.expires_at = timezone.now() - timedelta(seconds=1)
        token.save(update_fields=["expires_at"])
    refused = client_a.get(ME, **bearer(created["token"]))
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_expired" and "/accounts/tokens/" in refused.json()["message"]
    # Longer than the setting allows: a field error, in the one error shape.
    too_long = client_a.post(
        TOKEN,
        {"email": park_admin_a.email, "password": PASSWORD, "lifetime_days": 31},
        content_type="application/json",
    )
    assert too_long.status_code == 400 and list(too_long.json()["fields"]) == ["lifetime_days"]


def test_a_revoked_token_is_refused_at_once(db, client_a, park_admin_a):
    created = obtain(client_a, park_admin_a)
    assert client_a.delete(f"{TOKENS}{created['id']}/", **bearer(created["token"])).status_code == 204
    refused = client_a.get(ME, **bearer(created["token"]))
    assert refused.status_code == 401 and refused.json()["code"] == "token_revoked"
    with schema_context(ALPHA):
        assert ApiToken.objects.get(pk=created["id"]).revoked_at is not None


def test_the_owner_lists_and_revokes_only_their_own_tokens(db, client_a, park_admin_a):
    other = make_user(ALPHA, role=roles.PARK_ADMIN)
    mine, theirs = obtain(client_a, park_admin_a), obtain(client_a, other)
    listed = client_a.get(TOKENS, **bearer(mine["token"])).json()["results"]
    assert [t["id"] for t in listed] == [mine["id"]]
    assert client_a.get(f"{TOKENS}{theirs['id']}/", **bearer(mine["token"])).status_code == 404
    assert client_a.delete(f"{TOKENS}{theirs['id']}/", **bearer(mine["token"])).status_code == 404
    assert client_a.get(ME, **bearer(theirs["token"])).json()["email"] == other.email
    # A signed-in user makes a named token without the password.
    client_a.force_login(park_admin_a)
    made = client_a.post(TOKENS, {"name": "报表导出"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["token"].startswith("ph_")


def test_park_b_has_never_heard_of_a_token_of_park_a(db, client_a, client_b, park_admin_a):
    secret = obtain(client_a, park_admin_a)["token"]
    refused = client_b.get(ME, **bearer(secret))
    assert refused.status_code == 401 and refused.json()["code"] == "token_invalid"


def test_the_tokens_page_shows_a_new_secret_once_and_revokes(db, client_a, park_admin_a):
    client_a.force_login(park_admin_a)
    page = client_a.get("/accounts/tokens/")
    assert page.status_code == 200 and "API 令牌" in page.content.decode()
    made = client_a.post("/accounts/tokens/", {"name": "ERP", "lifetime_days": 30})
    secret = made.context["new_secret"]
    assert made.status_code == 200 and secret in made.content.decode()
    assert "no-cache" in made["Cache-Control"] or "max-age=0" in made["Cache-Control"]
    again = client_a.get("/accounts/tokens/").content.decode()
    assert secret not in again and secret[:10] in again
    with schema_context(ALPHA):
        token = ApiToken.objects.get(user=park_admin_a)
    assert client_a.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    client_a.logout()
    assert client_a.get(ME, **bearer(secret)).status_code == 401


def test_a_plain_token_of_before_is_hashed_by_the_migration_and_still_works(db, client_a, park_admin_a):
    migration = __import__(
        "every_schema.accounts.migrations.0003_hash_plain_api_tokens", fromlist=["hash_plain_tokens"]
    )
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with schema_context(ALPHA):
        with connection.cursor() as cursor:
            cursor.execute(
                'CREATE TABLE "alpha".authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, created timestamptz)'
            )
            cursor.execute(
                'INSERT INTO "alpha".authtoken_token VALUES (%s, %s, now())', [old_key, park_admin_a.pk]
            )
        migration.hash_plain_tokens(apps, SimpleNamespace(connection=connection))
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('\"alpha\".authtoken_token')")
            assert cursor.fetchone()[0] is None
        assert (
            ApiToken.objects.get(user=park_admin_a).key_hash == hashlib.sha256(old_key.encode()).hexdigest()
        )
    assert client_a.get(ME, HTTP_AUTHORIZATION=f"Token {old_key}").json()["email"] == park_admin_a.email
