"""Fixtures of the handoff tests: a broker queue of their own, read back from Redis, and a fresh key."""
# Two service institutions (insta, instb: the session's, see tests/conftest.py) and their people.
# Pool entries are moved only through the services, each step on the site it belongs to:
# the institution's administrator in its own schema, the hub's operator in the public one.

import base64
import json
import uuid
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.network import workflow as wf
from public_schema.network.selectors import institution_profile_of
from public_schema.network.services import (
    admission_transition,
    institution_profile_update,
    network_product_create,
)
from public_schema.network.tasks import handoff_deliver_task
from public_schema.tenants.models import Tenant

from ..conftest import INST_A, INST_B, HostClient, host_of, make_user
from ..support.celery_worker import tasks_on_queue


@pytest.fixture
def queue(settings):
    """A broker queue nobody consumes; yields a function returning the handoff ids queued on it."""
    import redis

    name = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-handoffs-{uuid.uuid4().hex[:6]}"
    broker = redis.Redis.from_url(settings.REDIS_URL)

    def queued() -> list[int]:
        ids = []
        for raw in reversed(broker.lrange(name, 0, -1)):  # LPUSH: the oldest is last
            _args, kwargs, _embed = json.loads(base64.b64decode(json.loads(raw)["body"]))
            ids.append(kwargs["handoff_id"])
        return ids

    queued.name = name
    with tasks_on_queue(name, handoff_deliver_task):
        yield queued
    broker.delete(name)


@pytest.fixture
def key():
    return f"test:{uuid.uuid4().hex}"


@pytest.fixture
def inst_a(db) -> Tenant:
    return Tenant.objects.get(schema_name=INST_A)


@pytest.fixture
def inst_b(db) -> Tenant:
    return Tenant.objects.get(schema_name=INST_B)


@pytest.fixture
def inst_admin_a(inst_a):
    return make_user(INST_A, role=roles.INSTITUTION_ADMIN)


@pytest.fixture
def inst_staff_a(inst_a):
    return make_user(INST_A, role=roles.INSTITUTION_STAFF)


@pytest.fixture
def inst_admin_b(inst_b):
    return make_user(INST_B, role=roles.INSTITUTION_ADMIN)


@pytest.fixture
def client_ia(inst_a) -> HostClient:
    return HostClient(host_of(INST_A))


@pytest.fixture
def client_ib(inst_b) -> HostClient:
    return HostClient(host_of(INST_B))


def profile_complete(tenant: Tenant, admin, *, serves=None, **extra):
    """Fill in what the hub needs before a submission (in the institution's schema, as its admin)."""
    fields = {
        "credit_code": "91370281MA3C000001",
        "introduction": "面向中小企业的专业服务机构。",
        "qualifications": "高新技术企业认定服务资质",
        "categories": ["training", "consulting"],
        "contact_name": "王经理",
        "contact_phone": "0532-88880000",
        **extra,
    }
    with schema_context(tenant.schema_name):
        return institution_profile_update(
            profile=institution_profile_of(tenant=tenant), actor=admin, serves=serves, **fields
        )


def pool_step(tenant: Tenant, action: str, actor, *, comment: str = ""):
    """One step of the pool workflow, taken on the site it belongs to."""
    schema = tenant.schema_name if action == wf.SUBMIT else "public"
    with schema_context(schema):
        return admission_transition(
            profile_id=institution_profile_of(tenant=tenant).pk, action=action, actor=actor, comment=comment
        )


def admitted(tenant: Tenant, admin, operator, *, serves=None):
    """An institution admitted to the pool: complete, submitted, reviewed, admitted."""
    profile_complete(tenant, admin, serves=serves)
    for action in (wf.SUBMIT, wf.REVIEW, wf.ADMIT):
        profile = pool_step(tenant, action, admin if action == wf.SUBMIT else operator)
    return profile


def product(tenant: Tenant, actor, *, serves=(), **fields):
    values = {
        "name": "企业管理培训",
        "category": "training",
        "price": Decimal("1200.00"),
        "term_months": None,
        "delivery_days": 5,
        "is_published": True,
        **fields,
    }
    with schema_context(tenant.schema_name):
        return network_product_create(institution=tenant, actor=actor, serves=serves, **values)
