"""The hub's pool pages and API, and the institution's own view of its entry."""

from django_tenants.utils import schema_context

from public_schema.network import workflow as wf
from public_schema.network.models import InstitutionProfile

from ..conftest import INST_A, make_user
from .conftest import pool_step, profile_complete

S = InstitutionProfile.Status


def test_the_hub_lists_the_pool_by_status_with_counts(hub_client, hub_operator, inst_a, inst_b, inst_admin_a):
    profile_complete(inst_a, inst_admin_a)
    pool_step(inst_a, wf.SUBMIT, inst_admin_a)
    hub_client.force_login(hub_operator)
    page = hub_client.get("/pool/?status=submitted")
    assert page.status_code == 200
    names = [profile.tenant.name for profile in page.context["profiles"]]
    assert inst_a.name in names and inst_b.name not in names
    counts = {value: count for value, _label, count in page.context["statuses"]}
    assert counts["submitted"] >= 1 and counts["draft"] >= 1
    api = hub_client.get("/api/v1/hub/institutions/?status=submitted").json()
    assert api["counts"]["submitted"] == counts["submitted"]
    assert [row["institution"]["slug"] for row in api["results"]] == [
        p.tenant.schema_name for p in page.context["profiles"]
    ]


def test_the_hub_reviews_and_refuses_with_a_reason_from_the_detail_page(
    hub_client, hub_operator, inst_a, inst_admin_a, client_ia
):
    profile_complete(inst_a, inst_admin_a)
    pool_step(inst_a, wf.SUBMIT, inst_admin_a)
    hub_client.force_login(hub_operator)
    page = hub_client.get(f"/pool/{INST_A}/")
    assert [action.action for action in page.context["actions"]] == ["review"]
    hub_client.post(f"/pool/{INST_A}/act/review/", {"expected_status": "submitted"})
    page = hub_client.get(f"/pool/{INST_A}/")
    assert {action.action for action in page.context["actions"]} == {"admit", "refuse"}
    # A second tab that still shows "submitted": its click is stale, nothing moves.
    hub_client.post(f"/pool/{INST_A}/act/review/", {"expected_status": "submitted"})
    answer = hub_client.post(
        f"/pool/{INST_A}/act/refuse/", {"expected_status": "reviewing", "comment": "资质证明已过期"}
    )
    assert answer.status_code == 302
    profile = InstitutionProfile.objects.get(tenant=inst_a)
    assert profile.status == S.REFUSED and profile.history.count() == 3
    # The institution sees the refusal and its reason on its dashboard, and may submit again.
    client_ia.force_login(inst_admin_a)
    dashboard = client_ia.get("/")
    assert "资质证明已过期" in dashboard.content.decode()
    assert [action.action for action in dashboard.context["actions"]] == ["submit"]


def test_the_hub_api_answers_a_stale_action_with_409_and_a_missing_reason_with_400(
    hub_client, hub_operator, inst_a, inst_admin_a
):
    profile_complete(inst_a, inst_admin_a)
    pool_step(inst_a, wf.SUBMIT, inst_admin_a)
    hub_client.force_login(hub_operator)
    url = f"/api/v1/hub/institutions/{INST_A}"
    assert (
        hub_client.post(
            f"{url}/review/", {"expected_status": "submitted"}, content_type="application/json"
        ).status_code
        == 200
    )
    stale = hub_client.post(
        f"{url}/review/", {"expected_status": "submitted"}, content_type="application/json"
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_action"
    no_reason = hub_client.post(f"{url}/refuse/", {}, content_type="application/json")
    assert no_reason.status_code == 400 and "comment" in no_reason.json()["fields"]
    admitted = hub_client.post(
        f"{url}/admit/", {"expected_status": "reviewing"}, content_type="application/json"
    )
    assert admitted.json()["status"] == "admitted"
    assert {a["action"] for a in admitted.json()["actions"]} == {"suspend", "remove"}


def test_the_institution_submits_from_its_site_and_the_api(client_ia, inst_a, inst_admin_a):
    client_ia.force_login(inst_admin_a)
    incomplete = client_ia.post("/api/v1/institution/profile/submit/", {}, content_type="application/json")
    assert incomplete.status_code == 400 and "credit_code" in incomplete.json()["fields"]
    updated = client_ia.patch(
        "/api/v1/institution/profile/",
        {
            "credit_code": "91370281MA3C000002",
            "introduction": "知识产权代理",
            "qualifications": "专利代理机构执业许可",
            "categories": ["innovation", "legal"],
            "contact_name": "赵主任",
            "contact_phone": "0532-80000000",
            "serves": ["alpha"],
        },
        content_type="application/json",
    )
    assert updated.status_code == 200, updated.content
    assert [t["slug"] for t in updated.json()["serves"]] == ["alpha"]
    assert [a["action"] for a in updated.json()["actions"]] == ["submit"]
    answer = client_ia.post("/profile/submit/", {"expected_status": "draft"})
    assert answer.status_code == 302
    assert InstitutionProfile.objects.get(tenant=inst_a).status == S.SUBMITTED
    # Under review the profile is what the hub saw: only contacts change.
    frozen = client_ia.patch(
        "/api/v1/institution/profile/", {"introduction": "改了"}, content_type="application/json"
    )
    assert frozen.status_code == 400
    contact = client_ia.patch(
        "/api/v1/institution/profile/", {"contact_phone": "0532-81111111"}, content_type="application/json"
    )
    assert contact.status_code == 200 and contact.json()["contact_phone"] == "0532-81111111"


def test_staff_read_the_entry_but_only_the_administrator_edits_or_submits(client_ia, inst_a):
    staff = make_user(INST_A, role="institution_staff")
    client_ia.force_login(staff)
    assert client_ia.get("/api/v1/institution/profile/").status_code == 200
    assert (
        client_ia.patch(
            "/api/v1/institution/profile/", {"contact_name": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert client_ia.get("/profile/edit/").status_code == 403
    refused = client_ia.post("/api/v1/institution/profile/submit/", {}, content_type="application/json")
    assert refused.status_code == 409  # the workflow says who may, before what is missing
    with schema_context("public"):
        assert InstitutionProfile.objects.get(tenant=inst_a).status == S.DRAFT
