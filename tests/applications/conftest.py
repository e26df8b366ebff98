"""A programme with the five default stages in park A, its reviewer and administrator, and enterprise X."""

from decimal import Decimal
from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.applications.services import application_transition

from ..conftest import ALPHA, make_user
from ..enterprises.conftest import register
from ..factories import ApplicationFactory, ProgrammeFactory, verified


def make_programme(
    *, budget="1000000.00", cap="200000.00", required_documents=None, title="2026年度专精特新企业奖励"
):
    """An open programme of the current schema with the five default stages (ProgrammeFactory)."""
    return ProgrammeFactory(
        title=title,
        budget=Decimal(budget),
        per_enterprise_cap=Decimal(cap) if cap else None,
        required_documents=required_documents or [],
    )


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


def draft_for(registration, programme, amount="100000.00"):
    return ApplicationFactory(registration=registration, programme=programme, requested_amount=amount)


def act(application, action, actor, **kwargs):
    return application_transition(application_id=application.pk, action=action, actor=actor, **kwargs)


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def private_media(settings, tmp_path):
    """Uploads go to a temporary directory, not the developer's .data/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = (
        "%s"  # re-read MEDIA_ROOT (django-tenants caches the joined path)
    )
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def owner_client(client_a, enterprise_x):
    """Park A's site signed in as the owner of enterprise X (verified)."""
    client_a.force_login(enterprise_x.user)
    return client_a
