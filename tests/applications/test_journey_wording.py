"""What the enterprise and the reviewer read (issue 20): a draft is deleted, not withdrawn; a return is
a return (退回), not a rejection; the form submits in one step; a pending enterprise is told the truth."""

from django_tenants.utils import schema_context

from tenant_schema.applications.models import Application

from ..conftest import ALPHA
from ..enterprises.conftest import register
from .conftest import act, draft_for

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_a_draft_offers_delete_and_deleting_it_takes_it_off_the_list(owner_client, enterprise_x, programme):
    draft = draft_for(enterprise_x, programme)
    page = owner_client.get(f"/applications/{draft.pk}/", **ZH).content.decode()
    assert "删除草稿" in page and ">撤回<" not in page
    confirm = owner_client.get(f"/applications/{draft.pk}/withdraw/", **ZH).content.decode()
    assert "删除这份草稿" in confirm
    response = owner_client.post(
        f"/applications/{draft.pk}/withdraw/", {"expected_status": "draft", "expected_stage": ""}
    )
    assert response.status_code == 302 and response["Location"] == "/applications/"
    assert programme.title not in owner_client.get("/applications/", **ZH).content.decode()


def test_the_form_submits_in_one_step_when_no_document_is_required(owner_client, enterprise_x, programme):
    page = owner_client.get(f"/applications/new/{programme.pk}/", **ZH).content.decode()
    assert 'name="and_submit"' in page and "保存草稿" in page
    response = owner_client.post(
        f"/applications/new/{programme.pk}/", {"requested_amount": "50000.00", "and_submit": "1"}
    )
    assert response.status_code == 302
    with schema_context(ALPHA):
        application = Application.objects.get(enterprise=enterprise_x.enterprise, programme=programme)
    assert application.status == Application.Status.IN_REVIEW


def test_a_return_reads_as_a_return_for_the_enterprise_and_the_reviewer(
    owner_client, client_a, enterprise_x, programme, reviewer
):
    draft = draft_for(enterprise_x, programme)
    act(draft, "submit", enterprise_x.user)
    act(draft, "return", reviewer, comment="请补充营业执照。")
    page = owner_client.get(f"/applications/{draft.pk}/", **ZH).content.decode()
    assert "退回原因" in page and "驳回原因" not in page and "退回本企业修改" in page
    client_a.force_login(reviewer)
    staff = client_a.get(f"/park/applications/{draft.pk}/", **ZH).content.decode()
    assert "退回原因" in staff and "waits-on-enterprise" in staff and "退回企业" in staff
    assert f'<h2 class="enterprise-card-name">{enterprise_x.enterprise.name}</h2>' in staff


def test_a_pending_enterprise_is_told_what_it_can_do_and_gets_no_apply_button(client_a, programme):
    pending = register(ALPHA, name="青岛待认证科技有限公司")
    client_a.force_login(pending.user)
    home = client_a.get("/", **ZH).content.decode()
    assert "您可以正常使用本站" not in home and "通过认证后即可申报" in home and "三个工作日" in home
    report = client_a.get("/matching/", **ZH).content.decode()
    assert f'href="/applications/new/{programme.pk}/"' not in report


def test_an_enterprise_is_not_notified_of_its_own_submission_but_of_the_parks_return(
    enterprise_x, programme, reviewer
):
    from tenant_schema.notifications.models import Notification

    draft = draft_for(enterprise_x, programme)
    act(draft, "submit", enterprise_x.user)
    assert not Notification.objects.filter(user=enterprise_x.user).exists()
    act(draft, "return", reviewer, comment="请补充营业执照。")
    assert Notification.objects.filter(user=enterprise_x.user).count() == 1
