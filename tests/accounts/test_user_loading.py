"""The user loaded on every request: one compiled query, the same answer as the ORM's."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from every_schema.accounts.backends import UserBackend
from tenant_schema.notifications.services import notification_send

from ..conftest import ALPHA, BETA, make_user
from ..enterprises.conftest import register


def test_the_request_user_carries_its_enterprise_roles_and_unread_count(db, tenant_a):
    owner = register(ALPHA, name="青岛星海机械有限公司").user
    with schema_context(ALPHA):
        notification_send(user_ids=[owner.pk], title="一", dedupe_key="test:1")
        notification_send(user_ids=[owner.pk], title="二", dedupe_key="test:2")
        loaded = UserBackend().get_user(owner.pk)
        plain = get_user_model().objects.get(pk=owner.pk)
    assert loaded.email == plain.email and loaded.password == plain.password
    assert loaded.last_login == plain.last_login and loaded.date_joined == plain.date_joined
    assert loaded.membership.enterprise.name == "青岛星海机械有限公司"
    assert loaded.role_set() == {roles.ENTERPRISE_USER}
    assert loaded.unread_notification_count == 2
    assert loaded._state.db == "default" and not loaded._state.adding


def test_staff_without_an_enterprise_and_several_roles(db, tenant_a):
    reviewer = make_user(ALPHA, role=roles.REVIEWER)
    with schema_context(ALPHA):
        reviewer.groups.add(Group.objects.get(name=roles.PARK_ADMIN))
        loaded = UserBackend().get_user(reviewer.pk)
    assert loaded.role_set() == {roles.REVIEWER, roles.PARK_ADMIN}
    assert not hasattr(loaded, "membership") or loaded.membership is None
    assert loaded.unread_notification_count == 0


def test_the_same_id_loads_each_tenant_own_user(db, tenant_a, tenant_b):
    alpha = make_user(ALPHA, email="same@example.cn")
    beta = make_user(BETA, email="other@example.cn")
    with schema_context(ALPHA):
        assert UserBackend().get_user(alpha.pk).email == "same@example.cn"
    with schema_context(BETA):
        assert UserBackend().get_user(beta.pk).email == "other@example.cn"
        if beta.pk == alpha.pk:
            assert UserBackend().get_user(alpha.pk).email == "other@example.cn"


def test_a_hub_operator_loads_in_the_public_schema(db):
    operator = make_user("public", role=roles.HUB_OPERATOR)
    loaded = UserBackend().get_user(operator.pk)
    assert loaded.role_set() == {roles.HUB_OPERATOR}


def test_unknown_inactive_and_malformed_ids_load_no_one(db, tenant_a):
    clerk = make_user(ALPHA, role=roles.REVIEWER)
    with schema_context(ALPHA):
        assert UserBackend().get_user(clerk.pk + 1000) is None
        assert UserBackend().get_user("not a number") is None
        get_user_model().objects.filter(pk=clerk.pk).update(is_active=False)
        assert UserBackend().get_user(clerk.pk) is None
