"""Enterprise fixtures: a registered enterprise with its owner in park A, another in park A, one in park B."""

import itertools

import pytest
from django_tenants.utils import schema_context

from tenant_schema.enterprises.credit_code import credit_code_make
from tenant_schema.enterprises.services import enterprise_register

from ..conftest import ALPHA, BETA, PASSWORD

_serial = itertools.count(1)


def new_credit_code() -> str:
    """A valid, unique credit code: 9137 0281 (Jiaozhou) + a 9-character organisation code."""
    return credit_code_make(f"91370281MA{next(_serial):07d}")


def register(schema: str, *, name: str | None = None, email: str | None = None):
    code = new_credit_code()
    with schema_context(schema):
        return enterprise_register(
            credit_code=code,
            name=name or f"青岛测试{code[-6:]}有限公司",
            contact_name="张三",
            email=email or f"owner-{code[-8:].lower()}@example.cn",
            password=PASSWORD,
            contact_phone="13800000000",
        )


@pytest.fixture
def registration_x(db, tenant_a):
    """Enterprise X in park A (pending) with its owner account."""
    return register(ALPHA, name="青岛星海机械有限公司")


@pytest.fixture
def registration_y(db, tenant_a):
    """Enterprise Y, another enterprise of park A."""
    return register(ALPHA, name="青岛远洋食品有限公司")


@pytest.fixture
def registration_b(db, tenant_b):
    """An enterprise of park B."""
    return register(BETA, name="胶州乙园科技有限公司")
