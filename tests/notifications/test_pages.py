"""The notification list, the unread badge in the nav, marking read, and nobody else's notifications."""

import pytest
from django_tenants.utils import schema_context

from tenant_schema.notifications.models import Notification
from tenant_schema.notifications.services import notification_send

from ..conftest import ALPHA, make_user


def notify(user, key, title="2026年度专精特新企业奖励：已受理", link="/applications/1/"):
    with schema_context(ALPHA):
        notification_send(user_ids=[user.pk], title=title, body="现在：初审", link=link, dedupe_key=key)
        return Notification.objects.get(user=user, dedupe_key=key)


@pytest.fixture
def owner(db, tenant_a):
    return make_user(ALPHA, role="enterprise_user")


@pytest.fixture
def outsider(db, tenant_a):
    return make_user(ALPHA, role="enterprise_user")


def test_the_list_shows_mine_newest_first_with_unread_highlighted(client_a, owner):
    older = notify(owner, "a", title="第一条通知")
    newer = notify(owner, "b", title="第二条通知")
    with schema_context(ALPHA):
        Notification.objects.filter(pk=older.pk).update(read_at=older.created_at)
    client_a.force_login(owner)
    page = client_a.get("/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("第二条通知") < html.index("第一条通知")
    assert f'class="unread" data-notification="{newer.pk}"' in html
    assert f'class="read" data-notification="{older.pk}"' in html


def test_the_unread_count_is_in_the_nav(client_a, owner):
    notify(owner, "a")
    notify(owner, "b")
    client_a.force_login(owner)
    html = client_a.get("/notifications/").content.decode()
    assert 'class="badge badge-unread"' in html and ">2</span>" in html


def test_no_badge_when_everything_is_read(client_a, owner):
    client_a.force_login(owner)
    html = client_a.get("/notifications/").content.decode()
    assert "nav-notifications" in html and "badge-unread" not in html


def test_mark_all_read_clears_the_badge(client_a, owner):
    notify(owner, "a")
    notify(owner, "b")
    client_a.force_login(owner)
    response = client_a.post("/notifications/read/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    with schema_context(ALPHA):
        assert not Notification.objects.filter(user=owner, read_at__isnull=True).exists()
    assert "badge-unread" not in client_a.get("/notifications/").content.decode()


def test_opening_one_marks_it_read_and_goes_to_its_page(client_a, owner):
    first = notify(owner, "a", link="/applications/7/")
    second = notify(owner, "b")
    client_a.force_login(owner)
    response = client_a.get(f"/notifications/{first.pk}/")
    assert response.status_code == 302 and response["Location"] == "/applications/7/"
    with schema_context(ALPHA):
        assert Notification.objects.get(pk=first.pk).read_at is not None
        assert Notification.objects.get(pk=second.pk).read_at is None


def test_a_link_off_the_site_is_not_followed(client_a, owner):
    mine = notify(owner, "a", link="//evil.example.com/")
    client_a.force_login(owner)
    response = client_a.get(f"/notifications/{mine.pk}/")
    assert response["Location"] == "/notifications/"


def test_another_users_notifications_are_never_shown_or_touched(client_a, owner, outsider):
    theirs = notify(outsider, "x", title="别人的通知")
    notify(owner, "a", title="我的通知")
    client_a.force_login(owner)
    html = client_a.get("/notifications/").content.decode()
    assert "我的通知" in html and "别人的通知" not in html
    assert client_a.get(f"/notifications/{theirs.pk}/").status_code == 404
    assert client_a.get("/notifications/999999/").status_code == 404
    client_a.post("/notifications/read/")
    with schema_context(ALPHA):
        assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_list_needs_a_sign_in(db, client_a):
    response = client_a.get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_hub_has_no_badge_and_no_error(hub_client, hub_operator):
    hub_client.force_login(hub_operator)
    response = hub_client.get("/")
    assert response.status_code == 200 and "badge-unread" not in response.content.decode()
