"""Illustrative value-added services for the Jiaozhou demo network (seed_demo), in the current tenant's schema.

Per tenant: 2–3 professional service institutions (律师事务所, 会计师事务所, 融资担保公司,
云服务商 — names made up) next to the park's own services, 7–10 services (public-welfare
ones at 0, the others priced per month with 3/6/12-month terms), subscriptions of verified
enterprises in every state, vouchers (available, used, expired, withdrawn) and ratings.

Everything goes through tenant_schema.billing.services — checkout, the park's confirmation of a bank
transfer, expiry, cancellation, refund, voucher issue and use, rating — on a backdated
clock (tenant_schema.applications.demo.backdated_clock), so history rows, payments and voucher use are
what the product would have written, and `subscription_entitles` agrees with every
status. Online (Stripe) payment is never used: paid terms were paid by bank transfer
(对公转账) that the park confirmed, and a refund of a transfer is only recorded. The one
Stripe-only state, a failed or expired online payment attempt, is therefore not seeded.

Terms ending within 7 days are left unreminded, so the hourly sweep has its reminders to
send; one of them is already renewed and gets none. Nothing is sent while seeding.

qiye1@<schema>.demo gets an active subscription and an unused voucher. Safe to run
again: a tenant that already has the demo providers gets nothing. All or nothing.
"""

import datetime as dt
import random
import zlib
from collections import Counter
from contextlib import ExitStack
from decimal import Decimal
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from every_schema.accounts import roles
from saas.workdays import SHANGHAI
from tenant_schema.applications.demo import _owners_ensure, backdated_clock
from tenant_schema.enterprises.models import Enterprise

from .models import Payment, Provider, Rating, Service, Subscription, TransferAccount, Voucher
from .services import (
    VOUCHER_ALPHABET,
    add_months,
    provider_create,
    service_create,
    subscription_cancel,
    subscription_checkout,
    subscription_confirm_transfer,
    subscription_expire,
    subscription_refund,
    subscription_request_transfer,
    transfer_account_save,
    voucher_issue,
    voucher_void,
)

S = Subscription.Status
C = Service.Category
OFFLINE = Payment.Method.OFFLINE

# kind -> (name choices, description, contact)
PROVIDERS = {
    "law": (
        ("青岛海衡律师事务所", "山东正睿律师事务所胶州分所"),
        "为园区企业提供常年法律顾问、合同审查、劳动用工合规和知识产权保护服务。",
        "0532-8720 1101",
    ),
    "accounting": (
        ("胶州信诚会计师事务所", "青岛中联和会计师事务所"),
        "代理记账、纳税申报、财务规范化辅导和专项审计。",
        "0532-8720 2202",
    ),
    "guarantee": (
        ("胶州市融信融资担保有限公司", "青岛海汇融资担保有限公司"),
        "中小企业融资诊断、银行对接和贷款担保方案设计。",
        "0532-8720 3303",
    ),
    "cloud": (
        ("青岛云启数字科技有限公司（云服务商）", "胶州智云信息服务有限公司（云服务商）"),
        "面向中小企业的云ERP、协同办公和数据安全服务。",
        "400-800 6606",
    ),
}

# (provider kind or None for the park itself, name, category, price per month, terms, description)
CATALOGUE = [
    (
        None,
        "企业经营管理公益培训",
        C.TRAINING,
        "0",
        [12],
        "园区每月一期的经营管理、安全生产和政策解读公益课程，免费报名。",
    ),
    (
        None,
        "惠企政策申报公益辅导",
        C.CONSULTING,
        "0",
        [3, 6, 12],
        "专员一对一辅导专精特新、高企认定等政策申报，公益免费。",
    ),
    (None, "人才招聘与用工服务", C.TALENT, "300", [3, 6, 12], "岗位发布、校企对接专场和用工政策咨询。"),
    (
        None,
        "科技成果转化对接",
        C.TECHNOLOGY,
        "800",
        [6, 12],
        "对接高校院所科技成果，组织供需对接会和技术评估。",
    ),
    (
        "law",
        "企业常年法律顾问",
        C.LEGAL,
        "1500",
        [3, 6, 12],
        "专属律师团队，合同审查不限次数，每季度一次法律体检。",
    ),
    (
        "law",
        "合同审查与劳动用工合规",
        C.LEGAL,
        "600",
        [3, 6, 12],
        "每月5份合同审查，劳动合同和规章制度合规检查。",
    ),
    (
        "accounting",
        "代理记账与税务申报",
        C.CONSULTING,
        "400",
        [3, 6, 12],
        "小规模纳税人和一般纳税人代理记账、月度纳税申报。",
    ),
    (
        "accounting",
        "财务规范与审计咨询",
        C.CONSULTING,
        "1200",
        [6, 12],
        "研发费用归集、高企专项审计和上市前财务规范辅导。",
    ),
    (
        "guarantee",
        "融资诊断与银行对接",
        C.FINANCING,
        "1000",
        [3, 6, 12],
        "企业融资能力诊断，推荐合适的银行产品并陪同对接。",
    ),
    ("guarantee", "贷款担保方案咨询", C.FINANCING, "500", [3, 6], "流动资金贷款担保、应急转贷方案设计。"),
    (
        "cloud",
        "云ERP（进销存+财务）",
        C.CLOUD,
        "299",
        [3, 6, 12],
        "开箱即用的进销存和财务一体化云系统，含数据备份。",
    ),
    ("cloud", "企业云盘与协同办公", C.CLOUD, "99", [3, 6, 12], "100GB企业云盘、在线文档和审批流程。"),
]

# What happens to a subscription, in this order per tenant; each uses its own (enterprise, service) pair.
SCENARIOS = (
    ["active"] * 3
    + ["soon"] * 2
    + ["free"] * 2
    + ["voucher_full", "voucher_part", "renewed"]
    + ["expired"] * 4
    + ["pending"] * 2
    + ["cancelled", "cancelled_voucher", "refunded"]
)
COMMENTS = {
    5: ("服务非常专业，响应及时。", "解决了我们的实际问题，推荐。", "老师讲得很透彻，收获很大。"),
    4: ("整体满意，个别环节可以更快。", "服务到位，价格合理。", ""),
    3: ("基本满足需求。", "内容偏基础，希望更有针对性。", ""),
    2: ("响应较慢，沟通成本高。",),
    1: ("与宣传不符。",),
}
MIN_ENTERPRISES = 6


def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    """An office-hour moment of `day` in Shanghai."""
    minutes = rng.randint(9 * 60, 17 * 60 + 30)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=SHANGHAI)


def _start_for_end(end: dt.datetime, months: int) -> dt.datetime:
    """The activation moment whose term of `months` ends at `end` (not earlier: month ends are clamped)."""
    start = add_months(end, -months)
    while add_months(start, months) < end:
        start += dt.timedelta(days=1)
    return start


_atomic = transaction.atomic


def _atomic_without_savepoint(using=None, savepoint=True, durable=False):
    return _atomic(using, savepoint=False, durable=durable)


def _voucher_codes(rng: random.Random):
    def code() -> str:
        body = "".join(rng.choice(VOUCHER_ALPHABET) for _ in range(8))
        return f"FWQ-{body[:4]}-{body[4:]}"

    return code


def _totals() -> Counter:
    totals = Counter(
        providers=Provider.objects.count(),
        services=Service.objects.count(),
        vouchers=Voucher.objects.count(),
        ratings=Rating.objects.count(),
        subscriptions=Subscription.objects.count(),
    )
    for row in Subscription.objects.values("status").order_by().annotate(n=Count("pk")):
        totals[row["status"]] = row["n"]
    return totals


def billing_summary(totals: list[Counter]) -> str:
    """One line for seed_demo: what the network holds now and what this run added."""
    total = sum(totals, Counter())
    states = ", ".join(f"{total[status]} {status.replace('_', ' ')}" for status in S.values)
    return (
        f"  Value-added services: {total['services']} services of {total['providers']} providers, "
        f"{total['subscriptions']} subscriptions ({states}), {total['vouchers']} vouchers, "
        f"{total['ratings']} ratings; {total['added']} rows added\n" + _card_path_note()
    )


def _card_path_note() -> str:
    """Whether the demo shows the card path (Stripe Checkout) and, when not, how to turn it on."""
    key = settings.STRIPE_SECRET_KEY
    if not key:
        return (
            "  Card payments: OFF (no STRIPE_SECRET_KEY). Orders are paid by bank transfer; to show the card "
            "path, set STRIPE_SECRET_KEY=sk_test_... and STRIPE_WEBHOOK_SECRET=whsec_... (Stripe test mode) "
            "and forward webhooks to /stripe/webhook/ (stripe listen --forward-to)."
        )
    if key.startswith("sk_test_") or key.startswith("rk_test_"):
        return "  Card payments: ON, Stripe test mode: pay with card 4242 4242 4242 4242, any future date and CVC."
    return "  Card payments: ON with a LIVE Stripe key: demo buyers would be charged; use a sk_test_ key."


def billing_seed_demo(*, rng: random.Random) -> Counter:
    """Demo providers, services, subscriptions in every state, vouchers and ratings for the current schema.

    Returns the schema's billing totals after the run (per table and per subscription
    status) and under "added" how many rows this run created: 0 when the tenant already has
    the demo providers, or has no park administrator or too few verified enterprises.
    """
    schema = connection.schema_name
    User = get_user_model()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"billing_seed_demo:{schema}"])
        before = _totals()
        names = [name for choices, _d, _c in PROVIDERS.values() for name in choices]
        admin = User.objects.filter(groups__name=roles.PARK_ADMIN, is_active=True).order_by("pk").first()
        qiye1 = Enterprise.objects.filter(
            memberships__user__email=f"qiye1@{schema}.demo", status=Enterprise.Status.VERIFIED
        ).first()
        verified = list(
            Enterprise.objects.filter(status=Enterprise.Status.VERIFIED)
            .exclude(pk=qiye1.pk if qiye1 else None)
            .order_by("pk")[:400]
        )
        if (
            Provider.objects.filter(name__in=names).exists()
            or admin is None
            or len(verified) < MIN_ENTERPRISES
        ):
            before["added"] = 0
            return before
        _transfer_account_ensure(admin)
        with ExitStack() as patches:
            clock = patches.enter_context(backdated_clock())
            for patch in _seed_patches(rng):
                patches.enter_context(patch)
            _seed(rng=rng, clock=clock, admin=admin, qiye1=qiye1, verified=verified, schema=schema)
        after = _totals()
    after["added"] = sum(
        after[key] - before[key] for key in ("providers", "services", "vouchers", "ratings", "subscriptions")
    )
    return after


def _transfer_account_ensure(admin) -> None:
    """The park's bank account, so demo orders by transfer show where to pay (made up, like the rest)."""
    if TransferAccount.objects.exists():
        return
    from public_schema.tenants.models import Tenant

    tenant = Tenant.objects.filter(schema_name=connection.schema_name).only("name").first()
    transfer_account_save(
        actor=admin,
        payee=f"{tenant.name if tenant else '园区'}企业服务中心",
        bank="中国农业银行胶州支行",
        account_number="3809 0101 0400 " + f"{zlib.crc32(connection.schema_name.encode()) % 10**6:06d}",
        days_to_pay=5,
        note="请在附言中填写订单编号；到账后园区1个工作日内确认。",
    )


def _seed_patches(rng: random.Random) -> list:
    """What the seed changes while it runs: no mail, codes from `rng`, and speed."""
    return [
        *(
            mock.patch(
                f"tenant_schema.billing.services.{module}.send_on_commit", lambda task, /, **kwargs: None
            )
            for module in ("orders", "payments", "subscriptions")
        ),
        mock.patch("tenant_schema.billing.services.vouchers._voucher_code", _voucher_codes(rng)),
        # Speed only. `admin` is a park administrator (found by that role in billing_seed_demo): skip re-asking per call.
        mock.patch("tenant_schema.billing.services.access.require_park_admin", lambda actor: None),
        # The whole seed runs in one schema and transaction: one SET search_path is enough.
        mock.patch("django_tenants.postgresql_backend.base.get_limit_set_calls", lambda: True),
        # ... and is all or nothing, so the services' nested blocks need no savepoints of their own.
        mock.patch("django.db.transaction.atomic", _atomic_without_savepoint),
    ]


def _seed(*, rng, clock, admin, qiye1, verified, schema) -> None:
    seeding = _Seeding(rng=rng, clock=clock, admin=admin)
    services = seeding.catalogue()
    seeding.sample = rng.sample(verified, min(len(verified), 16))
    seeding.owners = _owners_ensure(seeding.sample, schema)
    for index, scenario in enumerate(SCENARIOS):
        enterprise, service = seeding.pick(index, seeding.free if scenario == "free" else seeding.priced)
        seeding.run(scenario, enterprise, service)
    seeding.spare_vouchers()
    seeding.for_qiye1(qiye1)
    _ratings(rng=rng, clock=clock, services=services, qiye1=qiye1, quality=seeding.quality, now=seeding.now)


class _Seeding:
    """The seed's state and its steps: each scenario is one method, each goes through the services."""

    def __init__(self, *, rng, clock, admin):
        self.rng, self.clock, self.admin = rng, clock, admin
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.used_pairs: set[tuple[int, int]] = set()
        self.sample: list[Enterprise] = []
        self.owners: dict = {}

    def catalogue(self) -> list[Service]:
        """The park's own services and those of 2–3 institutions, created a year ago."""
        rng = self.rng
        self.clock["at"] = _at(rng, self.today - dt.timedelta(days=rng.randint(380, 420)))
        kinds = rng.sample(sorted(PROVIDERS), rng.choice((2, 3)))
        providers = {}
        for kind in kinds:
            choices, description, contact = PROVIDERS[kind]
            providers[kind] = provider_create(
                actor=self.admin, name=rng.choice(choices), description=description, contact=contact
            )
        park_paid = [entry for entry in CATALOGUE if entry[0] is None and entry[3] != "0"]
        dropped = set() if len(kinds) == 2 else {rng.choice(park_paid)[1]}
        services = [
            service_create(
                actor=self.admin,
                name=name,
                price=Decimal(price),
                category=category,
                term_options=terms,
                description=description,
                provider=providers.get(kind),
            )
            for kind, name, category, price, terms, description in CATALOGUE
            if not ((kind is not None and kind not in providers) or name in dropped)
        ]
        self.free = [service for service in services if service.price == 0]
        self.priced = [service for service in services if service.price > 0]
        self.quality = {service.pk: rng.uniform(3.2, 4.9) for service in services}  # how well each is liked
        return services

    def pick(self, index: int, pool: list[Service]) -> tuple[Enterprise, Service]:
        sample = self.sample
        for offset in range(len(sample)):
            enterprise = sample[(index + offset) % len(sample)]
            options = [s for s in pool if (enterprise.pk, s.pk) not in self.used_pairs]
            if options:
                service = self.rng.choice(options)
                self.used_pairs.add((enterprise.pk, service.pk))
                return enterprise, service
        raise RuntimeError("no free (enterprise, service) pair left")

    def order(self, actor, service, at, **kwargs) -> Subscription:
        self.clock["at"] = at
        return subscription_checkout(
            actor=actor,
            service=service,
            term_months=kwargs.pop("term", None) or self.rng.choice(service.term_options),
            **kwargs,
        ).subscription

    def confirm(self, subscription, at) -> Subscription:
        self.clock["at"] = at
        return subscription_confirm_transfer(actor=self.admin, subscription=subscription)

    def plan(self, service, *, left=None, end=None, term=None):
        """A term and the moments it starts and ends: `left` days from today, or ending at `end`; started in the past."""
        term = term or self.rng.choice(service.term_options)
        if end is None:
            high = min(left[1], term * 28 - 3)
            end = _at(self.rng, self.today + dt.timedelta(days=self.rng.randint(min(left[0], high), high)))
        return term, _start_for_end(end, term), end

    def paid_term(self, owner, service, *, left=None, end=None, term=None, **kwargs) -> Subscription:
        """Ordered for a bank transfer a few days before the park confirmed it, so the term ends as planned."""
        term, start, end = self.plan(service, left=left, end=end, term=term)
        at = start - dt.timedelta(days=self.rng.randint(1, 4), hours=self.rng.randint(0, 3))
        subscription = self.order(owner, service, at, term=term, method=OFFLINE, **kwargs)
        if subscription.status == S.PENDING_PAYMENT:
            subscription = self.confirm(subscription, start)
        return subscription

    def issue(self, enterprise, *, at, valid_days, service=None, note="") -> Voucher:
        rng = self.rng
        self.clock["at"] = at
        kind = rng.choice((Voucher.Kind.AMOUNT, Voucher.Kind.PERCENT))
        value = (
            Decimal(rng.choice((200, 300, 500, 1000)))
            if kind == Voucher.Kind.AMOUNT
            else Decimal(rng.choice((20, 30, 50)))
        )
        return voucher_issue(
            actor=self.admin,
            enterprise=enterprise,
            kind=kind,
            value=value,
            service=service,
            expires_on=at.astimezone(SHANGHAI).date() + dt.timedelta(days=valid_days),
            note=note or "园区惠企服务券",
        )

    def back(self, low: int, high: int) -> dt.datetime:
        return _at(self.rng, self.today - dt.timedelta(days=self.rng.randint(low, high)))

    def run(self, scenario: str, enterprise: Enterprise, service: Service) -> None:
        getattr(self, f"scenario_{scenario}")(enterprise, self.owners[enterprise.pk], service)

    # One method per entry of SCENARIOS.

    def scenario_active(self, enterprise, owner, service):
        self.paid_term(owner, service, left=(20, 250))

    def scenario_free(self, enterprise, owner, service):
        term, start, _end = self.plan(service, left=(20, 250))
        self.order(owner, service, start, term=term)  # nothing to pay: active at once

    def scenario_soon(self, enterprise, owner, service):
        # Ends within 7 days: the hourly sweep will send the 7-day (and later the 1-day) reminder.
        self.paid_term(owner, service, left=(1, 6))

    def scenario_renewed(self, enterprise, owner, service):
        rng = self.rng
        current = self.paid_term(owner, service, left=(2, 6))
        renewal = self.order(
            owner,
            service,
            self.now - dt.timedelta(days=1, hours=rng.randint(1, 5)),
            method=OFFLINE,
            renews=current,
        )
        self.confirm(
            renewal, self.now - dt.timedelta(hours=rng.randint(2, 20))
        )  # starts where `current` ends

    def scenario_voucher_full(self, enterprise, owner, service):
        # An amount voucher worth the shortest term's price pays for all of it.
        term, start, _end = self.plan(service, left=(30, 200), term=min(service.term_options))
        self.clock["at"] = start - dt.timedelta(days=self.rng.randint(5, 20))
        voucher = voucher_issue(
            actor=self.admin,
            enterprise=enterprise,
            kind=Voucher.Kind.AMOUNT,
            value=service.price_for(term),
            service=service,
            expires_on=(start + dt.timedelta(days=30)).date(),
            note="首次体验服务券",
        )
        self.order(owner, service, start, term=term, voucher_code=voucher.code)

    def scenario_voucher_part(self, enterprise, owner, service):
        term, start, end = self.plan(service, left=(40, 250))
        voucher = self.issue(
            enterprise, at=start - dt.timedelta(days=self.rng.randint(10, 30)), valid_days=90
        )
        self.paid_term(owner, service, end=end, term=term, voucher_code=voucher.code)

    def scenario_expired(self, enterprise, owner, service):
        subscription = self.paid_term(owner, service, end=self.back(3, 150))
        self.clock["at"] = subscription.ends_at + dt.timedelta(
            minutes=self.rng.randint(1, 59)
        )  # the hourly job
        subscription_expire(subscription=subscription, now=self.clock["at"])

    def scenario_pending(self, enterprise, owner, service):
        rng = self.rng
        at = self.now - dt.timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 6))
        subscription = self.order(owner, service, at, method=OFFLINE)
        if rng.random() < 0.6:
            self.clock["at"] = at + dt.timedelta(hours=2)
            subscription_request_transfer(
                actor=owner, subscription=subscription, reference=f"HK{at:%Y%m%d}{rng.randint(1000, 9999)}"
            )

    def scenario_cancelled(self, enterprise, owner, service, *, with_voucher=False):
        at = self.back(8, 60)
        kwargs = {}
        if with_voucher:  # cancelling frees the voucher: available again
            kwargs["voucher_code"] = self.issue(enterprise, at=at - dt.timedelta(days=3), valid_days=120).code
        subscription = self.order(owner, service, at, method=OFFLINE, **kwargs)
        self.clock["at"] = at + dt.timedelta(days=self.rng.randint(1, 4))
        subscription_cancel(actor=owner, subscription=subscription)

    def scenario_cancelled_voucher(self, enterprise, owner, service):
        self.scenario_cancelled(enterprise, owner, service, with_voucher=True)

    def scenario_refunded(self, enterprise, owner, service):
        # Refunded a few days after the park confirmed the transfer (the finance office paid it back).
        term = max(service.term_options)
        subscription = self.paid_term(owner, service, term=term, end=add_months(self.back(20, 90), term))
        self.clock["at"] = subscription.activated_at + dt.timedelta(days=self.rng.randint(2, 12))
        subscription_refund(actor=self.admin, subscription=subscription)

    def spare_vouchers(self) -> None:
        """Vouchers that were never used: some still available, some expired, one withdrawn."""
        rng, sample = self.rng, self.sample
        spare = [e for e in sample if e.pk not in {pk for pk, _s in self.used_pairs}] or sample
        for enterprise in rng.sample(spare, min(2, len(spare))):
            self.issue(enterprise, at=self.back(3, 20), valid_days=rng.randint(60, 120))
        for enterprise in rng.sample(sample, 2):
            self.issue(
                enterprise, at=self.back(150, 200), valid_days=rng.randint(30, 90), note="上半年惠企服务券"
            )  # expired
        voucher = self.issue(rng.choice(sample), at=self.back(30, 60), valid_days=180)
        self.clock["at"] = self.back(5, 25)
        voucher_void(actor=self.admin, voucher=voucher)

    def for_qiye1(self, qiye1) -> None:
        """qiye1: an active term of a priced service, and a voucher to use on the next order."""
        if qiye1 is None:
            return
        owner = qiye1.memberships.order_by("pk").first().user
        service = self.rng.choice(self.priced)
        self.paid_term(owner, service, left=(45, 200))
        self.issue(
            qiye1,
            at=self.back(2, 10),
            valid_days=self.rng.randint(60, 90),
            note="园区惠企服务券（可用于任一服务）",
        )


def _ratings(*, rng, clock, services, qiye1, quality, now) -> None:
    """Ratings by most enterprises that used a service (a term that started, not refunded: what
    rating_submit allows), scored around each service's quality. Written in bulk for speed, so
    their dates are set afterwards (bulk_update leaves auto_now alone)."""
    clock["at"] = None
    used = (
        Subscription.objects.filter(
            service__in=services, status__in=[S.ACTIVE, S.EXPIRED], starts_at__lte=now
        )
        .exclude(enterprise=qiye1)  # left for the demo visitor to rate
        .values_list("enterprise_id", "service_id", "starts_at")
        .order_by("pk")
    )
    ratings, rated = [], set()
    for enterprise_id, service_id, starts_at in used:
        if rng.random() > 0.85 or (enterprise_id, service_id) in rated:
            continue
        rated.add((enterprise_id, service_id))
        score = max(1, min(5, round(rng.gauss(quality[service_id], 0.8))))
        at = min(
            starts_at + dt.timedelta(days=rng.randint(7, 40), hours=rng.randint(0, 8)),
            now - dt.timedelta(hours=1),
        )
        ratings.append(
            Rating(
                enterprise_id=enterprise_id,
                service_id=service_id,
                score=score,
                comment=rng.choice(COMMENTS[score]),
                created_at=at,
                updated_at=at,
            )
        )
    dates = [(rating.created_at, rating.updated_at) for rating in ratings]
    Rating.objects.bulk_create(ratings)
    for rating, (created, updated) in zip(ratings, dates, strict=True):
        rating.created_at, rating.updated_at = created, updated
    Rating.objects.bulk_update(ratings, ["created_at", "updated_at"])
