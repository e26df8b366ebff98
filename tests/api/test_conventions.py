"""What every API endpoint shares: /api/v1/, one error shape in the client's language, pages, sync filters."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework import exceptions

from saas.api.exceptions import api_exception_handler
from tenant_schema.enterprises.models import Enterprise
from tenant_schema.enterprises.services import enterprise_verify
from tenant_schema.notifications.models import Notification

from ..conftest import ALPHA
from ..enterprises.conftest import register

ENTERPRISES = "/api/v1/enterprises/"


def shape(response) -> dict:
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert isinstance(body["message"], str) and body["message"]
    return body


# --- versions -------------------------------------------------------------------------


def test_the_unversioned_path_answers_the_same_with_deprecation_headers(db, client_a, park_admin_a):
    client_a.force_login(park_admin_a)
    current = client_a.get("/api/v1/me/")
    old = client_a.get("/api/me/")
    assert old.status_code == current.status_code == 200 and old.json() == current.json()
    assert old["Deprecation"] == "true" and old["Sunset"] == "Wed, 30 Jun 2027 00:00:00 GMT"
    assert old["Link"] == '</api/v1/me/>; rel="successor-version"'
    assert "Deprecation" not in current


def test_the_schema_documents_v1_only_with_tokens_errors_pages_and_filters(db, client_a):
    schema = client_a.get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    assert paths and all(path.startswith("/api/v1/") for path in paths)
    assert {"/api/v1/enterprises/", "/api/v1/auth/tokens/", "/api/v1/notifications/"} <= set(paths)
    listing = paths["/api/v1/enterprises/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"page", "page_size", "updated_since", "ordering"} <= names
    assert listing["responses"]["404" if "404" in listing["responses"] else "401"]["content"][
        "application/json"
    ]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "message", "fields"}


# --- errors ---------------------------------------------------------------------------


def test_every_status_has_the_one_error_shape(db, client_a, park_admin_a):
    registration_x = register(ALPHA)
    assert shape(client_a.get("/api/v1/me/")) | {"message": ""} == {
        "code": "not_authenticated",
        "message": "",
        "fields": {},
    }
    client_a.force_login(registration_x.user)
    forbidden = client_a.post(ENTERPRISES, {}, content_type="application/json")
    assert forbidden.status_code == 403 and shape(forbidden)["code"] == "permission_denied"

    client_a.force_login(park_admin_a)
    invalid = client_a.post(ENTERPRISES, {}, content_type="application/json")
    body = shape(invalid)
    assert invalid.status_code == 400 and body["code"] == "invalid" and "credit_code" in body["fields"]
    assert body["fields"]["credit_code"] == ["该字段是必填项。"]

    missing = client_a.get(f"{ENTERPRISES}999999/")
    assert missing.status_code == 404 and shape(missing)["code"] == "not_found"
    no_route = client_a.get("/api/v1/no-such-thing/")
    assert no_route.status_code == 404 and shape(no_route)["code"] == "not_found"
    not_allowed = client_a.delete("/api/v1/me/")
    assert not_allowed.status_code == 405 and shape(not_allowed)["code"] == "method_not_allowed"
    bad_json = client_a.post(ENTERPRISES, "{", content_type="application/json")
    assert bad_json.status_code == 400 and shape(bad_json)["code"] == "parse_error"


def test_django_404_permission_denied_and_throttled_keep_the_shape(db):
    for error, status, code in [
        (Http404(), 404, "not_found"),
        (PermissionDenied("Only a park administrator can do this."), 403, "permission_denied"),
        (exceptions.Throttled(wait=60), 429, "throttled"),
        (exceptions.ValidationError({"stages": [{"name": ["required"]}, {}]}), 400, "invalid"),
    ]:
        response = api_exception_handler(error, {})
        assert response.status_code == status and response.data["code"] == code
        assert set(response.data) == {"code", "message", "fields"}
    assert response.data["fields"] == {"stages.0.name": ["required"]}
    denied = api_exception_handler(PermissionDenied("Only a park administrator can do this."), {})
    assert denied.data["message"] == "Only a park administrator can do this."


def test_messages_follow_accept_language_and_default_to_chinese(db, client_a):
    chinese = client_a.get("/api/v1/me/")
    english = client_a.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    french = client_a.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="fr-FR")
    zh_cn = client_a.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.8")
    assert english.json()["message"] == "Authentication credentials were not provided."
    assert (
        chinese.json()["message"]
        == french.json()["message"]
        == zh_cn.json()["message"]
        == "身份认证信息未提供。"
    )
    assert english["Content-Language"] == "en" and chinese["Content-Language"] == "zh-hans"
    assert "Accept-Language" in english["Vary"]
    bad = client_a.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert bad.json()["message"].startswith("No API endpoint")


# --- pages and sync -------------------------------------------------------------------


def test_the_client_chooses_the_page_size_up_to_200(db, client_a, park_admin_a):
    with schema_context(ALPHA):
        Notification.objects.bulk_create(
            [
                Notification(user=park_admin_a, title=f"通知 {n}", body="", dedupe_key=f"test-{n}")
                for n in range(205)
            ]
        )
    client_a.force_login(park_admin_a)
    small = client_a.get("/api/v1/notifications/?page_size=7").json()
    assert small["count"] == 205 and len(small["results"]) == 7
    capped = client_a.get("/api/v1/notifications/?page_size=5000").json()
    assert len(capped["results"]) == 200 and capped["next"]
    assert len(client_a.get("/api/v1/notifications/").json()["results"]) == 50


def test_updated_since_returns_only_what_changed_in_sync_order(db, client_a, park_admin_a):
    old, changed, untouched = (register(ALPHA) for _ in range(3))
    long_ago = timezone.now() - timedelta(days=30)
    with schema_context(ALPHA):
        Enterprise.objects.filter(
            pk__in=[old.enterprise.pk, changed.enterprise.pk, untouched.enterprise.pk]
        ).update(updated_at=long_ago)
        Enterprise.objects.exclude(
            pk__in=[old.enterprise.pk, changed.enterprise.pk, untouched.enterprise.pk]
        ).update(updated_at=long_ago)
    since = timezone.now() - timedelta(minutes=1)
    with schema_context(ALPHA):
        enterprise_verify(enterprise=changed.enterprise, actor=park_admin_a)  # a service write bumps it
        Enterprise.objects.filter(pk=old.enterprise.pk).update(updated_at=timezone.now())
    client_a.force_login(park_admin_a)
    rows = client_a.get(ENTERPRISES, {"updated_since": since.isoformat()}).json()["results"]
    assert {row["id"] for row in rows} == {changed.enterprise.pk, old.enterprise.pk}
    assert [row["id"] for row in rows] == [changed.enterprise.pk, old.enterprise.pk]  # (updated_at, id)
    everything = client_a.get(ENTERPRISES, {"ordering": "updated_at", "page_size": 200}).json()["results"]
    assert [row["id"] for row in everything][-2:] == [changed.enterprise.pk, old.enterprise.pk]
    bad = client_a.get(ENTERPRISES, {"updated_since": "yesterday"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and list(shape(bad)["fields"]) == ["updated_since"]


def test_marking_notifications_read_moves_them_into_the_next_sync(db, client_a, park_admin_a):
    with schema_context(ALPHA):
        note = Notification.objects.create(user=park_admin_a, title="新申请", body="", dedupe_key="test-sync")
        Notification.objects.filter(pk=note.pk).update(updated_at=timezone.now() - timedelta(days=1))
    since = (timezone.now() - timedelta(minutes=1)).isoformat()
    client_a.force_login(park_admin_a)
    assert client_a.get("/api/v1/notifications/", {"updated_since": since}).json()["results"] == []
    assert (
        client_a.post(
            "/api/v1/notifications/read/", {"all": True}, content_type="application/json"
        ).status_code
        == 200
    )
    synced = client_a.get("/api/v1/notifications/", {"updated_since": since}).json()["results"]
    assert [row["id"] for row in synced] == [note.pk]


def test_writes_that_save_only_some_fields_still_move_updated_at(db, tenant_a):
    """Services that save with update_fields (programme open/close, every workflow move) bump updated_at."""
    from tenant_schema.applications.models import Application
    from tenant_schema.funding.models import Programme
    from tenant_schema.funding.services import programme_close

    from ..applications.conftest import act, draft_for, make_programme

    long_ago = timezone.now() - timedelta(days=30)
    with schema_context(ALPHA):
        programme = make_programme()
        application = draft_for(register(ALPHA), programme)
        Programme.objects.filter(pk=programme.pk).update(updated_at=long_ago)
        Application.objects.filter(pk=application.pk).update(updated_at=long_ago)
        act(application, "submit", application.applicant)
        programme.refresh_from_db()
        programme_close(programme=programme)
        assert Programme.objects.get(pk=programme.pk).updated_at > long_ago + timedelta(days=29)
        assert Application.objects.get(pk=application.pk).updated_at > long_ago + timedelta(days=29)
