"""Reads of value-added services, scoped to what the user may see (the same 404 otherwise).

`subscription_entitles` is the one answer to "may this enterprise use this service now?":
pages, the API and other apps ask it, and it reads the term's dates, so access ends at
the end date even before the hourly job marks the subscription expired.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Max, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from tenant_schema.enterprises.models import Enterprise
from tenant_schema.enterprises.selectors import enterprise_of_user, user_is_park_staff

from .models import (
    Payment,
    PaymentHistory,
    Provider,
    Rating,
    Service,
    Subscription,
    SubscriptionHistory,
    TransferAccount,
    Voucher,
    VoucherHistory,
)

User = get_user_model()

PAID_STATUSES = (Subscription.Status.ACTIVE, Subscription.Status.EXPIRED)


def subscription_entitles(
    *, enterprise: Enterprise | None, service: Service, at: datetime | None = None
) -> bool:
    """True while a paid term of this service covers the moment `at` (now by default)."""
    if enterprise is None:
        return False
    at = at or timezone.now()
    return Subscription.objects.filter(
        enterprise=enterprise,
        service=service,
        status=Subscription.Status.ACTIVE,
        starts_at__lte=at,
        ends_at__gt=at,
    ).exists()


def access_end(
    *, enterprise: Enterprise | None, service: Service, at: datetime | None = None
) -> datetime | None:
    """The end of the enterprise's paid access, renewals included (None without access)."""
    if enterprise is None:
        return None
    at = at or timezone.now()
    return Subscription.objects.filter(
        enterprise=enterprise, service=service, status=Subscription.Status.ACTIVE, ends_at__gt=at
    ).aggregate(end=Max("ends_at"))["end"]


def days_left(subscription: Subscription, *, at: datetime | None = None) -> int | None:
    """Whole days until the term ends, counting a started day (0 once it has ended)."""
    if subscription.status != Subscription.Status.ACTIVE or subscription.ends_at is None:
        return None
    at = at or timezone.now()
    seconds = (subscription.ends_at - at).total_seconds()
    return max(0, -int(-seconds // 86400))


# ---------------------------------------------------------------------------
# Catalogue
# ---------------------------------------------------------------------------


def service_list(
    *, user: User, include_inactive: bool = False, category: str = "", search: str = ""
) -> QuerySet[Service]:
    """The tenant's catalogue with each service's average rating and number of subscribing enterprises.

    Enterprises see the services on offer; park staff may include withdrawn ones.
    """
    services = Service.objects.select_related("provider")
    if not (include_inactive and user_is_park_staff(user)):
        services = services.filter(is_active=True)
    if category:
        services = services.filter(category=category)
    if search:
        services = services.filter(
            Q(name__icontains=search.strip()) | Q(description__icontains=search.strip())
        )
    return services.annotate(
        average_rating=Avg("ratings__score"),
        rating_count=Count("ratings", distinct=True),
        subscriber_count=Count(
            "subscriptions__enterprise", filter=Q(subscriptions__status__in=PAID_STATUSES), distinct=True
        ),
    ).order_by("name", "pk")


def service_get_for_user(*, user: User, pk) -> Service:
    try:
        return service_list(user=user, include_inactive=user_is_park_staff(user)).get(pk=pk)
    except (Service.DoesNotExist, ValueError, TypeError):
        raise Http404("No such service") from None


def service_ratings(*, service: Service) -> QuerySet[Rating]:
    return service.ratings.select_related("enterprise").order_by("-updated_at")


@dataclass(frozen=True)
class ProviderRank:
    name: str
    is_park: bool
    provider_id: int | None
    service_count: int
    average_rating: Decimal | None
    rating_count: int
    subscription_count: int


def provider_ranking() -> list[ProviderRank]:
    """Providers of this tenant ranked by average rating, then by paid subscriptions (volume).

    Services without a provider are the park's own and rank as one provider.
    """
    rows = (
        Service.objects.values("provider_id", "provider__name")
        .annotate(
            service_count=Count("pk", distinct=True),
            average_rating=Avg("ratings__score"),
            rating_count=Count("ratings", distinct=True),
            subscription_count=Count(
                "subscriptions", filter=Q(subscriptions__status__in=PAID_STATUSES), distinct=True
            ),
        )
        .order_by()
    )
    ranks = [
        ProviderRank(
            name=row["provider__name"] or "",
            is_park=row["provider_id"] is None,
            provider_id=row["provider_id"],
            service_count=row["service_count"],
            average_rating=(
                Decimal(str(row["average_rating"])).quantize(Decimal("0.01"))
                if row["average_rating"] is not None
                else None
            ),
            rating_count=row["rating_count"],
            subscription_count=row["subscription_count"],
        )
        for row in rows
    ]
    return sorted(
        ranks,
        key=lambda rank: (
            rank.average_rating is None,
            -(rank.average_rating or 0),
            -rank.subscription_count,
            rank.name,
        ),
    )


def provider_list() -> QuerySet[Provider]:
    return Provider.objects.all()


# ---------------------------------------------------------------------------
# Subscriptions
# ---------------------------------------------------------------------------


# Shown wherever a subscription is (its page, the API): its history and each payment's, with who acted.
SUBSCRIPTION_HISTORIES = (
    Prefetch("history", queryset=SubscriptionHistory.objects.select_related("actor")),
    Prefetch(
        "payments",
        queryset=Payment.objects.prefetch_related(
            Prefetch("history", queryset=PaymentHistory.objects.select_related("actor"))
        ),
    ),
)


def subscription_list_for_user(
    *, user: User, status: str = "", service_id: int | None = None, search: str = ""
) -> QuerySet[Subscription]:
    """Park staff see every subscription of the park; an enterprise user only its enterprise's.

    `search`: part of the enterprise's name or its credit code (the park's list).
    """
    if user_is_park_staff(user):
        subscriptions = Subscription.objects.all()
    else:
        enterprise = enterprise_of_user(user=user)
        if enterprise is None:
            return Subscription.objects.none()
        subscriptions = Subscription.objects.filter(enterprise=enterprise)
    if status:
        subscriptions = subscriptions.filter(status=status)
    if service_id:
        subscriptions = subscriptions.filter(service_id=service_id)
    if search := (search or "").strip():
        subscriptions = subscriptions.filter(
            Q(enterprise__name__icontains=search) | Q(enterprise__credit_code__iexact=search)
        )
    return (
        subscriptions.select_related("service", "service__provider", "enterprise", "voucher")
        .prefetch_related(*SUBSCRIPTION_HISTORIES)
        .order_by("-created_at", "-pk")
    )


def subscription_get_for_user(*, user: User, pk) -> Subscription:
    """One subscription if the user may see it; the same 404 for "not yours" and "does not exist"."""
    try:
        return subscription_list_for_user(user=user).get(pk=pk)
    except (Subscription.DoesNotExist, ValueError, TypeError):
        raise Http404("No such subscription") from None


def transfers_awaiting_confirmation() -> QuerySet[Subscription]:
    """Orders whose enterprise chose a bank transfer, for the park to confirm on receipt."""
    return (
        Subscription.objects.filter(
            status=Subscription.Status.PENDING_PAYMENT,
            payments__method=Payment.Method.OFFLINE,
            payments__status=Payment.Status.PENDING,
        )
        .select_related("service", "enterprise")
        .distinct()
        .order_by("created_at")
    )


def transfer_account() -> TransferAccount | None:
    """The park's bank account for transfers, or None until its administrator has set it."""
    return TransferAccount.objects.first()


# ---------------------------------------------------------------------------
# Vouchers
# ---------------------------------------------------------------------------


def voucher_list_for_user(*, user: User, status: str = "") -> QuerySet[Voucher]:
    if user_is_park_staff(user):
        vouchers = Voucher.objects.all()
    else:
        enterprise = enterprise_of_user(user=user)
        if enterprise is None:
            return Voucher.objects.none()
        vouchers = Voucher.objects.filter(enterprise=enterprise)
    if status:
        vouchers = vouchers.filter(status=status)
    return (
        vouchers.select_related("enterprise", "service")
        .prefetch_related(Prefetch("history", queryset=VoucherHistory.objects.select_related("actor")))
        .order_by("-issued_at", "-pk")
    )


def voucher_get_for_user(*, user: User, pk) -> Voucher:
    try:
        return voucher_list_for_user(user=user).get(pk=pk)
    except (Voucher.DoesNotExist, ValueError, TypeError):
        raise Http404("No such voucher") from None


def vouchers_usable(*, enterprise: Enterprise, service: Service | None = None) -> QuerySet[Voucher]:
    """The enterprise's vouchers that can still pay for something (for the checkout page)."""
    vouchers = Voucher.objects.filter(
        enterprise=enterprise, status=Voucher.Status.AVAILABLE, expires_on__gte=timezone.localdate()
    )
    if service is not None:
        vouchers = vouchers.filter(Q(service__isnull=True) | Q(service=service))
    return vouchers.order_by("expires_on", "pk")


# ---------------------------------------------------------------------------
# Revenue
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthRevenue:
    month: datetime
    received: Decimal
    payments: int
    refunded: Decimal
    net: Decimal


def revenue_by_month() -> list[MonthRevenue]:
    """Money received per calendar month (Asia/Shanghai), refunds in the month they were made."""
    tz = ZoneInfo(settings.TIME_ZONE)
    received = (
        Payment.objects.filter(status__in=[Payment.Status.SUCCEEDED, Payment.Status.REFUNDED], amount__gt=0)
        .exclude(confirmed_at__isnull=True)
        .annotate(month=TruncMonth("confirmed_at", tzinfo=tz))
        .values("month")
        .annotate(total=Sum("amount"), count=Count("pk"))
        .order_by()
    )
    refunded = (
        Payment.objects.filter(status=Payment.Status.REFUNDED, amount__gt=0, refunded_at__isnull=False)
        .annotate(month=TruncMonth("refunded_at", tzinfo=tz))
        .values("month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    months: dict = {}
    for row in received:
        months[row["month"]] = [row["total"], row["count"], Decimal("0.00")]
    for row in refunded:
        months.setdefault(row["month"], [Decimal("0.00"), 0, Decimal("0.00")])[2] = row["total"]
    return [
        MonthRevenue(
            month=month, received=values[0], payments=values[1], refunded=values[2], net=values[0] - values[2]
        )
        for month, values in sorted(months.items(), reverse=True)
    ]
