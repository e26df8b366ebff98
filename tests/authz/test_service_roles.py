"""Services that write check the actor's role themselves (#14 item 7): a view that forgot
its decorator, a task or a shell call with a person as actor is refused the same way."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.city_programmes.models import CityProgramme
from public_schema.city_programmes.services import city_programme_publish
from tenant_schema.eligibility.models import PushRun
from tenant_schema.eligibility.services import push_start
from tenant_schema.enterprises.services import enterprise_create, enterprise_resubmit
from tenant_schema.funding.models import Programme
from tenant_schema.funding.services import programme_create, programme_open
from tenant_schema.programme_forms.demo import demo_guide

from ..conftest import ALPHA, make_user
from ..enterprises.conftest import new_credit_code, register


def programme_fields(title: str) -> dict:
    now = timezone.now()
    return dict(
        title=title,
        category="award",
        budget=Decimal("1000.00"),
        per_enterprise_cap=None,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=3),
        required_documents=[],
        guide=demo_guide(title),
    )


def test_only_park_administrators_create_programmes_and_push_them(db, tenant_a, park_admin_a):
    reviewer = make_user(ALPHA, role=roles.REVIEWER)
    member = register(ALPHA).user
    with schema_context(ALPHA):
        for actor in (reviewer, member):
            with pytest.raises(PermissionDenied):
                programme_create(actor=actor, **programme_fields("越权创建的项目"))
        assert not Programme.objects.filter(title="越权创建的项目").exists()
        programme = programme_open(
            programme=programme_create(actor=park_admin_a, **programme_fields("正常项目"))
        )
        for actor in (reviewer, member):
            with pytest.raises(PermissionDenied):
                push_start(programme=programme, actor=actor)
        assert not PushRun.objects.filter(programme=programme).exists()
        assert push_start(programme=programme, actor=park_admin_a).started_by == park_admin_a


def test_only_park_administrators_add_enterprises_and_only_its_people_resubmit(db, tenant_a, park_admin_a):
    reviewer = make_user(ALPHA, role=roles.REVIEWER)
    registration = register(ALPHA)
    with schema_context(ALPHA):
        with pytest.raises(PermissionDenied):
            enterprise_create(actor=reviewer, credit_code=new_credit_code(), name="越权添加有限公司")
        from tenant_schema.enterprises.services import enterprise_reject

        rejected = enterprise_reject(
            enterprise=registration.enterprise, actor=park_admin_a, reason="营业执照不清晰"
        )
        for actor in (reviewer, park_admin_a, register(ALPHA).user):
            with pytest.raises(PermissionDenied):
                enterprise_resubmit(enterprise=rejected, actor=actor)
        assert enterprise_resubmit(enterprise=rejected, actor=registration.user).status == "pending"


def test_only_hub_operators_publish_city_programmes(db, tenant_a, park_admin_a):
    fields = programme_fields("2026年度全市越权发布")
    fields.pop("required_documents")
    fields.pop("budget")
    with pytest.raises(PermissionDenied):
        city_programme_publish(actor=park_admin_a, tenants=[tenant_a], budget="1000", **fields)
    assert not CityProgramme.objects.filter(title="2026年度全市越权发布").exists()
