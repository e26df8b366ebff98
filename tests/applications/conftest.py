"""A programme with the five default stages in park A, its reviewer and administrator, and enterprise X."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.applications.services import application_create, application_transition
from tenant_schema.funding.services import programme_create, programme_open

from ..conftest import ALPHA, make_user
from ..enterprises.conftest import register


def make_programme(*, budget="1000000.00", cap="200000.00", required_documents=None, title="2026年度专精特新企业奖励"):
    now = timezone.now()
    programme = programme_create(
        actor=None,
        title=title,
        category="award",
        budget=Decimal(budget),
        per_enterprise_cap=Decimal(cap) if cap else None,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        required_documents=required_documents or [],
    )
    return programme_open(programme=programme)


@pytest.fixture
def in_alpha(tenant_a):
    with schema_context(ALPHA):
        yield


@pytest.fixture
def programme(db, in_alpha):
    return make_programme()


@pytest.fixture
def reviewer(db, in_alpha):
    return make_user(ALPHA, role=roles.REVIEWER)


@pytest.fixture
def park_admin(db, in_alpha):
    return make_user(ALPHA, role=roles.PARK_ADMIN)


@pytest.fixture
def enterprise_x(db, in_alpha):
    """Enterprise X of park A, verified by the park (only verified enterprises apply)."""
    return verified(register(ALPHA, name="青岛星海机械有限公司"))


def verified(registration):
    """Only a verified enterprise may apply: verify a fresh registration as the park would."""
    from django.db import connection

    from tenant_schema.enterprises.models import Enterprise
    from tenant_schema.enterprises.services import enterprise_verify

    if registration.enterprise.status != Enterprise.Status.VERIFIED:
        admin = make_user(connection.schema_name, role=roles.PARK_ADMIN)
        registration.enterprise.refresh_from_db()
        enterprise_verify(enterprise=registration.enterprise, actor=admin)
        registration.enterprise.refresh_from_db()
    return registration


def draft_for(registration, programme, amount="100000.00"):
    verified(registration)
    return application_create(
        programme_id=programme.pk, enterprise=registration.enterprise, applicant=registration.user, requested_amount=amount
    )


def act(application, action, actor, **kwargs):
    return application_transition(application_id=application.pk, action=action, actor=actor, **kwargs)


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def private_media(settings, tmp_path):
    """Uploads go to a temporary directory, not the developer's .data/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"  # re-read MEDIA_ROOT (django-tenants caches the joined path)
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def owner_client(client_a, enterprise_x):
    """Park A's site signed in as the owner of enterprise X (verified)."""
    client_a.force_login(enterprise_x.user)
    return client_a
