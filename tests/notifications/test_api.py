"""The notification API: my notifications with the unread count, marking read, and nobody else's."""

import pytest
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.applications.services import application_transition
from tenant_schema.notifications.models import Notification
from tenant_schema.notifications.services import notification_send

from ..conftest import ALPHA, make_user

LIST = "/api/notifications/"
READ = "/api/notifications/read/"


def notify(user, key, title="2026年度专精特新企业奖励：已受理"):
    with schema_context(ALPHA):
        notification_send(
            user_ids=[user.pk], title=title, body="现在：初审", link="/applications/1/", dedupe_key=key
        )
        return Notification.objects.get(user=user, dedupe_key=key)


@pytest.fixture
def owner(db, tenant_a):
    return make_user(ALPHA, role="enterprise_user")


@pytest.fixture
def outsider(db, tenant_a):
    return make_user(ALPHA, role="enterprise_user")


@pytest.fixture
def owner_client(client_a, owner):
    client_a.force_login(owner)
    return client_a


def test_my_notifications_newest_first_with_the_unread_count(owner_client, owner):
    older = notify(owner, "a", title="第一条通知")
    newer = notify(owner, "b", title="第二条通知")
    body = owner_client.get(LIST).json()
    assert body["count"] == 2 and body["unread_count"] == 2
    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
    first = body["results"][0]
    assert first["title"] == "第二条通知" and first["read"] is False and first["link"] == "/applications/1/"
    assert first["created_at"].endswith("+08:00")


def test_mark_some_read_then_all(owner_client, owner):
    first, second, third = (notify(owner, key) for key in ("a", "b", "c"))
    response = owner_client.post(READ, {"ids": [first.pk, second.pk]}, content_type="application/json")
    assert response.status_code == 200 and response.json() == {"marked": 2, "unread_count": 1}
    unread = owner_client.get(LIST, {"unread": "true"}).json()
    assert [row["id"] for row in unread["results"]] == [third.pk] and unread["unread_count"] == 1
    assert owner_client.post(READ, {"all": True}, content_type="application/json").json() == {
        "marked": 1,
        "unread_count": 0,
    }
    assert all(row["read"] for row in owner_client.get(LIST).json()["results"])


def test_marking_read_needs_ids_or_all(owner_client):
    response = owner_client.post(READ, {}, content_type="application/json")
    assert response.status_code == 400 and "ids" in response.json()["fields"]


def test_outsider_never_sees_or_marks_another_users_notifications(owner_client, owner, outsider):
    theirs = notify(outsider, "x", title="别人的通知")
    notify(owner, "a", title="我的通知")
    body = owner_client.get(LIST).json()
    assert [row["title"] for row in body["results"]] == ["我的通知"] and body["unread_count"] == 1
    response = owner_client.post(READ, {"ids": [theirs.pk]}, content_type="application/json")
    assert response.json() == {"marked": 0, "unread_count": 1}
    owner_client.post(READ, {"all": True}, content_type="application/json")
    with schema_context(ALPHA):
        assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_an_application_moving_notifies_the_enterprise(db, client_a):
    from ..factories import ApplicationFactory, EnterpriseFactory

    with schema_context(ALPHA):
        x = EnterpriseFactory(verified=True)
        application = ApplicationFactory(registration=x, requested_amount="1000.00", submitted=True)
        # The park moves it (the enterprise's own submission notifies nobody of the enterprise).
        reviewer = make_user(ALPHA, role=roles.REVIEWER)
        application_transition(application_id=application.pk, action="advance", actor=reviewer)
    client_a.force_login(x.user)
    body = client_a.get(LIST).json()
    assert body["unread_count"] >= 1
    assert any(row["link"] == f"/applications/{application.pk}/" for row in body["results"])


def test_anonymous_gets_401(client_a, db):
    assert client_a.get(LIST).status_code == 401
    assert client_a.post(READ, {"all": True}, content_type="application/json").status_code == 401
