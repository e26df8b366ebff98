"""Credit codes, self-registration and verification rules (the services every page and API use)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.enterprises.credit_code import credit_code_make, credit_code_validate
from tenant_schema.enterprises.models import Enterprise, Membership
from tenant_schema.enterprises.services import (
    enterprise_register,
    enterprise_reject,
    enterprise_resubmit,
    enterprise_verify,
    figures_upsert,
    member_invite,
)

from ..conftest import ALPHA, BETA, PASSWORD, make_user
from .conftest import new_credit_code, register

VALID = credit_code_make("91370281MA3C12345")


def test_a_valid_credit_code_is_accepted_and_normalised():
    spaced_lower = " ".join([VALID[:6].lower(), VALID[6:12].lower(), VALID[12:]])
    assert credit_code_validate(spaced_lower) == VALID
    assert credit_code_validate(VALID) == VALID


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        (VALID[:-1] + ("0" if VALID[-1] != "0" else "1"), "check character"),
        (VALID[:-2], "18 characters"),
        (VALID + "1", "18 characters"),
        (VALID[:5] + "I" + VALID[6:], "capital letters"),
        ("", "18-character"),
    ],
)
def test_a_bad_credit_code_is_refused_with_a_message_on_the_field(code, problem, settings):
    with pytest.raises(ValidationError) as refused:
        from django.utils import translation

        with translation.override("en"):
            credit_code_validate(code)
    assert list(refused.value.message_dict) == ["credit_code"]
    assert problem in refused.value.message_dict["credit_code"][0]


def test_registration_creates_a_pending_enterprise_with_its_owner(db, tenant_a):
    registration = register(ALPHA, name="青岛星海机械有限公司")
    with schema_context(ALPHA):
        enterprise = Enterprise.objects.get(pk=registration.enterprise.pk)
        assert enterprise.status == Enterprise.Status.PENDING
        membership = Membership.objects.get(user=registration.user)
        assert membership.enterprise == enterprise and membership.role == Membership.Role.OWNER
        assert registration.user.has_role(roles.ENTERPRISE_USER)
        assert registration.user.check_password(PASSWORD)


def test_a_registered_code_points_to_its_owner_and_never_makes_a_second_enterprise(db, tenant_a):
    first = register(ALPHA)
    with schema_context(ALPHA):
        with pytest.raises(ValidationError) as refused:
            enterprise_register(
                credit_code=first.enterprise.credit_code.lower(),
                name="冒名公司",
                contact_name="李四",
                email="other@example.cn",
                password=PASSWORD,
            )
        message = refused.value.message_dict["credit_code"][0]
        owner_email = first.user.email
        assert f"{owner_email[0]}***@{owner_email.split('@')[1]}" in message
        assert Enterprise.objects.filter(credit_code=first.enterprise.credit_code).count() == 1


def test_the_same_code_can_register_in_another_park(db, tenant_a, tenant_b):
    first = register(ALPHA)
    with schema_context(BETA):
        again = enterprise_register(
            credit_code=first.enterprise.credit_code,
            name="同一家公司",
            contact_name="王五",
            email=first.user.email,
            password=PASSWORD,
        )
        assert again.enterprise.status == Enterprise.Status.PENDING


def test_park_admin_verifies_and_an_enterprise_user_cannot_verify_its_own(db, tenant_a, registration_x):
    with schema_context(ALPHA):
        with pytest.raises(PermissionDenied):
            enterprise_verify(enterprise=registration_x.enterprise, actor=registration_x.user)
        assert Enterprise.objects.get(pk=registration_x.enterprise.pk).status == Enterprise.Status.PENDING
        admin = make_user(ALPHA, role=roles.PARK_ADMIN)
        verified = enterprise_verify(enterprise=registration_x.enterprise, actor=admin)
        assert verified.status == Enterprise.Status.VERIFIED and verified.verified_by == admin


def test_rejection_needs_a_reason_and_the_enterprise_can_resubmit(db, tenant_a, registration_x):
    admin = make_user(ALPHA, role=roles.PARK_ADMIN)
    with schema_context(ALPHA):
        with pytest.raises(ValidationError) as refused:
            enterprise_reject(enterprise=registration_x.enterprise, actor=admin, reason="  ")
        assert "reason" in refused.value.message_dict
        rejected = enterprise_reject(
            enterprise=registration_x.enterprise, actor=admin, reason="营业执照名称不一致"
        )
        assert (
            rejected.status == Enterprise.Status.REJECTED
            and rejected.rejection_reason == "营业执照名称不一致"
        )
        again = enterprise_resubmit(enterprise=rejected, actor=registration_x.user)
        assert again.status == Enterprise.Status.PENDING


def test_figures_are_decimal_and_one_row_per_year(db, tenant_a, registration_x):
    from decimal import Decimal

    with schema_context(ALPHA):
        figures_upsert(
            enterprise=registration_x.enterprise,
            year=2025,
            revenue=Decimal("1000000.00"),
            rd_spend=Decimal("35000.50"),
        )
        row = figures_upsert(
            enterprise=registration_x.enterprise,
            year=2025,
            revenue=Decimal("2000000.00"),
            rd_spend=Decimal("70001.00"),
        )
        assert registration_x.enterprise.yearly_figures.count() == 1
        assert row.rd_share_of_revenue == Decimal("3.50")
        with pytest.raises(ValidationError):
            figures_upsert(enterprise=registration_x.enterprise, year=2025, revenue=Decimal("-1"))


def test_only_the_owner_invites_and_a_colleague_gets_a_one_time_link(
    db, tenant_a, registration_x, django_capture_on_commit_callbacks
):
    with schema_context(ALPHA):
        membership = member_invite(
            enterprise=registration_x.enterprise, actor=registration_x.user, email="Colleague@Example.cn"
        )
        assert membership.role == Membership.Role.MEMBER and membership.user.email == "colleague@example.cn"
        assert not membership.user.has_usable_password()
        with pytest.raises(PermissionDenied):
            member_invite(
                enterprise=registration_x.enterprise, actor=membership.user, email="third@example.cn"
            )


def test_an_enterprise_keeps_official_designations_and_its_code_but_edits_the_rest(
    db, tenant_a, registration_x
):
    from tenant_schema.enterprises.models import Tag
    from tenant_schema.enterprises.services import enterprise_update, tag_get_or_create

    with schema_context(ALPHA):
        owner, enterprise = registration_x.user, registration_x.enterprise
        official = Tag.objects.get(name="专精特新")
        with pytest.raises(ValidationError) as refused:
            enterprise_update(enterprise=enterprise, actor=owner, tags=[official])
        assert "tags" in refused.value.message_dict
        own_tag = tag_get_or_create(name="跨境电商")
        updated = enterprise_update(
            enterprise=enterprise,
            actor=owner,
            tags=[own_tag],
            employees=120,
            credit_code=enterprise.credit_code.lower(),
        )
        assert updated.employees == 120 and list(updated.tags.all()) == [own_tag]
        with pytest.raises(ValidationError) as refused:
            enterprise_update(enterprise=enterprise, actor=owner, credit_code=new_credit_code())
        assert "credit_code" in refused.value.message_dict


def test_registration_needs_an_email(db, tenant_a):
    with schema_context(ALPHA), pytest.raises(ValidationError) as refused:
        enterprise_register(
            credit_code=new_credit_code(), name="无邮箱公司", contact_name="赵六", email="", password=PASSWORD
        )
    assert "email" in refused.value.message_dict


def test_new_credit_codes_in_fixtures_are_valid():
    assert credit_code_validate(new_credit_code())
