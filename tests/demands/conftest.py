"""Demand fixtures: park A's administrator and reviewer, enterprise X (the filer) and Y (an outsider), and helpers."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.demands.services import demand_transition

from ..conftest import ALPHA, make_user
from ..enterprises.conftest import register
from ..factories import DemandFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    """A moment in Shanghai time: at(2026, 9, 30, 10) is 30 September 2026, 10:00."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def in_alpha(tenant_a):
    with schema_context(ALPHA):
        yield


@pytest.fixture
def clock(monkeypatch):
    """A settable clock for django.utils.timezone.now (what the services read)."""
    state = {"now": at(2026, 3, 2, 9)}

    class Clock:
        def set(self, moment):
            state["now"] = moment

        @property
        def now(self):
            return state["now"]

    monkeypatch.setattr("django.utils.timezone.now", lambda: state["now"])
    return Clock()


@pytest.fixture
def park_admin(db, in_alpha):
    return make_user(ALPHA, role=roles.PARK_ADMIN)


@pytest.fixture
def reviewer(db, in_alpha):
    return make_user(ALPHA, role=roles.REVIEWER)


@pytest.fixture
def other_reviewer(db, in_alpha):
    return make_user(ALPHA, role=roles.REVIEWER)


@pytest.fixture
def enterprise_x(db, in_alpha):
    return register(ALPHA, name="青岛星海机械有限公司")


@pytest.fixture
def enterprise_y(db, in_alpha):
    return register(ALPHA, name="青岛远洋食品有限公司")


def file_for(registration, *, category="utilities", title="厂区道路积水影响物流车辆通行", uploads=()):
    return DemandFactory(registration=registration, category=category, title=title, uploads=uploads)


def act(demand, action, actor, **kwargs):
    return demand_transition(demand_id=demand.pk, action=action, actor=actor, **kwargs)
