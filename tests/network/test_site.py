"""The institution's own site: provisioning, its URL configuration, its dashboard and its people."""

from django_tenants.utils import schema_context

from every_schema.accounts import roles
from every_schema.accounts.models import User
from public_schema.network.models import InstitutionProfile

from ..conftest import INST_A, make_user


def test_a_provisioned_institution_has_an_administrator_and_a_draft_pool_entry(inst_a):
    with schema_context(INST_A):
        admin = User.objects.get(email=f"admin@{INST_A}.test")
        assert admin.has_role(roles.INSTITUTION_ADMIN)
        assert not admin.has_role(roles.PARK_ADMIN)
    assert InstitutionProfile.objects.get(tenant=inst_a).status == InstitutionProfile.Status.DRAFT


def test_the_institution_site_serves_its_own_pages_only(client_ia, inst_admin_a):
    client_ia.force_login(inst_admin_a)
    page = client_ia.get("/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "入库" in body and "订单" in body  # the pool status, and the place kept for orders
    # The park's pages do not exist here at all.
    for path in ("/enterprises/register/", "/programmes/", "/park/applications/", "/services/"):
        assert client_ia.get(path).status_code == 404, path


def test_a_visitor_is_asked_to_sign_in(client_ia):
    answer = client_ia.get("/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
    assert client_ia.get("/accounts/login/").status_code == 200


def test_the_institution_api_has_its_own_schema(client_ia, inst_admin_a):
    client_ia.force_login(inst_admin_a)
    schema = client_ia.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/institution/products/" in paths
    assert not any("enterprises" in path for path in paths)


def test_the_administrator_invites_a_colleague_and_staff_cannot(client_ia, inst_admin_a):
    client_ia.force_login(inst_admin_a)
    answer = client_ia.post(
        "/staff/", {"email": "colleague@insta.test", "full_name": "李四", "role": roles.INSTITUTION_STAFF}
    )
    assert answer.status_code == 302
    with schema_context(INST_A):
        colleague = User.objects.get(email="colleague@insta.test")
        assert colleague.has_role(roles.INSTITUTION_STAFF)
    staff = make_user(INST_A, role=roles.INSTITUTION_STAFF)
    client_ia.force_login(staff)
    assert client_ia.get("/staff/").status_code == 403
    assert client_ia.get("/").status_code == 200
