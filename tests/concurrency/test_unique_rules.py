"""The database's uniqueness rules, one by one: each is refused by PostgreSQL itself (the
service's friendly pre-check bypassed), and the refusal is the service's field error, not
a 500. The migrations that add them first settle the duplicates made before."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from saas.uniqueness import unique_rules
from tenant_schema.applications.models import ONE_LIVE_APPLICATION, Application, ApplicationEvent
from tenant_schema.billing.models import ONE_PENDING_ORDER, Subscription, SubscriptionHistory
from tenant_schema.billing.services import service_create
from tenant_schema.enterprises.models import Membership
from tenant_schema.enterprises.services import ONE_SEAT_PER_PERSON

from ..applications.conftest import draft_for, make_programme, verified
from ..conftest import ALPHA, make_user
from ..enterprises.conftest import register


@pytest.fixture
def alpha(db, tenant_a):
    with schema_context(ALPHA):
        yield


@pytest.fixture
def enterprise(alpha):
    return verified(register(ALPHA))


def test_a_second_live_application_is_refused_by_the_database_on_the_programme_field(enterprise):
    programme = make_programme()
    first = draft_for(enterprise, programme)
    with pytest.raises(ValidationError) as refused, unique_rules(ONE_LIVE_APPLICATION):
        Application.objects.create(
            programme=programme,
            enterprise=enterprise.enterprise,
            applicant=enterprise.user,
            requested_amount=Decimal("1.00"),
        )
    assert refused.value.message_dict == {"programme": [str(ONE_LIVE_APPLICATION.message)]}
    Application.objects.filter(pk=first.pk).update(status=Application.Status.WITHDRAWN)
    assert draft_for(enterprise, programme).pk != first.pk  # a withdrawn one may be followed by a new one


def test_a_second_waiting_order_is_refused_by_the_database_on_the_service_field(enterprise):
    admin = make_user(ALPHA, role=roles.PARK_ADMIN)
    service = service_create(actor=admin, name="代理记账", price=Decimal("100.00"))
    fields = {
        "enterprise": enterprise.enterprise,
        "service": service,
        "term_months": 3,
        "list_price": Decimal("300.00"),
        "amount_due": Decimal("300.00"),
    }
    Subscription.objects.create(**fields)
    with pytest.raises(ValidationError) as refused, unique_rules(ONE_PENDING_ORDER):
        Subscription.objects.create(**fields)
    assert refused.value.message_dict == {"service": [str(ONE_PENDING_ORDER.message)]}
    Subscription.objects.create(
        **{**fields, "status": Subscription.Status.CANCELLED}
    )  # ended orders do not count


def test_a_second_account_or_seat_for_one_person_is_refused_on_the_email_field(enterprise):
    with pytest.raises(ValidationError) as refused, unique_rules(*ONE_SEAT_PER_PERSON):
        get_user_model().objects.create_user(email=enterprise.user.email)
    assert list(refused.value.message_dict) == ["email"]
    with pytest.raises(ValidationError) as refused, unique_rules(*ONE_SEAT_PER_PERSON):
        Membership.objects.create(user=enterprise.user, enterprise=enterprise.enterprise)
    assert list(refused.value.message_dict) == ["email"]


def test_another_constraint_is_not_hidden_behind_a_rule(enterprise):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), unique_rules(ONE_LIVE_APPLICATION):
        get_user_model().objects.create_user(email=enterprise.user.email)


def _without(index: str):
    """The state before the migration: no partial unique index (a conditional UniqueConstraint is one)."""
    with connection.cursor() as cursor:  # inside the test's transaction: rolled back with it
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending on the table
        cursor.execute(f'DROP INDEX "{index}"')


def test_the_migration_withdraws_the_later_duplicates_of_a_live_application(enterprise):
    migration = importlib.import_module(
        "tenant_schema.applications.migrations.0003_one_live_application_per_programme"
    )
    programme = make_programme()
    kept = draft_for(enterprise, programme)
    _without(ONE_LIVE_APPLICATION.constraint)
    duplicates = [
        Application.objects.create(
            programme=programme,
            enterprise=enterprise.enterprise,
            applicant=enterprise.user,
            requested_amount=Decimal("1.00"),
        )
        for _ in range(2)
    ]
    migration.withdraw_duplicates(apps, None)
    assert Application.objects.get(pk=kept.pk).status == Application.Status.DRAFT
    for duplicate in duplicates:
        assert Application.objects.get(pk=duplicate.pk).status == Application.Status.WITHDRAWN
        assert ApplicationEvent.objects.filter(application=duplicate, action="withdraw").count() == 1


def test_the_migration_cancels_the_later_duplicates_of_a_waiting_order(enterprise):
    migration = importlib.import_module("tenant_schema.billing.migrations.0002_one_pending_order_per_service")
    admin = make_user(ALPHA, role=roles.PARK_ADMIN)
    service = service_create(actor=admin, name="审计服务", price=Decimal("100.00"))
    fields = {
        "enterprise": enterprise.enterprise,
        "service": service,
        "term_months": 3,
        "list_price": Decimal("300.00"),
        "amount_due": Decimal("300.00"),
    }
    kept = Subscription.objects.create(**fields)
    _without(ONE_PENDING_ORDER.constraint)
    duplicate = Subscription.objects.create(**fields)
    migration.cancel_duplicates(apps, None)
    assert Subscription.objects.get(pk=kept.pk).status == Subscription.Status.PENDING_PAYMENT
    assert Subscription.objects.get(pk=duplicate.pk).status == Subscription.Status.CANCELLED
    assert SubscriptionHistory.objects.filter(subscription=duplicate, to_status="cancelled").count() == 1
