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
from collections import Counter
from decimal import Decimal
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from every_schema.accounts import roles
from saas.workdays import SHANGHAI
from tenant_schema.applications.demo import _owners_ensure, backdated_clock
from tenant_schema.enterprises.models import Enterprise

from .models import Payment, Provider, Rating, Service, Subscription, Voucher
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
    (None, "企业经营管理公益培训", C.TRAINING, "0", [12], "园区每月一期的经营管理、安全生产和政策解读公益课程，免费报名。"),
    (None, "惠企政策申报公益辅导", C.CONSULTING, "0", [3, 6, 12], "专员一对一辅导专精特新、高企认定等政策申报，公益免费。"),
    (None, "人才招聘与用工服务", C.TALENT, "300", [3, 6, 12], "岗位发布、校企对接专场和用工政策咨询。"),
    (None, "科技成果转化对接", C.TECHNOLOGY, "800", [6, 12], "对接高校院所科技成果，组织供需对接会和技术评估。"),
    ("law", "企业常年法律顾问", C.LEGAL, "1500", [3, 6, 12], "专属律师团队，合同审查不限次数，每季度一次法律体检。"),
    ("law", "合同审查与劳动用工合规", C.LEGAL, "600", [3, 6, 12], "每月5份合同审查，劳动合同和规章制度合规检查。"),
    ("accounting", "代理记账与税务申报", C.CONSULTING, "400", [3, 6, 12], "小规模纳税人和一般纳税人代理记账、月度纳税申报。"),
    ("accounting", "财务规范与审计咨询", C.CONSULTING, "1200", [6, 12], "研发费用归集、高企专项审计和上市前财务规范辅导。"),
    ("guarantee", "融资诊断与银行对接", C.FINANCING, "1000", [3, 6, 12], "企业融资能力诊断，推荐合适的银行产品并陪同对接。"),
    ("guarantee", "贷款担保方案咨询", C.FINANCING, "500", [3, 6], "流动资金贷款担保、应急转贷方案设计。"),
    ("cloud", "云ERP（进销存+财务）", C.CLOUD, "299", [3, 6, 12], "开箱即用的进销存和财务一体化云系统，含数据备份。"),
    ("cloud", "企业云盘与协同办公", C.CLOUD, "99", [3, 6, 12], "100GB企业云盘、在线文档和审批流程。"),
]

# What happens to a subscription, in this order per tenant; each uses its own (enterprise, service) pair.
SCENARIOS = (
    ["active"] * 3 + ["soon"] * 2 + ["free"] * 2 + ["voucher_full", "voucher_part", "renewed"]
    + ["expired"] * 4 + ["pending"] * 2 + ["cancelled", "cancelled_voucher", "refunded"]
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
        f"{total['ratings']} ratings; {total['added']} rows added"
    )


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
        if Provider.objects.filter(name__in=names).exists() or admin is None or len(verified) < MIN_ENTERPRISES:
            before["added"] = 0
            return before
        with (
            backdated_clock() as clock,
            mock.patch("tenant_schema.billing.services.send_on_commit", lambda task, /, **kwargs: None),
            mock.patch("tenant_schema.billing.services._voucher_code", _voucher_codes(rng)),
            # Speed only. `admin` is a park administrator (found by that role above): skip re-asking per call.
            mock.patch("tenant_schema.billing.services._require_park_admin", lambda actor: None),
            # The whole seed runs in one schema and transaction: one SET search_path is enough.
            mock.patch("django_tenants.postgresql_backend.base.get_limit_set_calls", lambda: True),
            # ... and is all or nothing, so the services' nested blocks need no savepoints of their own.
            mock.patch("django.db.transaction.atomic", _atomic_without_savepoint),
        ):
            _seed(rng=rng, clock=clock, admin=admin, qiye1=qiye1, verified=verified, schema=schema)
        after = _totals()
    after["added"] = sum(after[key] - before[key] for key in ("providers", "services", "vouchers", "ratings", "subscriptions"))
    return after


def _seed(*, rng, clock, admin, qiye1, verified, schema) -> None:
    now = timezone.now()
    today = timezone.localdate()

    # Catalogue: the park's own services and those of 2–3 institutions, created a year ago.
    clock["at"] = _at(rng, today - dt.timedelta(days=rng.randint(380, 420)))
    kinds = rng.sample(sorted(PROVIDERS), rng.choice((2, 3)))
    providers = {}
    for kind in kinds:
        choices, description, contact = PROVIDERS[kind]
        providers[kind] = provider_create(actor=admin, name=rng.choice(choices), description=description, contact=contact)
    park_paid = [entry for entry in CATALOGUE if entry[0] is None and entry[3] != "0"]
    dropped = set() if len(kinds) == 2 else {rng.choice(park_paid)[1]}
    services = []
    for kind, name, category, price, terms, description in CATALOGUE:
        if (kind is not None and kind not in providers) or name in dropped:
            continue
        services.append(
            service_create(
                actor=admin, name=name, price=Decimal(price), category=category, term_options=terms,
                description=description, provider=providers.get(kind),
            )
        )
    free = [service for service in services if service.price == 0]
    priced = [service for service in services if service.price > 0]
    quality = {service.pk: rng.uniform(3.2, 4.9) for service in services}  # how well each is liked

    sample = rng.sample(verified, min(len(verified), 16))
    owners = _owners_ensure(sample, schema)
    used_pairs: set[tuple[int, int]] = set()

    def pick(index: int, pool: list[Service]) -> tuple[Enterprise, Service]:
        for offset in range(len(sample)):
            enterprise = sample[(index + offset) % len(sample)]
            options = [s for s in pool if (enterprise.pk, s.pk) not in used_pairs]
            if options:
                service = rng.choice(options)
                used_pairs.add((enterprise.pk, service.pk))
                return enterprise, service
        raise RuntimeError("no free (enterprise, service) pair left")

    def order(actor, service, at, **kwargs) -> Subscription:
        clock["at"] = at
        return subscription_checkout(
            actor=actor, service=service, term_months=kwargs.pop("term", None) or rng.choice(service.term_options),
            **kwargs,
        ).subscription

    def confirm(subscription, at) -> Subscription:
        clock["at"] = at
        return subscription_confirm_transfer(actor=admin, subscription=subscription)

    def plan(service, *, left=None, end=None, term=None):
        """A term and the moments it starts and ends: `left` days from today, or ending at `end`; started in the past."""
        term = term or rng.choice(service.term_options)
        if end is None:
            high = min(left[1], term * 28 - 3)
            end = _at(rng, today + dt.timedelta(days=rng.randint(min(left[0], high), high)))
        return term, _start_for_end(end, term), end

    def paid_term(owner, service, *, left=None, end=None, term=None, **kwargs) -> Subscription:
        """Ordered for a bank transfer a few days before the park confirmed it, so the term ends as planned."""
        term, start, end = plan(service, left=left, end=end, term=term)
        at = start - dt.timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 3))
        subscription = order(owner, service, at, term=term, method=OFFLINE, **kwargs)
        if subscription.status == S.PENDING_PAYMENT:
            subscription = confirm(subscription, start)
        return subscription

    def issue(enterprise, *, at, valid_days, service=None, note="") -> Voucher:
        clock["at"] = at
        kind = rng.choice((Voucher.Kind.AMOUNT, Voucher.Kind.PERCENT))
        value = Decimal(rng.choice((200, 300, 500, 1000))) if kind == Voucher.Kind.AMOUNT else Decimal(rng.choice((20, 30, 50)))
        return voucher_issue(
            actor=admin, enterprise=enterprise, kind=kind, value=value, service=service,
            expires_on=at.astimezone(SHANGHAI).date() + dt.timedelta(days=valid_days), note=note or "园区惠企服务券",
        )

    def back(low: int, high: int) -> dt.datetime:
        return _at(rng, today - dt.timedelta(days=rng.randint(low, high)))

    for index, scenario in enumerate(SCENARIOS):
        enterprise, service = pick(index, free if scenario == "free" else priced)
        owner = owners[enterprise.pk]
        if scenario == "active":
            paid_term(owner, service, left=(20, 250))
        elif scenario == "free":
            term, start, _end = plan(service, left=(20, 250))
            order(owner, service, start, term=term)  # nothing to pay: active at once
        elif scenario == "soon":
            # Ends within 7 days: the hourly sweep will send the 7-day (and later the 1-day) reminder.
            paid_term(owner, service, left=(1, 6))
        elif scenario == "renewed":
            current = paid_term(owner, service, left=(2, 6))
            renewal = order(owner, service, now - dt.timedelta(days=1, hours=rng.randint(1, 5)),
                            method=OFFLINE, renews=current)
            confirm(renewal, now - dt.timedelta(hours=rng.randint(2, 20)))  # starts where `current` ends
        elif scenario == "voucher_full":
            # An amount voucher worth the shortest term's price pays for all of it.
            term, start, _end = plan(service, left=(30, 200), term=min(service.term_options))
            clock["at"] = start - dt.timedelta(days=rng.randint(5, 20))
            voucher = voucher_issue(
                actor=admin, enterprise=enterprise, kind=Voucher.Kind.AMOUNT, value=service.price_for(term),
                service=service, expires_on=(start + dt.timedelta(days=30)).date(), note="首次体验服务券",
            )
            order(owner, service, start, term=term, voucher_code=voucher.code)
        elif scenario == "voucher_part":
            term, start, end = plan(service, left=(40, 250))
            voucher = issue(enterprise, at=start - dt.timedelta(days=rng.randint(10, 30)), valid_days=90)
            paid_term(owner, service, end=end, term=term, voucher_code=voucher.code)
        elif scenario == "expired":
            subscription = paid_term(owner, service, end=back(3, 150))
            clock["at"] = subscription.ends_at + dt.timedelta(minutes=rng.randint(1, 59))  # the hourly job
            subscription_expire(subscription=subscription, now=clock["at"])
        elif scenario == "pending":
            at = now - dt.timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 6))
            subscription = order(owner, service, at, method=OFFLINE)
            if rng.random() < 0.6:
                clock["at"] = at + dt.timedelta(hours=2)
                subscription_request_transfer(
                    actor=owner, subscription=subscription, reference=f"HK{at:%Y%m%d}{rng.randint(1000, 9999)}"
                )
        elif scenario in ("cancelled", "cancelled_voucher"):
            at = back(8, 60)
            kwargs = {}
            if scenario == "cancelled_voucher":  # cancelling frees the voucher: available again
                kwargs["voucher_code"] = issue(enterprise, at=at - dt.timedelta(days=3), valid_days=120).code
            subscription = order(owner, service, at, method=OFFLINE, **kwargs)
            clock["at"] = at + dt.timedelta(days=rng.randint(1, 4))
            subscription_cancel(actor=owner, subscription=subscription)
        elif scenario == "refunded":
            # Refunded a few days after the park confirmed the transfer (the finance office paid it back).
            term = max(service.term_options)
            subscription = paid_term(owner, service, term=term, end=add_months(back(20, 90), term))
            clock["at"] = subscription.activated_at + dt.timedelta(days=rng.randint(2, 12))
            subscription_refund(actor=admin, subscription=subscription)

    # Vouchers that were never used: some still available, some expired, one withdrawn.
    spare = [e for e in sample if e.pk not in {pk for pk, _s in used_pairs}] or sample
    for enterprise in rng.sample(spare, min(2, len(spare))):
        issue(enterprise, at=back(3, 20), valid_days=rng.randint(60, 120))
    for enterprise in rng.sample(sample, 2):
        issue(enterprise, at=back(150, 200), valid_days=rng.randint(30, 90), note="上半年惠企服务券")  # expired
    voucher = issue(rng.choice(sample), at=back(30, 60), valid_days=180)
    clock["at"] = back(5, 25)
    voucher_void(actor=admin, voucher=voucher)

    # qiye1: an active term of a priced service, and a voucher to use on the next order.
    if qiye1 is not None:
        owner = qiye1.memberships.order_by("pk").first().user
        service = rng.choice(priced)
        paid_term(owner, service, left=(45, 200))
        issue(qiye1, at=back(2, 10), valid_days=rng.randint(60, 90), note="园区惠企服务券（可用于任一服务）")

    # Ratings by most enterprises that used a service (a term that started, not refunded: what
    # rating_submit allows), scored around each service's quality. Written in bulk for speed, so
    # their dates are set afterwards (bulk_update leaves auto_now alone).
    clock["at"] = None
    used = (
        Subscription.objects.filter(service__in=services, status__in=[S.ACTIVE, S.EXPIRED], starts_at__lte=now)
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
        at = min(starts_at + dt.timedelta(days=rng.randint(7, 40), hours=rng.randint(0, 8)), now - dt.timedelta(hours=1))
        ratings.append(
            Rating(enterprise_id=enterprise_id, service_id=service_id, score=score, comment=rng.choice(COMMENTS[score]),
                   created_at=at, updated_at=at)
        )
    dates = [(rating.created_at, rating.updated_at) for rating in ratings]
    Rating.objects.bulk_create(ratings)
    for rating, (created, updated) in zip(ratings, dates, strict=True):
        rating.created_at, rating.updated_at = created, updated
    Rating.objects.bulk_update(ratings, ["created_at", "updated_at"])
