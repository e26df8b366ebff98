"""factory_boy factories for the data tests build again and again, each built through the services.

STYLE.md: nobody sets a status by hand, tests included. So every factory's `_create`
calls the service a person would go through (registration, programme creation and
opening, filing), and the states are traits that take the next steps through the
services too: `EnterpriseFactory(verified=True)`, `ProgrammeFactory(opened=False)`,
`ApplicationFactory(submitted=True)`; `MemberFactory(registration=...)` invites a colleague.

They build in the current schema, as the services do: call them inside
`schema_context(...)` or a fixture such as `in_alpha`. Tenants are expensive and are
never built here: use the session's fixtures (tenant_a, tenant_b).

    registration = EnterpriseFactory(name="青岛星海机械有限公司", verified=True)
    application = ApplicationFactory(registration=registration, programme=programme, submitted=True)
"""

import datetime as dt
import itertools
import uuid
from decimal import Decimal

import factory
from django.utils import timezone

from every_schema.accounts import roles
from every_schema.accounts.models import User
from every_schema.accounts.services import user_create
from tenant_schema.applications.models import Application
from tenant_schema.applications.services import application_create, application_transition
from tenant_schema.demands.models import Demand
from tenant_schema.demands.services import demand_file
from tenant_schema.enterprises.credit_code import credit_code_make
from tenant_schema.enterprises.models import Enterprise, Membership
from tenant_schema.enterprises.services import enterprise_register, enterprise_verify, member_invite
from tenant_schema.funding.models import Programme
from tenant_schema.funding.services import programme_create, programme_open
from tenant_schema.programme_forms.demo import demo_guide

# The password of every account the tests make (they sign in with it).
PASSWORD = "correct-horse-battery-9"

_serial = itertools.count(1)


def new_credit_code() -> str:
    """A valid, unique credit code: 9137 0281 (Jiaozhou) + a 9-character organisation code."""
    return credit_code_make(f"91370281MA{next(_serial):07d}")


class UserFactory(factory.Factory):
    """An account with a known password in the current schema, in `role` if given (user_create)."""

    class Meta:
        model = User

    role = None
    email = factory.LazyAttribute(lambda o: f"{o.role or 'user'}-{uuid.uuid4().hex[:8]}@example.cn")
    password = PASSWORD
    full_name = "测试用户"

    @classmethod
    def _create(cls, model_class, **fields):
        return user_create(**fields)


def park_admin_here() -> User:
    """A park administrator of the current schema, for the steps only the park may take."""
    return UserFactory(role=roles.PARK_ADMIN)


class EnterpriseFactory(factory.Factory):
    """A self-registered enterprise and its owner: the Registration (enterprise, user) enterprise_register returns.

    Pending, as registration leaves it; `verified=True` has a park administrator verify it
    (only verified enterprises apply).
    """

    class Meta:
        model = Enterprise

    verified = False  # not a field: _create takes it
    credit_code = factory.LazyFunction(new_credit_code)
    name = factory.LazyAttribute(lambda o: f"青岛测试{o.credit_code[-6:]}有限公司")
    contact_name = "张三"
    email = factory.LazyAttribute(lambda o: f"owner-{o.credit_code[-8:].lower()}@example.cn")
    password = PASSWORD
    contact_phone = "13800000000"

    @classmethod
    def _create(cls, model_class, *, verified=False, **fields):
        registration = enterprise_register(**fields)
        if verified:
            enterprise_verify(enterprise=registration.enterprise, actor=park_admin_here())
            registration.enterprise.refresh_from_db()
        return registration


class MemberFactory(factory.Factory):
    """A colleague invited by the owner of `registration`'s enterprise (member_invite): the Membership."""

    class Meta:
        model = Membership

    registration = factory.SubFactory(EnterpriseFactory)
    email = factory.LazyFunction(lambda: f"member-{uuid.uuid4().hex[:8]}@example.cn")
    full_name = "同事"

    @classmethod
    def _create(cls, model_class, *, registration, **fields):
        return member_invite(enterprise=registration.enterprise, actor=registration.user, **fields)


def verified(registration):
    """Only a verified enterprise may apply: verify a fresh registration as the park would."""
    if registration.enterprise.status != Enterprise.Status.VERIFIED:
        registration.enterprise.refresh_from_db()
        enterprise_verify(enterprise=registration.enterprise, actor=park_admin_here())
        registration.enterprise.refresh_from_db()
    return registration


class ProgrammeFactory(factory.Factory):
    """A programme with the five default stages (or `stages`), open for applications since yesterday.

    `opened=False` leaves it a draft, as programme_create does.
    """

    class Meta:
        model = Programme

    opened = True  # not a field: _create takes it
    actor = None
    title = "2026年度专精特新企业奖励"
    category = "award"
    budget = Decimal("1000000.00")
    per_enterprise_cap = Decimal("200000.00")
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    required_documents = factory.LazyFunction(list)
    guide = factory.LazyFunction(demo_guide)  # 申兑指南: a programme opens only with one

    @classmethod
    def _create(cls, model_class, *, opened=True, **fields):
        programme = programme_create(**fields)
        return programme_open(programme=programme) if opened else programme


class ApplicationFactory(factory.Factory):
    """A draft application of `registration`'s enterprise (verified first) to `programme`.

    `submitted=True` submits it as the enterprise's owner: in review at the first stage.
    """

    class Meta:
        model = Application

    submitted = False  # not a field: _create takes it
    registration = factory.SubFactory(EnterpriseFactory, verified=True)
    programme = factory.SubFactory(ProgrammeFactory)
    requested_amount = "100000.00"

    @classmethod
    def _create(cls, model_class, *, registration, programme, submitted=False, **fields):
        verified(registration)
        application = application_create(
            programme_id=programme.pk,
            enterprise=registration.enterprise,
            applicant=registration.user,
            **fields,
        )
        if submitted:
            application = application_transition(
                application_id=application.pk, action="submit", actor=registration.user
            )
        return application


class DemandFactory(factory.Factory):
    """A demand filed by `registration`'s owner for its enterprise (demand_file), waiting for the park."""

    class Meta:
        model = Demand

    registration = factory.SubFactory(EnterpriseFactory)
    category = "utilities"
    title = "厂区道路积水影响物流车辆通行"
    description = "雨后厂区门口道路积水严重，货车无法进出，请协调市政部门处理。"
    uploads = ()

    @classmethod
    def _create(cls, model_class, *, registration, **fields):
        return demand_file(enterprise=registration.enterprise, filer=registration.user, **fields)
