"""The demand API: filing, actions with 409/400, queues, figures, the schema; outsiders get 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import schema_context

from tenant_schema.demands.models import Demand

from ..conftest import ALPHA, BETA, HostClient, host_of, make_user
from ..enterprises.conftest import register
from .conftest import act, file_for

LIST = "/api/demands/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def detail(pk):
    return f"/api/demands/{pk}/"


@pytest.fixture
def owner_x(client_a, enterprise_x):
    client_a.force_login(enterprise_x.user)
    return client_a


@pytest.fixture
def staff_client(tenant_a, reviewer):
    client = HostClient(host_of(ALPHA))
    client.force_login(reviewer)
    return client


def test_an_enterprise_files_and_follows_a_demand_and_staff_answer_it(
    owner_x, staff_client, enterprise_x, reviewer
):
    upload = SimpleUploadedFile("现场照片.pdf", PDF, content_type="application/pdf")
    response = owner_x.post(
        LIST,
        {
            "category": "utilities",
            "title": "厂区停电",
            "description": "每天下午停电两小时",
            "attachments": [upload],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    pk = body["id"]
    assert body["status"] == "submitted" and body["attachments"][0]["original_name"] == "现场照片.pdf"
    assert [m["key"] for m in body["milestones"]] == [
        "filed",
        "accepted",
        "first_reply",
        "resolution",
        "rating",
    ]
    assert body["allowed_actions"] == []
    assert owner_x.get(body["attachments"][0]["url"]).status_code == 200

    assert staff_client.get(LIST, {"view": "new"}).json()["count"] == 1
    accepted = staff_client.post(
        f"{detail(pk)}accept/", {"department": "供电所"}, content_type="application/json"
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["rag"] == "green" and accepted.json()["handler"]["id"] == reviewer.pk
    assert staff_client.get(LIST, {"view": "mine"}).json()["count"] == 1
    refused = staff_client.post(f"{detail(pk)}answer/", {"comment": ""}, content_type="application/json")
    assert refused.status_code == 400 and "comment" in refused.json()["fields"]
    too_long = staff_client.post(
        f"{detail(pk)}extend/", {"extension_days": 16, "comment": "等待排期"}, content_type="application/json"
    )
    assert too_long.status_code == 400 and "extension_days" in too_long.json()["fields"]
    answered = staff_client.post(
        f"{detail(pk)}answer/", {"comment": "线路已改造"}, content_type="application/json"
    )
    assert answered.json()["status"] == "answered"

    assert owner_x.get(detail(pk)).json()["allowed_actions"] == ["rate"]
    wrong = staff_client.post(f"{detail(pk)}rate/", {"rating": "satisfied"}, content_type="application/json")
    assert wrong.status_code == 409 and wrong.json()["code"] == "transition_refused"
    reopened = owner_x.post(
        f"{detail(pk)}rate/",
        {"rating": "unsatisfied", "comment": "还在停电"},
        content_type="application/json",
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == "reopened"
    assert [e["action"] for e in reopened.json()["events"]] == ["file", "accept", "answer", "rate"]

    assert owner_x.post(f"{detail(pk)}close_unrated/", {}, content_type="application/json").status_code == 404
    assert (
        owner_x.post(f"{detail(pk)}answer/", {"comment": "x"}, content_type="application/json").status_code
        == 409
    )


def test_staff_read_supervision_figures_and_time_limits(
    staff_client, client_a, park_admin, enterprise_x, reviewer
):
    demand = act(file_for(enterprise_x), "accept", reviewer)
    assert staff_client.get("/api/demands/supervision/").json()["count"] == 0
    figures = staff_client.get("/api/demands/figures/", {"by": "month"}).json()
    assert figures["total"]["received"] == 1 and figures["rows"][0][
        "key"
    ] == demand.created_at.astimezone().strftime("%Y-%m")
    limits = staff_client.get("/api/demands/categories/").json()
    assert len(limits) == 8 and limits[0]["first_reply_days"] == 3 and limits[0]["resolution_days"] == 15
    forbidden = staff_client.put(
        "/api/demands/categories/",
        {"category": "land", "first_reply_days": 2, "resolution_days": 10},
        content_type="application/json",
    )
    assert forbidden.status_code == 403  # reviewers read, administrators change
    client_a.force_login(park_admin)
    changed = client_a.put(
        "/api/demands/categories/",
        {"category": "land", "first_reply_days": 2, "resolution_days": 10, "department": "自然资源所"},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["resolution_days"] == 10
    again = client_a.put(
        "/api/demands/categories/",
        {"category": "land", "first_reply_days": 20, "resolution_days": 10},
        content_type="application/json",
    )
    assert again.status_code == 400 and "first_reply_days" in again.json()["fields"]


def test_enterprise_users_cannot_read_staff_lists(owner_x):
    for url in ("/api/demands/supervision/", "/api/demands/figures/", "/api/demands/categories/"):
        assert owner_x.get(url).status_code == 403


def test_the_schema_documents_the_demand_api(staff_client):
    schema = staff_client.get("/api/v1/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/demands/",
        "/api/v1/demands/{id}/",
        "/api/v1/demands/{id}/{action}/",
        "/api/v1/demands/figures/",
        "/api/v1/demands/supervision/",
        "/api/v1/demands/categories/",
    ):
        assert path in schema["paths"], path
    assert "409" in schema["paths"]["/api/v1/demands/{id}/{action}/"]["post"]["responses"]


# ---------------------------------------------------------------------------
# Outsiders: another enterprise, another park
# ---------------------------------------------------------------------------


def test_another_enterprise_gets_404_like_a_demand_that_does_not_exist(
    client_a, enterprise_x, enterprise_y, reviewer
):
    demand = act(file_for(enterprise_x, uploads=[SimpleUploadedFile("a.pdf", PDF)]), "accept", reviewer)
    attachment = demand.attachments.get()
    client_a.force_login(enterprise_y.user)
    not_found = client_a.get(detail(demand.pk + 1000))
    assert not_found.status_code == 404
    attempts = [
        client_a.get(detail(demand.pk)),
        client_a.get(f"{detail(demand.pk)}attachments/"),
        client_a.get(f"{detail(demand.pk)}attachments/{attachment.pk}/"),
        client_a.post(f"{detail(demand.pk)}attachments/", {"file": SimpleUploadedFile("b.pdf", PDF)}),
        client_a.post(f"{detail(demand.pk)}rate/", {"rating": "satisfied"}, content_type="application/json"),
    ]
    for response in attempts:
        assert response.status_code == 404
        assert response.json() == not_found.json()
    assert client_a.get(LIST).json()["count"] == 0
    with schema_context(ALPHA):
        assert demand.attachments.count() == 1


def test_another_park_gets_404(client_a, client_b, enterprise_x, reviewer, tenant_b):
    demand = file_for(enterprise_x)
    with schema_context(BETA):
        # Ids are per schema: move park B's ids past park A's so the same id finds nothing there.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('demands_demand', 'id'), %s)", [demand.pk + 5000]
            )
        b_admin = make_user(BETA, role="park_admin")
        b_enterprise = register(BETA)
        b_demand = file_for(b_enterprise)
        assert not Demand.objects.filter(pk=demand.pk).exists()
    client_b.force_login(b_admin)
    assert client_b.get(detail(demand.pk)).status_code == 404
    assert (
        client_b.post(f"{detail(demand.pk)}accept/", {}, content_type="application/json").status_code == 404
    )
    client_a.force_login(reviewer)
    assert client_a.get(detail(b_demand.pk)).status_code == 404
    # A session of park B is worth nothing on park A.
    client_b.force_login(b_enterprise.user)
    stolen = HostClient(host_of(ALPHA))
    stolen.cookies["sessionid"] = client_b.cookies["sessionid"].value
    assert stolen.get(detail(demand.pk)).status_code in (401, 403)
    with schema_context(ALPHA):
        assert Demand.objects.get(pk=demand.pk).status == "submitted"
