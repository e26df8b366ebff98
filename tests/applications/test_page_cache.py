"""The enterprise's application pages are kept in the cache, and never show anything stale.

Each test first loads a page so that it is kept, changes something it shows by the way the
product changes it (a service, an admin rename), and loads it again.
"""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from saas.workdays import SHANGHAI
from tenant_schema.applications.attachments import attachment_add
from tenant_schema.applications.models import Application, ApplicationPagesVersion
from tenant_schema.applications.page_cache import CSRF_STAND_IN, clocks_change_at
from tenant_schema.enterprises.services import enterprise_update, member_invite
from tenant_schema.funding.services import programme_update

from ..conftest import ALPHA, BETA, PASSWORD, HostClient, host_of
from ..enterprises.conftest import register
from ..factories import ApplicationFactory
from .conftest import PDF, act, draft_for

S = Application.Status
pytestmark = pytest.mark.usefixtures("private_media")


def queries_of(client, path) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    # The form tokens are masked afresh on every response; the rest must be the same.
    return len(queries), re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_a_kept_page_costs_no_query_beyond_the_signed_in_user(owner_client, programme, enterprise_x):
    application = draft_for(enterprise_x, programme)
    for path in ("/applications/", f"/applications/{application.pk}/"):
        built, first = queries_of(owner_client, path)
        kept, again = queries_of(owner_client, path)
        assert again == first and programme.title in again
        # The host's tenant and the user (with its enterprise, roles, unread count and pages
        # version), plus a SET search_path or two (the session comes from the cache);
        # building the page reads its own rows as well.
        assert kept <= 4 < built, (path, kept, built)


def test_the_list_and_timeline_show_a_transition_at_once(owner_client, programme, enterprise_x, reviewer):
    application = ApplicationFactory(registration=enterprise_x, programme=programme, submitted=True)
    assert "app-row-in_review" in owner_client.get("/applications/").content.decode()
    assert "app-banner-in_review" in owner_client.get(f"/applications/{application.pk}/").content.decode()

    act(application, "return", reviewer, comment="请补充2025年度审计报告")
    assert "app-row-returned" in owner_client.get("/applications/").content.decode()
    timeline = owner_client.get(f"/applications/{application.pk}/").content.decode()
    assert "app-banner-returned" in timeline and "请补充2025年度审计报告" in timeline


def test_a_new_attachment_and_an_edit_show_at_once(owner_client, programme, enterprise_x):
    application = draft_for(enterprise_x, programme)
    path = f"/applications/{application.pk}/"
    assert "营业执照.pdf" not in owner_client.get(path).content.decode()
    with schema_context(ALPHA):
        upload = SimpleUploadedFile("营业执照.pdf", PDF, content_type="application/pdf")
        attachment_add(application=application, actor=enterprise_x.user, upload=upload)
    assert "营业执照.pdf" in owner_client.get(path).content.decode()
    response = owner_client.post(f"{path}edit/", {"requested_amount": "123456", "summary": "新的说明"})
    assert response.status_code == 302
    page = owner_client.get(path).content.decode()
    assert "123,456.00" in page and "新的说明" in page


def test_a_programme_retitled_and_an_enterprise_renamed_show_at_once(
    owner_client, programme, enterprise_x, park_admin
):
    application = draft_for(enterprise_x, programme)
    owner_client.get("/applications/")
    owner_client.get(f"/applications/{application.pk}/")
    with schema_context(ALPHA):
        programme_update(programme=programme, title="2026年度专精特新企业奖励（第二批）")
        enterprise_update(
            enterprise=enterprise_x.enterprise, actor=park_admin, name="青岛星海智能机械有限公司"
        )
    listing = owner_client.get("/applications/").content.decode()
    assert "（第二批）" in listing and "青岛星海智能机械有限公司" in listing
    assert "（第二批）" in owner_client.get(f"/applications/{application.pk}/").content.decode()


def test_a_change_the_pages_do_not_show_keeps_the_version(programme, enterprise_x, park_admin):
    draft_for(enterprise_x, programme)
    with schema_context(ALPHA):
        before = ApplicationPagesVersion.objects.get(enterprise=enterprise_x.enterprise).version
        programme_update(programme=programme, budget=programme.budget + 1)
        enterprise_update(enterprise=enterprise_x.enterprise, actor=park_admin, address="胶州市新地址1号")
        assert ApplicationPagesVersion.objects.get(enterprise=enterprise_x.enterprise).version == before


def test_two_colleagues_each_get_a_working_form_token(client_a, programme, enterprise_x):
    """A kept page carries no one's CSRF token: each visitor's own is put in as it is served."""
    application = draft_for(enterprise_x, programme)
    with schema_context(ALPHA):
        colleague = member_invite(
            enterprise=enterprise_x.enterprise, actor=enterprise_x.user, email="colleague@example.cn"
        ).user
        colleague.set_password(PASSWORD)
        colleague.save()
    path = f"/applications/{application.pk}/"
    owner = Client(HTTP_HOST=host_of(ALPHA), enforce_csrf_checks=True)
    owner.force_login(enterprise_x.user)
    first = owner.get(path).content.decode()
    assert CSRF_STAND_IN not in first and "csrfmiddlewaretoken" in first

    other = Client(HTTP_HOST=host_of(ALPHA), enforce_csrf_checks=True)
    other.force_login(colleague)
    page = other.get(path)
    html = page.content.decode()
    assert CSRF_STAND_IN not in html
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    submitted = other.post(f"{path}submit/", {"csrfmiddlewaretoken": token})
    assert submitted.status_code == 302
    with schema_context(ALPHA):
        assert Application.objects.get(pk=application.pk).status == S.IN_REVIEW


def test_another_enterprise_never_gets_a_kept_page(client_a, programme, enterprise_x):
    application = draft_for(enterprise_x, programme)
    client_a.force_login(enterprise_x.user)
    assert client_a.get(f"/applications/{application.pk}/").status_code == 200  # now kept
    other = register(ALPHA, name="青岛远洋食品有限公司")
    outsider = HostClient(host_of(ALPHA))
    outsider.force_login(other.user)
    assert outsider.get(f"/applications/{application.pk}/").status_code == 404
    assert "青岛星海机械有限公司" not in outsider.get("/applications/").content.decode()


def test_the_same_enterprise_id_in_another_tenant_gets_its_own_page(
    db, client_a, client_b, tenant_a, tenant_b
):
    """Enterprise and application ids restart in every schema: the tenant is part of the key."""
    next_ids = []
    for schema in (ALPHA, BETA):
        with schema_context(schema), connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM enterprises_enterprise")
            next_ids.append(cursor.fetchone()[0])
    for schema in (ALPHA, BETA):  # both parks' next enterprise takes the same id
        with schema_context(schema), connection.cursor() as cursor:
            sequence = "pg_get_serial_sequence('enterprises_enterprise', 'id')"
            cursor.execute(f"SELECT setval({sequence}, %s, false)", [max(next_ids)])
    alpha = register(ALPHA, name="青岛阿尔法机械有限公司")
    beta = register(BETA, name="胶州贝塔科技有限公司")
    assert alpha.enterprise.pk == beta.enterprise.pk
    client_a.force_login(alpha.user)
    client_b.force_login(beta.user)
    assert alpha.enterprise.name in client_a.get("/applications/").content.decode()
    beta_page = client_b.get("/applications/").content.decode()
    assert beta.enterprise.name in beta_page and alpha.enterprise.name not in beta_page


def test_pages_are_served_when_the_cache_is_down(settings, owner_client, programme, enterprise_x, caplog):
    application = draft_for(enterprise_x, programme)
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0"},  # nothing listens
    }
    for path in ("/applications/", f"/applications/{application.pk}/"):
        response = owner_client.get(path)
        assert response.status_code == 200 and programme.title in response.content.decode()
    assert "cache unreachable" in caplog.text


def test_a_kept_page_expires_when_its_clocks_would_change():
    now = dt.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    midnight = dt.datetime(2026, 10, 1, 0, 0, tzinfo=SHANGHAI)
    due_today = dt.datetime(2026, 9, 30, 17, 30, tzinfo=SHANGHAI)
    assert clocks_change_at(now, []) == midnight
    assert clocks_change_at(now, [None, due_today, midnight + dt.timedelta(days=3)]) == due_today
    # An overdue date changes nothing more until midnight (then one more working day overdue).
    assert clocks_change_at(now, [now - dt.timedelta(hours=1)]) == midnight
    late_evening = dt.datetime(2026, 9, 30, 23, 0, tzinfo=dt.UTC)  # 07:00 on 1 October in Shanghai
    assert clocks_change_at(late_evening, []) == dt.datetime(2026, 10, 2, 0, 0, tzinfo=SHANGHAI)


# ---------------------------------------------------------------------------
# The whole page is kept per visitor: what the layout shows must change it too
# ---------------------------------------------------------------------------


def test_the_layout_of_a_kept_page_follows_the_visitor(owner_client, programme, enterprise_x, tenant_a):
    from django.contrib.auth import get_user_model

    from public_schema.tenants.models import Tenant
    from tenant_schema.notifications.services import notification_send

    application = draft_for(enterprise_x, programme)
    path = f"/applications/{application.pk}/"
    first = owner_client.get(path).content.decode()
    assert 'class="badge badge-unread"' not in first

    with schema_context(ALPHA):
        notification_send(user_ids=[enterprise_x.user.pk], title="新的通知", dedupe_key="layout:1")
    assert 'class="badge badge-unread"' in owner_client.get(path).content.decode()  # the unread badge

    with schema_context(ALPHA):
        get_user_model().objects.filter(pk=enterprise_x.user.pk).update(full_name="李四")
    assert '<span class="nav-user">李四</span>' in owner_client.get(path).content.decode()

    Tenant.objects.filter(pk=tenant_a.pk).update(name="阿尔法园区（新名）")
    assert "阿尔法园区（新名）" in owner_client.get(path).content.decode()

    owner_client.post("/accounts/language/", {"language": "en", "next": path})
    english = owner_client.get(path).content.decode()
    assert '<html lang="en">' in english and "My applications" in english
    assert f'name="next" value="{path}?x=1"' in owner_client.get(f"{path}?x=1").content.decode()


def test_a_message_shows_once_on_a_kept_page(owner_client, programme, enterprise_x):
    application = draft_for(enterprise_x, programme)
    path = f"/applications/{application.pk}/"
    owner_client.get(path)  # kept
    response = owner_client.post(f"{path}edit/", {"requested_amount": "100000", "summary": "补充说明"})
    assert response.status_code == 302
    with_message = owner_client.get(path).content.decode()
    assert 'class="messages"' in with_message
    assert 'class="messages"' not in owner_client.get(path).content.decode()


def test_a_deploy_never_serves_a_page_kept_by_the_code_it_replaced(
    owner_client, programme, enterprise_x, monkeypatch
):
    from tenant_schema.applications import page_cache

    application = draft_for(enterprise_x, programme)
    path = f"/applications/{application.pk}/"

    def reads_the_application() -> bool:
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(path).status_code == 200
        return any('FROM "applications_application"' in query["sql"] for query in queries)

    monkeypatch.setattr(page_cache, "release_digest", lambda: "release-1")
    assert reads_the_application()  # built by release 1 and kept
    assert not reads_the_application()  # served as kept
    monkeypatch.setattr(page_cache, "release_digest", lambda: "release-2")
    assert reads_the_application()  # release 2 builds it again
