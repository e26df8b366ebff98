"""An enterprise cannot declare itself above designated size (规上) or rewrite other verified fields (#14 item 7).

Once the park has verified an enterprise, the fields it checked are the park's: the
enterprise's PATCH is a 400 naming the field, the page shows them read-only and ignores
what is posted for them, and what staff change there is recorded.
"""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.enterprises.models import Enterprise, EnterpriseChange
from tenant_schema.enterprises.services import enterprise_update, enterprise_verify

from ..conftest import ALPHA, HostClient, host_of, make_user
from ..enterprises.conftest import register

MINE = "/api/me/enterprise/"


@pytest.fixture
def verified(db, tenant_a, park_admin_a):
    registration = register(ALPHA, name="青岛规上测试有限公司")
    with schema_context(ALPHA):
        enterprise_verify(enterprise=registration.enterprise, actor=park_admin_a)
    client = HostClient(host_of(ALPHA))
    client.force_login(registration.user)
    return SimpleNamespace(user=registration.user, enterprise=registration.enterprise, client=client)


def fresh(enterprise) -> Enterprise:
    with schema_context(ALPHA):
        return Enterprise.objects.get(pk=enterprise.pk)


def test_a_verified_enterprise_cannot_declare_itself_above_designated_size_through_the_api(verified):
    assert fresh(verified.enterprise).above_designated_size is False
    response = verified.client.patch(MINE, {"above_designated_size": True}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "above_designated_size" in response.json().get(
        "errors", response.json()
    ) or "above_designated_size" in str(response.json())
    assert fresh(verified.enterprise).above_designated_size is False


@pytest.mark.parametrize(
    "field, value", [("size_class", "large"), ("name", "青岛改名有限公司"), ("legal_representative", "冒名")]
)
def test_other_verified_fields_are_refused_too(verified, field, value):
    before = getattr(fresh(verified.enterprise), field)
    response = verified.client.patch(MINE, {field: value}, content_type="application/json")
    assert response.status_code == 400 and field in str(response.json())
    assert getattr(fresh(verified.enterprise), field) == before


def test_the_enterprise_still_edits_what_is_its_own(verified):
    response = verified.client.patch(
        MINE, {"employees": 321, "address": "胶州市新址1号"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert fresh(verified.enterprise).employees == 321


def test_the_profile_page_shows_them_read_only_and_ignores_a_forged_post(verified):
    page = verified.client.get("/enterprise/edit/").content.decode()
    assert (
        'name="above_designated_size"' in page
        and "disabled"
        in page.split('name="above_designated_size"')[0][-300:]
        + page.split('name="above_designated_size"')[1][:300]
    )
    current = fresh(verified.enterprise)
    form = {
        "name": current.name,
        "legal_representative": current.legal_representative or "",
        "industry": current.industry or "",
        "size_class": "large",
        "above_designated_size": "on",
        "employees": "7",
        "address": current.address or "",
        "contact_name": current.contact_name or "",
        "contact_phone": current.contact_phone or "",
        "contact_email": current.contact_email or "",
    }
    response = verified.client.post("/enterprise/edit/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    after = fresh(verified.enterprise)
    assert (after.above_designated_size, after.size_class, after.employees) == (False, current.size_class, 7)


def test_a_pending_enterprise_may_still_correct_its_registration(db, tenant_a):
    registration = register(ALPHA)
    with schema_context(ALPHA):
        updated = enterprise_update(
            enterprise=registration.enterprise, actor=registration.user, above_designated_size=True
        )
    assert updated.above_designated_size is True  # the park checks it when it verifies


def test_staff_changes_to_verified_fields_are_recorded(verified, park_admin_a):
    with schema_context(ALPHA):
        enterprise_update(
            enterprise=verified.enterprise, actor=park_admin_a, above_designated_size=True, employees=50
        )
        changes = list(
            EnterpriseChange.objects.filter(enterprise=verified.enterprise).values_list(
                "field", "old_value", "new_value", "actor"
            )
        )
    assert changes == [("above_designated_size", "False", "True", park_admin_a.pk)]


def test_a_reviewer_or_another_enterprise_cannot_update_the_profile_at_all(verified):
    other = register(ALPHA)
    reviewer = make_user(ALPHA, role=roles.REVIEWER)
    with schema_context(ALPHA):
        for actor in (reviewer, other.user):
            with pytest.raises(PermissionDenied):
                enterprise_update(enterprise=verified.enterprise, actor=actor, employees=1)
