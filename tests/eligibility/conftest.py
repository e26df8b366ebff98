"""Hand-made enterprises with a profile, tags and yearly figures, verified by the park of park A."""

from decimal import Decimal

import pytest
from django.db import connection

from every_schema.accounts import roles
from tenant_schema.enterprises.services import enterprise_update, figures_upsert, tag_get_or_create

from ..applications.conftest import in_alpha, make_programme, verified  # noqa: F401
from ..conftest import make_user
from ..enterprises.conftest import register


def profiled(name: str, *, tags=(), figures=None, **profile):
    """A verified enterprise of the current schema with the given profile; returns the registration."""
    registration = verified(register(connection.schema_name, name=name))
    admin = make_user(connection.schema_name, role=roles.PARK_ADMIN)
    enterprise = registration.enterprise
    changes = dict(profile)
    if tags:
        changes["tags"] = [tag_get_or_create(name=tag) for tag in tags]
    if changes:
        enterprise_update(enterprise=enterprise, actor=admin, **changes)
    for year, values in (figures or {}).items():
        figures_upsert(enterprise=enterprise, year=year, **{k: Decimal(str(v)) for k, v in values.items()})
    enterprise.refresh_from_db()
    return registration


RD_RULES = {
    "combine": "all",
    "conditions": [
        {"field": "above_designated_size", "op": "eq", "value": True},
        {"field": "rd_share", "op": "gte", "value": 3, "year": 2025},
    ],
}


@pytest.fixture
def park(db, in_alpha):  # noqa: F811
    """Three enterprises against RD_RULES: one qualifies, one does not, one cannot tell (no 2025 figures)."""
    return {
        "qualifies": profiled(
            "青岛研发强企有限公司",
            above_designated_size=True,
            size_class="medium",
            industry="C",
            figures={2025: {"revenue": 10_000_000, "rd_spend": 500_000}},
        ),
        "does_not": profiled(
            "青岛研发偏弱有限公司",
            above_designated_size=True,
            size_class="small",
            industry="C",
            figures={2025: {"revenue": 10_000_000, "rd_spend": 100_000}},
        ),
        "cannot_tell": profiled("青岛资料不全有限公司", above_designated_size=True),
    }
