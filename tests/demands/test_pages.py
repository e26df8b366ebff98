"""Demand pages: the enterprise files, follows and rates; staff work the queue; outsiders get 404."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from tenant_schema.demands.models import Demand

from ..conftest import ALPHA, BETA, make_user
from ..enterprises.conftest import register
from .conftest import act, file_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_enterprise_files_a_demand_with_a_file_and_sees_its_timeline(client_a, enterprise_x):
    client_a.force_login(enterprise_x.user)
    assert client_a.get("/demands/").status_code == 200
    fake = SimpleUploadedFile("报表.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = client_a.post(
        "/demands/new/",
        {"category": "labour", "title": "招工难", "description": "缺少熟练焊工", "attachments": [fake]},
    )
    assert refused.status_code == 400 and "PDF" in refused.content.decode()
    with schema_context(ALPHA):
        assert not Demand.objects.filter(title="招工难").exists()
    real = SimpleUploadedFile("岗位需求.pdf", PDF, content_type="application/pdf")
    response = client_a.post(
        "/demands/new/",
        {"category": "labour", "title": "招工难", "description": "缺少熟练焊工", "attachments": [real]},
    )
    with schema_context(ALPHA):
        demand = Demand.objects.get(title="招工难")
    assert response.status_code == 302 and response["Location"] == f"/demands/{demand.pk}/"
    page = client_a.get(f"/demands/{demand.pk}/").content.decode()
    assert "招工难" in page and "岗位需求.pdf" in page and 'data-step="first_reply"' in page
    assert client_a.get(f"/demands/{demand.pk}/files/{demand.attachments.get().pk}/").status_code == 200
    assert "招工难" in client_a.get("/demands/").content.decode()


def test_staff_accept_answer_and_the_enterprise_rates_unsatisfied_and_sees_it_reopened(
    client_a, enterprise_x, reviewer
):
    demand = file_for(enterprise_x)
    client_a.force_login(reviewer)
    queue = client_a.get("/park/demands/?view=new").content.decode()
    assert demand.title in queue
    assert client_a.get(f"/demands/{demand.pk}/")["Location"] == f"/park/demands/{demand.pk}/"
    response = client_a.post(
        f"/demands/{demand.pk}/act/accept/", {"handler": reviewer.pk, "department": "市政科"}
    )
    assert response.status_code == 302 and response["Location"] == f"/park/demands/{demand.pk}/"
    assert demand.title in client_a.get("/park/demands/?view=mine").content.decode()
    empty = client_a.post(f"/demands/{demand.pk}/act/answer/", {"comment": ""})
    assert empty.status_code == 400
    too_long = client_a.post(f"/demands/{demand.pk}/act/extend/", {"extension_days": 20, "comment": "等待"})
    assert too_long.status_code == 400 and "30" in too_long.content.decode()
    client_a.post(f"/demands/{demand.pk}/act/answer/", {"comment": "已疏通排水管道"})
    refused = client_a.post(f"/demands/{demand.pk}/act/rate/", {"rating": "satisfied"})
    assert refused.status_code == 409  # only the enterprise rates

    client_a.force_login(enterprise_x.user)
    page = client_a.get(f"/demands/{demand.pk}/").content.decode()
    assert "已疏通排水管道" in page and 'class="form-fields rate-form"' in page
    assert (
        client_a.post(f"/demands/{demand.pk}/act/rate/", {"rating": "unsatisfied", "comment": ""}).status_code
        == 400
    )
    client_a.post(f"/demands/{demand.pk}/act/rate/", {"rating": "unsatisfied", "comment": "还在积水"})
    page = client_a.get(f"/demands/{demand.pk}/").content.decode()
    assert "demand-status-reopened" in page and "还在积水" in page


def test_supervision_figures_and_limits_pages(client_a, clock, enterprise_x, reviewer, park_admin):
    from .conftest import at

    clock.set(at(2026, 3, 2, 9))
    demand = act(file_for(enterprise_x), "accept", reviewer)
    clock.set(at(2026, 3, 9, 9))
    client_a.force_login(park_admin)
    assert demand.title in client_a.get("/park/demands/supervision/").content.decode()
    assert demand.title in client_a.get("/park/demands/?view=overdue").content.decode()
    figures = client_a.get("/park/demands/figures/").content.decode()
    assert 'data-figure="received">1<' in figures
    assert client_a.get("/park/demands/figures/?by=month").status_code == 200
    response = client_a.post(
        "/park/demands/limits/", {"category": "market", "first_reply_days": 2, "resolution_days": 8}
    )
    assert response.status_code == 302
    bad = client_a.post(
        "/park/demands/limits/", {"category": "market", "first_reply_days": 9, "resolution_days": 8}
    )
    assert bad.status_code == 400


def test_enterprise_users_get_404_on_staff_pages(client_a, enterprise_x):
    client_a.force_login(enterprise_x.user)
    for url in (
        "/park/demands/",
        "/park/demands/supervision/",
        "/park/demands/figures/",
        "/park/demands/limits/",
    ):
        assert client_a.get(url).status_code == 404


def test_another_enterprise_and_another_park_get_404(
    client_a, client_b, enterprise_x, enterprise_y, tenant_b
):
    demand = file_for(enterprise_x, uploads=[SimpleUploadedFile("a.pdf", PDF)])
    attachment = demand.attachments.get()
    client_a.force_login(enterprise_y.user)
    for response in (
        client_a.get(f"/demands/{demand.pk}/"),
        client_a.get(f"/demands/{demand.pk}/files/{attachment.pk}/"),
        client_a.post(f"/demands/{demand.pk}/act/rate/", {"rating": "satisfied"}),
        client_a.get(f"/park/demands/{demand.pk}/"),
    ):
        assert response.status_code == 404
    assert demand.title not in client_a.get("/demands/").content.decode()
    with schema_context(BETA):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('demands_demand', 'id'), %s)", [demand.pk + 5000]
            )
        b_admin = make_user(BETA, role="park_admin")
        b_owner = register(BETA)
    for user in (b_admin, b_owner.user):
        client_b.force_login(user)
        assert client_b.get(f"/demands/{demand.pk}/").status_code == 404
        assert client_b.get(f"/demands/{demand.pk}/files/{attachment.pk}/").status_code == 404
    client_b.force_login(b_admin)
    assert client_b.get(f"/park/demands/{demand.pk}/").status_code == 404
