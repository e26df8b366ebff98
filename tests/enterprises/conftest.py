"""Enterprise fixtures: a registered enterprise with its owner in park A, another in park A, one in park B."""

import pytest
from django_tenants.utils import schema_context

from ..conftest import ALPHA, BETA
from ..factories import EnterpriseFactory, new_credit_code

__all__ = ["new_credit_code", "register"]


def register(schema: str, *, name: str | None = None, email: str | None = None):
    """A pending enterprise of `schema` and its owner (EnterpriseFactory, in that schema)."""
    fields = {key: value for key, value in (("name", name), ("email", email)) if value}
    with schema_context(schema):
        return EnterpriseFactory(**fields)


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
