"""Verifying or rejecting an enterprise leaves a history row PostgreSQL keeps (issue 21, item 3).

Who verified or rejected an enterprise, when and why: each step through the service,
then raw SQL tries to UPDATE and DELETE the row, and PostgreSQL refuses both.
"""

import pytest
from django.db import ProgrammingError, connection, transaction
from django_tenants.utils import schema_context

from saas.workflow import TransitionRefused
from tenant_schema.enterprises.models import Enterprise, VerificationEvent
from tenant_schema.enterprises.services import (
    enterprise_create,
    enterprise_reject,
    enterprise_resubmit,
    enterprise_verify,
)

from ..conftest import ALPHA
from .conftest import new_credit_code


def assert_kept_by_postgresql(entry: VerificationEvent) -> None:
    for statement in (
        "UPDATE enterprises_verificationevent SET comment = 'forged', actor_id = NULL WHERE id = %s",
        "DELETE FROM enterprises_verificationevent WHERE id = %s",
        "DELETE FROM enterprises_verificationevent WHERE enterprise_id = %s",
    ):
        argument = entry.enterprise_id if "enterprise_id =" in statement else entry.pk
        with (
            pytest.raises(ProgrammingError, match="pgtrigger"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [argument])
    kept = VerificationEvent.objects.get(pk=entry.pk)
    assert (kept.comment, kept.actor_id, kept.to_status) == (entry.comment, entry.actor_id, entry.to_status)


def steps(enterprise) -> list[tuple[str, str, str, str]]:
    return list(
        VerificationEvent.objects.filter(enterprise=enterprise).values_list(
            "action", "from_status", "to_status", "comment"
        )
    )


def test_reject_resubmit_and_verify_each_write_a_row_postgresql_refuses_to_change(
    registration_x, park_admin_a
):
    enterprise, owner = registration_x.enterprise, registration_x.user
    with schema_context(ALPHA):
        enterprise_reject(enterprise=enterprise, actor=park_admin_a, reason="营业执照名称不一致")
        enterprise_resubmit(enterprise=enterprise, actor=owner)
        enterprise_verify(enterprise=enterprise, actor=park_admin_a)
        enterprise_verify(enterprise=enterprise, actor=park_admin_a)  # a double-click: nothing more to record

        assert steps(enterprise) == [
            ("reject", "pending", "rejected", "营业执照名称不一致"),
            ("resubmit", "rejected", "pending", ""),
            ("verify", "pending", "verified", ""),
        ]
        entries = list(VerificationEvent.objects.filter(enterprise=enterprise))
        assert [entry.actor for entry in entries] == [park_admin_a, owner, park_admin_a]
        for entry in entries:
            assert_kept_by_postgresql(entry)


def test_rejecting_a_verified_enterprise_is_recorded_with_its_reason(registration_x, park_admin_a):
    with schema_context(ALPHA):
        enterprise_verify(enterprise=registration_x.enterprise, actor=park_admin_a)
        enterprise_reject(
            enterprise=registration_x.enterprise, actor=park_admin_a, reason="经核查，地址与执照不符"
        )
        rejected = VerificationEvent.objects.filter(enterprise=registration_x.enterprise).last()
        assert (rejected.action, rejected.from_status, rejected.to_status) == (
            "reject",
            "verified",
            "rejected",
        )
        assert rejected.comment == "经核查，地址与执照不符"
        assert_kept_by_postgresql(rejected)


def test_an_enterprise_the_park_adds_starts_its_history_verified(park_admin_a):
    with schema_context(ALPHA):
        enterprise = enterprise_create(
            actor=park_admin_a, credit_code=new_credit_code(), name="青岛园区直录有限公司"
        )
        (added,) = VerificationEvent.objects.filter(enterprise=enterprise)
        assert (added.action, added.from_status, added.to_status, added.actor) == (
            "add",
            "",
            "verified",
            park_admin_a,
        )
        assert_kept_by_postgresql(added)


def test_resubmitting_a_pending_registration_is_refused_and_writes_nothing(registration_x):
    from django.core.exceptions import ValidationError

    with schema_context(ALPHA):
        with pytest.raises(ValidationError):
            enterprise_resubmit(enterprise=registration_x.enterprise, actor=registration_x.user)
        assert not VerificationEvent.objects.filter(enterprise=registration_x.enterprise).exists()


def test_the_workflow_itself_refuses_a_move_it_does_not_have(registration_x, park_admin_a):
    from tenant_schema.enterprises import workflow as wf
    from tenant_schema.enterprises.services import enterprise_verification_move

    with schema_context(ALPHA):
        with pytest.raises(TransitionRefused):  # pending → pending is no step of the workflow
            enterprise_verification_move(
                enterprise=registration_x.enterprise, action=wf.RESUBMIT, actor=park_admin_a
            )
        assert Enterprise.objects.get(pk=registration_x.enterprise.pk).status == Enterprise.Status.PENDING


# ---------------------------------------------------------------------------
# Shown on the enterprise's pages and in the API
# ---------------------------------------------------------------------------


def test_the_enterprise_page_shows_the_history_and_the_park_sees_who_decided(
    registration_x, park_admin_a, client_a
):
    with schema_context(ALPHA):
        enterprise_reject(
            enterprise=registration_x.enterprise, actor=park_admin_a, reason="请补充营业执照扫描件"
        )
    client_a.force_login(park_admin_a)
    staff_page = client_a.get(f"/park/enterprises/{registration_x.enterprise.pk}/").content.decode()
    assert "verification-history" in staff_page and "请补充营业执照扫描件" in staff_page
    assert park_admin_a.get_full_name() in staff_page.split("verification-history", 1)[1]
    client_a.force_login(registration_x.user)
    own_page = client_a.get("/enterprise/").content.decode()
    assert (
        "verification-history" in own_page
        and "请补充营业执照扫描件" in own_page.split("verification-history", 1)[1]
    )


def test_the_api_gives_the_verification_history_naming_who_acted_to_park_staff_only(
    registration_x, park_admin_a, client_a
):
    with schema_context(ALPHA):
        enterprise_reject(
            enterprise=registration_x.enterprise, actor=park_admin_a, reason="信用代码与执照不符"
        )
        enterprise_resubmit(enterprise=registration_x.enterprise, actor=registration_x.user)
        enterprise_verify(enterprise=registration_x.enterprise, actor=park_admin_a)
    client_a.force_login(park_admin_a)
    staff = client_a.get(f"/api/enterprises/{registration_x.enterprise.pk}/").json()["verification_history"]
    assert [(entry["action"], entry["to_status"]) for entry in staff] == [
        ("reject", "rejected"),
        ("resubmit", "pending"),
        ("verify", "verified"),
    ]
    assert staff[0]["comment"] == "信用代码与执照不符"
    assert staff[0]["actor"] == (park_admin_a.full_name or park_admin_a.email)
    client_a.force_login(registration_x.user)
    own = client_a.get("/api/me/enterprise/").json()["verification_history"]
    assert [entry["action"] for entry in own] == ["reject", "resubmit", "verify"]
    assert {entry["actor"] for entry in own} == {None}
