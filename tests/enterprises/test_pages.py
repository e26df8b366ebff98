"""Enterprise pages: one-page registration, the enterprise's own profile, and the park's register.

Pages are in Chinese by default and translations arrive later, so these tests check what
the pages do (status, rows, fields with errors, names) rather than English wording.
"""

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.enterprises.models import Enterprise, Membership, Tag, YearlyFigures
from tenant_schema.enterprises.services import (
    enterprise_create,
    enterprise_reject,
    enterprise_update,
    figures_upsert,
)

from ..conftest import ALPHA, PASSWORD, make_user
from .conftest import new_credit_code

User = get_user_model()


def registration_data(**overrides) -> dict:
    data = {
        "credit_code": new_credit_code(),
        "name": "青岛海湾新材料有限公司",
        "contact_name": "王五",
        "contact_phone": "13912345678",
        "email": "wang@haiwan.example.cn",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def enterprise_in(schema: str, pk: int) -> Enterprise:
    with schema_context(schema):
        return Enterprise.objects.get(pk=pk)


@pytest.fixture
def reviewer_a(db, tenant_a):
    return make_user(ALPHA, role=roles.REVIEWER)


# ---------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------


def test_the_registration_page_is_one_short_form(db, client_a):
    page = client_a.get("/register/")
    assert page.status_code == 200
    assert list(page.context["form"].fields) == [
        "credit_code",
        "name",
        "contact_name",
        "contact_phone",
        "email",
        "password",
        "password_confirm",
    ]


def test_an_enterprise_registers_and_is_signed_in_at_once_as_its_owner(db, client_a):
    data = registration_data()
    response = client_a.post("/register/", data)
    assert response.status_code == 302 and response["Location"] == "/enterprise/"

    with schema_context(ALPHA):
        enterprise = Enterprise.objects.get(credit_code=data["credit_code"])
        assert enterprise.status == Enterprise.Status.PENDING
        assert enterprise.contact_phone == "13912345678"
        membership = Membership.objects.select_related("user").get(enterprise=enterprise)
        assert membership.role == Membership.Role.OWNER
        assert membership.user.email == data["email"]
        assert membership.user.has_role(roles.ENTERPRISE_USER)

    profile = client_a.get("/enterprise/")
    assert profile.status_code == 200
    assert profile.context["user"] == membership.user  # signed in as the new owner
    body = profile.content.decode()
    assert data["name"] in body and data["credit_code"] in body
    assert "badge-pending" in body and "banner-pending" in body


def test_a_credit_code_typed_with_spaces_and_lower_case_is_accepted(db, client_a):
    code = new_credit_code()
    spaced = f"{code[:6].lower()} {code[6:12].lower()} {code[12:]}"
    assert client_a.post("/register/", registration_data(credit_code=spaced)).status_code == 302
    with schema_context(ALPHA):
        assert Enterprise.objects.filter(credit_code=code).exists()


def test_a_registered_credit_code_is_explained_on_the_field_and_nothing_is_created(
    db, client_a, registration_x
):
    owner_email = registration_x.user.email
    response = client_a.post(
        "/register/",
        registration_data(credit_code=registration_x.enterprise.credit_code, email="someone@else.example.cn"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["credit_code"]
    masked = f"{owner_email[0]}***@{owner_email.split('@')[1]}"
    assert masked in errors["credit_code"][0]
    assert masked in response.content.decode() and registration_x.enterprise.name in response.content.decode()
    with schema_context(ALPHA):
        assert Enterprise.objects.filter(credit_code=registration_x.enterprise.credit_code).count() == 1
        assert not User.objects.filter(email="someone@else.example.cn").exists()
    assert not client_a.get("/").context["user"].is_authenticated


def test_a_mistyped_credit_code_is_refused_on_its_field(db, client_a):
    code = new_credit_code()
    wrong_check = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = client_a.post("/register/", registration_data(credit_code=wrong_check))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["credit_code"]
    assert 'class="errorlist"' in response.content.decode()
    with schema_context(ALPHA):
        assert not Enterprise.objects.filter(credit_code__startswith=code[:-1]).exists()
        assert not User.objects.filter(email="wang@haiwan.example.cn").exists()


def test_passwords_that_differ_or_are_weak_are_refused(db, client_a):
    differ = client_a.post("/register/", registration_data(password_confirm="another-horse-battery-9"))
    assert list(differ.context["form"].errors) == ["password_confirm"]
    weak = client_a.post("/register/", registration_data(password="12345678", password_confirm="12345678"))
    assert "password" in weak.context["form"].errors
    with schema_context(ALPHA):
        assert not Enterprise.objects.exists()


def test_an_email_already_used_on_the_site_is_refused(db, client_a, park_admin_a):
    response = client_a.post("/register/", registration_data(email=park_admin_a.email))
    assert list(response.context["form"].errors) == ["email"]
    with schema_context(ALPHA):
        assert not Enterprise.objects.exists()


def test_a_signed_in_user_is_not_offered_a_second_registration(db, client_a, registration_x):
    client_a.force_login(registration_x.user)
    response = client_a.get("/register/")
    assert response.status_code == 302 and response["Location"] == "/enterprise/"


# ---------------------------------------------------------------------------
# The enterprise's own pages
# ---------------------------------------------------------------------------


def test_the_enterprise_user_sees_its_own_profile_figures_and_tags(
    db, client_a, registration_x, registration_y
):
    with schema_context(ALPHA):
        figures_upsert(
            enterprise=registration_x.enterprise,
            year=2024,
            output_value=12345678,
            revenue=1000000,
            rd_spend=50000,
        )
        tag = Tag.objects.get_or_create(name="专精特新")[0]
        registration_x.enterprise.tags.add(tag)
    client_a.force_login(registration_x.user)
    body = client_a.get("/enterprise/").content.decode()
    assert registration_x.enterprise.name in body
    assert registration_y.enterprise.name not in body
    # Digit grouping follows the language (none in Chinese, commas in English).
    assert "2024" in body and "12345678.00" in body.replace(",", "") and "5.00%" in body
    assert "专精特新" in body


def test_an_enterprise_user_gets_404_on_the_park_pages(db, client_a, registration_x, registration_y):
    client_a.force_login(registration_x.user)
    assert client_a.get(f"/park/enterprises/{registration_y.enterprise.pk}/").status_code == 404
    # The park's pages are not for enterprises, even for their own record.
    assert client_a.get(f"/park/enterprises/{registration_x.enterprise.pk}/").status_code == 404
    assert client_a.get("/park/enterprises/").status_code == 404
    assert client_a.post(f"/park/enterprises/{registration_y.enterprise.pk}/verify/").status_code == 404
    assert enterprise_in(ALPHA, registration_y.enterprise.pk).status == Enterprise.Status.PENDING


def test_a_visitor_is_sent_to_sign_in(db, client_a):
    for path in ("/enterprise/", "/enterprise/edit/", "/park/enterprises/", "/park/enterprises/1/"):
        response = client_a.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path


def test_the_enterprise_edits_its_profile_but_not_its_credit_code(db, client_a, registration_x):
    client_a.force_login(registration_x.user)
    assert client_a.get("/enterprise/edit/").status_code == 200
    response = client_a.post(
        "/enterprise/edit/",
        {
            "name": "青岛星海重工有限公司",
            "credit_code": new_credit_code(),
            "industry": "C",
            "size_class": "small",
            "employees": "85",
            "address": "胶州市经济技术开发区",
            "contact_name": "张三",
            "contact_phone": "0532-88880000",
            "contact_email": "info@xinghai.example.cn",
        },
    )
    assert response.status_code == 302
    enterprise = enterprise_in(ALPHA, registration_x.enterprise.pk)
    assert (
        enterprise.name == "青岛星海重工有限公司"
        and enterprise.industry == "C"
        and enterprise.employees == 85
    )
    assert enterprise.credit_code == registration_x.enterprise.credit_code


def test_the_enterprise_picks_the_park_own_tags_and_keeps_its_official_ones(db, client_a, registration_x):
    with schema_context(ALPHA):
        official = Tag.objects.update_or_create(name="专精特新", defaults={"is_builtin": True})[0]
        own = Tag.objects.create(name="园区重点培育")
        registration_x.enterprise.tags.add(official)
    client_a.force_login(registration_x.user)
    form = client_a.get("/enterprise/edit/").context["form"]
    with schema_context(ALPHA):
        assert list(form.fields["tags"].queryset) == [own]  # official designations are not offered
    response = client_a.post(
        "/enterprise/edit/",
        {"name": registration_x.enterprise.name, "contact_name": "张三", "tags": [own.pk]},
    )
    assert response.status_code == 302
    with schema_context(ALPHA):
        assert set(registration_x.enterprise.tags.all()) == {official, own}


def test_an_empty_name_is_shown_on_the_field(db, client_a, registration_x):
    client_a.force_login(registration_x.user)
    response = client_a.post("/enterprise/edit/", {"name": "", "contact_name": "张三"})
    assert response.status_code == 200 and "name" in response.context["form"].errors
    assert enterprise_in(ALPHA, registration_x.enterprise.pk).name == registration_x.enterprise.name


def test_a_rejected_enterprise_reads_the_reason_corrects_and_resubmits(
    db, client_a, park_admin_a, registration_x
):
    with schema_context(ALPHA):
        enterprise_reject(
            enterprise=registration_x.enterprise, actor=park_admin_a, reason="营业执照名称与填写不一致"
        )
    client_a.force_login(registration_x.user)
    body = client_a.get("/enterprise/").content.decode()
    assert (
        "营业执照名称与填写不一致" in body
        and "badge-rejected" in body
        and 'action="/enterprise/resubmit/"' in body
    )

    response = client_a.post(
        "/enterprise/edit/", {"name": "青岛星海机械股份有限公司", "contact_name": "张三", "resubmit": "1"}
    )
    assert response.status_code == 302
    enterprise = enterprise_in(ALPHA, registration_x.enterprise.pk)
    assert enterprise.name == "青岛星海机械股份有限公司" and enterprise.status == Enterprise.Status.PENDING


def test_a_rejected_enterprise_can_resubmit_without_changes(db, client_a, park_admin_a, registration_x):
    with schema_context(ALPHA):
        enterprise_reject(enterprise=registration_x.enterprise, actor=park_admin_a, reason="请补充地址")
    client_a.force_login(registration_x.user)
    assert client_a.post("/enterprise/resubmit/").status_code == 302
    assert enterprise_in(ALPHA, registration_x.enterprise.pk).status == Enterprise.Status.PENDING


def test_the_enterprise_adds_and_corrects_a_year_of_figures(db, client_a, registration_x):
    client_a.force_login(registration_x.user)
    assert client_a.get("/enterprise/figures/").status_code == 200
    added = client_a.post(
        "/enterprise/figures/", {"year": "2023", "output_value": "5000000", "revenue": "4200000.50"}
    )
    assert added.status_code == 302
    prefilled = client_a.get("/enterprise/figures/?year=2023")
    assert prefilled.context["form"].initial["revenue"] == pytest.approx(4200000.50)
    corrected = client_a.post(
        "/enterprise/figures/", {"year": "2023", "output_value": "5100000", "tax_paid": "300000"}
    )
    assert corrected.status_code == 302
    with schema_context(ALPHA):
        row = YearlyFigures.objects.get(enterprise=registration_x.enterprise)
        assert (
            row.year == 2023
            and row.output_value == 5100000
            and row.tax_paid == 300000
            and row.revenue is None
        )


def test_impossible_figures_are_shown_on_their_fields(db, client_a, registration_x):
    client_a.force_login(registration_x.user)
    negative = client_a.post("/enterprise/figures/", {"year": "2023", "revenue": "-1"})
    assert "revenue" in negative.context["form"].errors
    future = client_a.post("/enterprise/figures/", {"year": "2999", "revenue": "1"})
    assert "year" in future.context["form"].errors
    with schema_context(ALPHA):
        assert not YearlyFigures.objects.exists()


def test_the_owner_invites_a_colleague_and_a_member_cannot(db, client_a, registration_x):
    client_a.force_login(registration_x.user)
    response = client_a.post(
        "/enterprise/members/", {"email": "Colleague@XingHai.example.cn", "full_name": "李四"}
    )
    assert response.status_code == 302
    with schema_context(ALPHA):
        colleague = Membership.objects.select_related("user").get(user__email="colleague@xinghai.example.cn")
        assert colleague.enterprise == registration_x.enterprise and colleague.role == Membership.Role.MEMBER
    listing = client_a.get("/enterprise/members/").content.decode()
    assert "colleague@xinghai.example.cn" in listing and "李四" in listing

    client_a.force_login(colleague.user)
    page = client_a.get("/enterprise/members/")
    assert page.status_code == 200 and not page.context["is_owner"]
    assert client_a.post("/enterprise/members/", {"email": "third@xinghai.example.cn"}).status_code == 403
    with schema_context(ALPHA):
        assert not User.objects.filter(email="third@xinghai.example.cn").exists()


def test_a_colleague_of_another_enterprise_cannot_be_invited(db, client_a, registration_x, registration_y):
    client_a.force_login(registration_x.user)
    response = client_a.post("/enterprise/members/", {"email": registration_y.user.email})
    assert response.status_code == 400 and "email" in response.context["form"].errors
    with schema_context(ALPHA):
        assert Membership.objects.get(user=registration_y.user).enterprise == registration_y.enterprise


# ---------------------------------------------------------------------------
# The park's pages
# ---------------------------------------------------------------------------


def test_the_park_admin_lists_searches_and_filters(
    db, client_a, park_admin_a, registration_x, registration_y
):
    with schema_context(ALPHA):
        enterprise_update(
            enterprise=registration_x.enterprise,
            actor=park_admin_a,
            industry="C",
            size_class="medium",
            above_designated_size=True,
            tags=[Tag.objects.get_or_create(name="专精特新")[0]],
        )
    client_a.force_login(park_admin_a)
    x, y = registration_x.enterprise, registration_y.enterprise

    def names(query: str) -> set[str]:
        response = client_a.get(f"/park/enterprises/{query}")
        assert response.status_code == 200
        return {enterprise.name for enterprise in response.context["enterprises"]}

    assert names("") == {x.name, y.name}
    assert client_a.get("/park/enterprises/").context["page"].paginator.count == 2
    assert names("?q=星海") == {x.name}
    assert names(f"?q={y.credit_code[-8:].lower()}") == {y.name}
    assert names("?industry=C") == {x.name}
    assert names("?size_class=medium") == {x.name}
    assert names("?tag=专精特新") == {x.name}
    assert names("?above=yes") == {x.name}
    assert names("?above=no") == {y.name}
    assert names("?status=pending") == {x.name, y.name}
    assert names("?status=verified") == set()
    assert names("?industry=not-an-industry") == {x.name, y.name}  # a bad filter value is ignored
    body = client_a.get("/park/enterprises/?q=星海").content.decode()
    assert 'href="/park/enterprises/import/"' in body and f'href="/park/enterprises/{x.pk}/"' in body


def test_the_park_list_is_paginated(db, client_a, park_admin_a):
    with schema_context(ALPHA):
        for number in range(30):
            enterprise_create(
                actor=park_admin_a, credit_code=new_credit_code(), name=f"分页测试企业{number:02d}"
            )
    client_a.force_login(park_admin_a)
    first = client_a.get("/park/enterprises/?status=verified")
    assert first.context["page"].paginator.count == 30 and len(first.context["enterprises"]) == 25
    assert "?status=verified&amp;page=2" in first.content.decode()
    second = client_a.get("/park/enterprises/?status=verified&page=2")
    assert len(second.context["enterprises"]) == 5


def test_the_park_admin_sees_the_detail_and_verifies(db, client_a, park_admin_a, registration_x):
    with schema_context(ALPHA):
        figures_upsert(enterprise=registration_x.enterprise, year=2024, revenue=880000)
    client_a.force_login(park_admin_a)
    detail = client_a.get(f"/park/enterprises/{registration_x.enterprise.pk}/")
    body = detail.content.decode()
    assert detail.status_code == 200
    assert registration_x.enterprise.name in body and registration_x.user.email in body
    assert "880000.00" in body.replace(",", "")
    assert f'action="/park/enterprises/{registration_x.enterprise.pk}/verify/"' in body

    response = client_a.post(f"/park/enterprises/{registration_x.enterprise.pk}/verify/")
    assert response.status_code == 302
    enterprise = enterprise_in(ALPHA, registration_x.enterprise.pk)
    assert enterprise.status == Enterprise.Status.VERIFIED and enterprise.verified_by_id == park_admin_a.pk


def test_the_park_admin_rejects_with_a_reason(db, client_a, park_admin_a, registration_x):
    client_a.force_login(park_admin_a)
    response = client_a.post(
        f"/park/enterprises/{registration_x.enterprise.pk}/reject/", {"reason": "信用代码与营业执照不符"}
    )
    assert response.status_code == 302
    enterprise = enterprise_in(ALPHA, registration_x.enterprise.pk)
    assert (
        enterprise.status == Enterprise.Status.REJECTED
        and enterprise.rejection_reason == "信用代码与营业执照不符"
    )


def test_a_rejection_without_reason_is_refused_on_the_field(db, client_a, park_admin_a, registration_x):
    client_a.force_login(park_admin_a)
    response = client_a.post(f"/park/enterprises/{registration_x.enterprise.pk}/reject/", {"reason": "   "})
    assert response.status_code == 200
    assert "reason" in response.context["reject_form"].errors
    assert 'class="errorlist"' in response.content.decode()
    assert enterprise_in(ALPHA, registration_x.enterprise.pk).status == Enterprise.Status.PENDING


def test_a_reviewer_sees_an_enterprise_and_changes_nothing(db, client_a, reviewer_a, registration_x):
    client_a.force_login(reviewer_a)
    pk = registration_x.enterprise.pk
    detail = client_a.get(f"/park/enterprises/{pk}/")
    assert detail.status_code == 200 and registration_x.enterprise.name in detail.content.decode()
    assert "/verify/" not in detail.content.decode()
    assert client_a.post(f"/park/enterprises/{pk}/verify/").status_code in (403, 404)
    assert client_a.post(f"/park/enterprises/{pk}/reject/", {"reason": "不行"}).status_code in (403, 404)
    assert client_a.get(f"/park/enterprises/{pk}/edit/").status_code == 403
    assert client_a.get("/park/enterprises/new/").status_code == 403
    assert enterprise_in(ALPHA, pk).status == Enterprise.Status.PENDING


def test_an_enterprise_of_park_b_is_404_on_park_a(db, client_a, park_admin_a, registration_b):
    client_a.force_login(park_admin_a)
    pk = registration_b.enterprise.pk
    with schema_context(ALPHA):
        assert not Enterprise.objects.filter(
            pk=pk
        ).exists()  # so a 404 here means "not found", not a lucky pk
    assert client_a.get(f"/park/enterprises/{pk}/").status_code == 404
    assert client_a.get(f"/park/enterprises/{pk}/edit/").status_code == 404
    assert client_a.post(f"/park/enterprises/{pk}/verify/").status_code == 404
    assert registration_b.enterprise.name not in client_a.get("/park/enterprises/").content.decode()
    assert enterprise_in("beta", pk).status == Enterprise.Status.PENDING


def test_the_park_admin_adds_an_enterprise_by_hand(db, client_a, park_admin_a, registration_x):
    client_a.force_login(park_admin_a)
    code = new_credit_code()
    response = client_a.post(
        "/park/enterprises/new/",
        {
            "credit_code": code,
            "name": "胶州手工录入有限公司",
            "industry": "I",
            "size_class": "micro",
            "above_designated_size": "on",
        },
    )
    assert response.status_code == 302
    with schema_context(ALPHA):
        enterprise = Enterprise.objects.get(credit_code=code)
        assert enterprise.status == Enterprise.Status.VERIFIED and enterprise.above_designated_size
    assert response["Location"] == f"/park/enterprises/{enterprise.pk}/"

    duplicate = client_a.post(
        "/park/enterprises/new/", {"credit_code": registration_x.enterprise.credit_code, "name": "重复"}
    )
    assert duplicate.status_code == 200 and list(duplicate.context["form"].errors) == ["credit_code"]


def test_the_park_admin_edits_the_profile_tags_and_credit_code(db, client_a, park_admin_a, registration_x):
    with schema_context(ALPHA):
        tag = Tag.objects.get_or_create(name="高新技术企业")[0]
    client_a.force_login(park_admin_a)
    pk = registration_x.enterprise.pk
    assert client_a.get(f"/park/enterprises/{pk}/edit/").status_code == 200
    new_code = new_credit_code()
    response = client_a.post(
        f"/park/enterprises/{pk}/edit/",
        {
            "credit_code": new_code,
            "name": registration_x.enterprise.name,
            "contact_name": "张三",
            "tags": [tag.pk],
        },
    )
    assert response.status_code == 302
    enterprise = enterprise_in(ALPHA, pk)
    with schema_context(ALPHA):
        assert enterprise.credit_code == new_code and list(enterprise.tags.all()) == [tag]


# ---------------------------------------------------------------------------
# Home page and navigation
# ---------------------------------------------------------------------------


def test_the_home_page_invites_visitors_to_register(db, client_a):
    body = client_a.get("/").content.decode()
    assert 'href="/register/"' in body and 'href="/accounts/login/"' in body


def test_the_home_page_leads_the_park_administrator_to_the_enterprises(db, client_a, park_admin_a):
    client_a.force_login(park_admin_a)
    body = client_a.get("/").content.decode()
    assert 'href="/park/enterprises/"' in body and 'href="/park/enterprises/?status=pending"' in body
    assert 'href="/register/"' not in body


def test_a_reviewers_home_and_menu_leave_out_the_register_of_enterprises(db, client_a, reviewer_a):
    """Verifying registrations is the administrator's (issue 20): a reviewer's menu is their work."""
    client_a.force_login(reviewer_a)
    body = client_a.get("/").content.decode()
    assert 'href="/park/enterprises/"' not in body and 'href="/register/"' not in body


def test_a_reviewer_typing_the_registers_address_is_refused_403(db, client_a, reviewer_a, registration_x):
    """The register and the park's revenue are the administrator's (issue 20), on pages and in the API."""
    client_a.force_login(reviewer_a)
    refused = client_a.get("/park/enterprises/?status=pending")
    assert refused.status_code == 403 and registration_x.enterprise.name not in refused.content.decode()
    assert client_a.get("/api/v1/enterprises/").status_code == 403
    assert client_a.get("/api/v1/billing/revenue/").status_code == 403
    # Its own enterprise page sends a reviewer to its work, not to the register.
    assert client_a.get("/enterprise/")["Location"] == "/park/applications/"
    # The enterprise behind its work stays readable, with no way back to the register.
    detail = client_a.get(f"/park/enterprises/{registration_x.enterprise.pk}/").content.decode()
    assert 'href="/park/enterprises/"' not in detail


def test_the_home_page_shows_the_enterprise_its_status(db, client_a, registration_x):
    client_a.force_login(registration_x.user)
    body = client_a.get("/").content.decode()
    assert (
        registration_x.enterprise.name in body and "badge-pending" in body and 'href="/enterprise/"' in body
    )
    assert 'href="/park/enterprises/"' not in body


def test_park_staff_without_an_enterprise_are_sent_to_the_list(db, client_a, park_admin_a):
    client_a.force_login(park_admin_a)
    response = client_a.get("/enterprise/")
    assert response.status_code == 302 and response["Location"] == "/park/enterprises/"
