"""Billing fixtures: a fake Stripe server, Stripe keys pointed at it, enterprises, services, and tasks run inline."""

import uuid
from decimal import Decimal
from types import SimpleNamespace

import pgtrigger
import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from tenant_schema.enterprises.credit_code import credit_code_make
from tenant_schema.enterprises.models import Enterprise

from ..conftest import ALPHA, HUB_HOST, HostClient, make_user
from ..enterprises.conftest import register
from ..factories import EnterpriseFactory
from .fake_stripe import FakeStripe, sign

User = get_user_model()
WEBHOOK_SECRET = "whsec_test_parkhub_billing"


@pytest.fixture(scope="session")
def fake_stripe_server():
    server = FakeStripe().start()
    yield server
    server.stop()


@pytest.fixture
def fake_stripe(fake_stripe_server, settings):
    """Stripe keys configured and the SDK pointed at the fake; the fake starts empty."""
    fake_stripe_server.reset()
    settings.STRIPE_SECRET_KEY = "sk_test_parkhub"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake_stripe_server.url
    return fake_stripe_server


@pytest.fixture
def no_stripe(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_API_BASE = ""


def post_event(
    payload: str,
    *,
    secret: str = WEBHOOK_SECRET,
    timestamp: int | None = None,
    body: str | None = None,
    client=None,
):
    """Deliver a webhook to the hub host, signed over `payload` (a different `body` simulates tampering)."""
    client = client or HostClient(HUB_HOST)
    return client.post(
        "/stripe/webhook/",
        data=(body if body is not None else payload).encode(),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload, secret, timestamp),
    )


@pytest.fixture
def tasks_inline(monkeypatch):
    """Run billing's tasks in-process when they are queued (on commit), in the schema they were sent from."""
    from tenant_schema.billing import tasks

    for task in (
        tasks.subscription_activated_notify_task,
        tasks.subscription_reminder_notify_task,
        tasks.transfer_requested_notify_task,
        tasks.payment_duplicate_refund_task,
        tasks.duplicate_refunded_notify_task,
    ):

        def run_inline(args=None, kwargs=None, headers=None, _task=task, **options):
            with schema_context((headers or {}).get("_schema_name", ALPHA)):
                return _task.run(**(kwargs or {}))

        monkeypatch.setattr(task, "apply_async", run_inline)


@pytest.fixture
def buyer(db, tenant_a):
    """Enterprise X of park A with its owner (pending verification: it may already buy)."""
    return register(ALPHA, name="青岛星海机械有限公司")


@pytest.fixture
def other_buyer(db, tenant_a):
    """Enterprise Y, another enterprise of park A."""
    return register(ALPHA, name="青岛远洋食品有限公司")


@pytest.fixture
def service(db, tenant_a, park_admin_a):
    from tenant_schema.billing.services import service_create

    with schema_context(ALPHA):
        return service_create(
            actor=park_admin_a,
            name="企业法律顾问",
            price=Decimal("100.00"),
            category="legal",
            description="合同审查、劳动用工咨询",
            term_options=[3, 6, 12],
        )


@pytest.fixture
def second_service(db, tenant_a, park_admin_a):
    from tenant_schema.billing.services import service_create

    with schema_context(ALPHA):
        return service_create(actor=park_admin_a, name="云ERP", price=Decimal("50.00"), category="cloud")


# ---------------------------------------------------------------------------
# Committed data, for tests that use threads or another process
# ---------------------------------------------------------------------------


def committed_enterprise(label: str) -> SimpleNamespace:
    code = credit_code_make(f"91370281MD{uuid.uuid4().int % 10**7:07d}")
    with schema_context(ALPHA):
        registration = EnterpriseFactory(
            credit_code=code,
            name=f"青岛计费测试{code[-5:-1]}{label}有限公司",
            contact_name="钱七",
            email=f"billing-{code[-8:].lower()}@example.cn",
            contact_phone="",
        )
    return SimpleNamespace(code=code, user=registration.user, enterprise=registration.enterprise)


HISTORY_NO_DELETE = (
    "billing.SubscriptionHistory:subscription_history_no_delete",
    "billing.PaymentHistory:payment_history_no_delete",
    "billing.VoucherHistory:voucher_history_no_delete",
)


def committed_cleanup(*, enterprises=(), users=(), services=()) -> None:
    from tenant_schema.billing.models import (
        PaymentHistory,
        Rating,
        Service,
        Subscription,
        SubscriptionHistory,
        Voucher,
        VoucherHistory,
    )

    with schema_context(ALPHA), pgtrigger.ignore(*HISTORY_NO_DELETE):
        enterprise_ids = [enterprise.pk for enterprise in enterprises]
        # The histories refuse DELETE in PostgreSQL; only this clean-up of committed test rows lifts it.
        service_ids = [service.pk for service in services]
        of_ours = Q(subscription__enterprise_id__in=enterprise_ids) | Q(
            subscription__service_id__in=service_ids
        )
        SubscriptionHistory.objects.filter(of_ours).delete()
        PaymentHistory.objects.filter(
            Q(payment__subscription__enterprise_id__in=enterprise_ids)
            | Q(payment__subscription__service_id__in=service_ids)
        ).delete()
        VoucherHistory.objects.filter(voucher__enterprise_id__in=enterprise_ids).delete()
        Subscription.objects.filter(enterprise_id__in=enterprise_ids).delete()
        Voucher.objects.filter(enterprise_id__in=enterprise_ids).delete()
        Rating.objects.filter(enterprise_id__in=enterprise_ids).delete()
        Subscription.objects.filter(service__in=[service.pk for service in services]).delete()
        Service.objects.filter(pk__in=[service.pk for service in services]).delete()
        Enterprise.objects.filter(pk__in=enterprise_ids).delete()
        User.objects.filter(pk__in=[user.pk for user in users]).delete()


@pytest.fixture
def committed_shop(committed_db, tenant_a):
    """Committed in park A: a park administrator, two enterprises with owners, two services."""
    from tenant_schema.billing.services import service_create

    admin = make_user(ALPHA, role=roles.PARK_ADMIN)
    x, y = committed_enterprise("甲"), committed_enterprise("乙")
    with schema_context(ALPHA):
        legal = service_create(actor=admin, name=f"法律顾问-{uuid.uuid4().hex[:6]}", price=Decimal("100.00"))
        cloud = service_create(actor=admin, name=f"云ERP-{uuid.uuid4().hex[:6]}", price=Decimal("50.00"))
    shop = SimpleNamespace(admin=admin, x=x, y=y, service=legal, second_service=cloud)
    yield shop
    committed_cleanup(
        enterprises=[x.enterprise, y.enterprise], users=[admin, x.user, y.user], services=[legal, cloud]
    )
