"""Value-added services (增值服务) of a tenant: catalogue, subscriptions, payments, vouchers, ratings.

A subscription is one paid term of one service for one enterprise. A renewal is a new
subscription whose term starts where the enterprise's current one ends, so every term
keeps its own price, payment, voucher and refund, and access is simply "is there an
active subscription whose term covers this moment" (see selectors.subscription_entitles).
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from saas.uniqueness import UniqueRule
from saas.workflow import HistoryEntry, append_only_triggers
from tenant_schema.enterprises.models import Enterprise

MONEY = {"max_digits": 12, "decimal_places": 2}
DEFAULT_TERMS = [3, 6, 12]


def default_terms() -> list[int]:
    return list(DEFAULT_TERMS)


class Provider(models.Model):
    """Who delivers a service: a professional service institution (a service without one is the park's own)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Service(models.Model):
    class Category(models.TextChoices):
        TRAINING = "training", _("Training")
        LEGAL = "legal", _("Legal services")
        FINANCING = "financing", _("Financing advice")
        CLOUD = "cloud", _("Cloud tools")
        CONSULTING = "consulting", _("Consulting")
        TALENT = "talent", _("Talent and HR")
        TECHNOLOGY = "technology", _("Technology transfer")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    provider = models.ForeignKey(
        Provider,
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
        help_text=_("Leave empty when the park itself delivers the service."),
    )
    price = models.DecimalField(
        _("price per month (CNY)"),
        **MONEY,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0 for a public-welfare service."),
    )
    term_options = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(60)]),
        verbose_name=_("terms offered (months)"),
        default=default_terms,
    )
    is_active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="service_price_not_negative"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_public_welfare(self) -> bool:
        return self.price == 0

    def price_for(self, term_months: int) -> Decimal:
        """A term costs its months times the monthly price, so 3, 6 and 12 months compare at a glance."""
        return (self.price * term_months).quantize(Decimal("0.01"))


class Voucher(models.Model):
    """A service voucher (服务券) the park gives one named enterprise; not transferable, used once."""

    class Kind(models.TextChoices):
        AMOUNT = "amount", _("Fixed amount")
        PERCENT = "percent", _("Percentage")

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        USED = "used", _("Used")
        VOID = "void", _("Withdrawn")

    code = models.CharField(_("code"), max_length=20, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="vouchers"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.DecimalField(
        _("value"),
        **MONEY,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Yuan for a fixed amount; 1 to 100 for a percentage."),
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("only for service"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="vouchers",
    )
    expires_on = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.AVAILABLE)
    note = models.CharField(_("note"), max_length=200, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("service voucher")
        verbose_name_plural = _("service vouchers")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gt=0), name="voucher_value_positive"),
            models.CheckConstraint(
                condition=~models.Q(kind="percent") | models.Q(value__lte=100),
                name="voucher_percent_at_most_100",
            ),
        ]

    def __str__(self):
        return self.code


class Subscription(models.Model):
    """One term of one service for one enterprise, from the moment its payment is confirmed."""

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="subscriptions"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="subscriptions"
    )
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT
    )
    list_price = models.DecimalField(_("list price"), **MONEY)
    discount = models.DecimalField(_("voucher discount"), **MONEY, default=Decimal("0"))
    amount_due = models.DecimalField(_("amount due"), **MONEY)
    # One subscription per voucher: the database refuses a second use even if two checkouts race.
    voucher = models.OneToOneField(
        Voucher,
        verbose_name=_("voucher"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subscription",
    )
    renews = models.ForeignKey(
        "self",
        verbose_name=_("renews"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewals",
    )
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ordered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ordered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    activated_at = models.DateTimeField(_("payment confirmed"), null=True, blank=True)
    # Set when an order is placed with something left to pay; the hourly sweep cancels it
    # once passed (orders placed before deadlines existed have none and wait as before).
    pay_by = models.DateTimeField(_("pay by"), null=True, blank=True)
    # Stamps that make notices go out once, however often the jobs run.
    activation_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_7d_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_1d_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["enterprise", "service", "status"]),
            models.Index(fields=["status", "ends_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_due__gte=0), name="subscription_amount_not_negative"
            ),
            # One order waiting for payment per enterprise and service: a double-clicked "buy"
            # makes one order, not two to pay (issue 14). Renewals wait only once paid terms exist.
            models.UniqueConstraint(
                fields=["enterprise", "service"],
                condition=models.Q(status="pending_payment"),
                name="one_pending_order_per_service",
            ),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.service} · {self.term_months}"

    @property
    def order_reference(self) -> str:
        """What the enterprise writes in the transfer's memo (附言) so the park can match the money to the order."""
        return f"FW{self.pk:06d}"


ONE_PENDING_ORDER = UniqueRule(
    constraint="one_pending_order_per_service",
    field="service",
    message=_("An order for this service is already waiting for payment. Pay or cancel it first."),
)


class TransferAccount(models.Model):
    """The park's bank account for transfers (对公转账): one per tenant, set by its administrator.

    A tenant's schema holds one park, so "one per tenant" is one row: the constant
    `singleton` column is unique and can only be true.
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    payee = models.CharField(
        _("payee"), max_length=200, help_text=_("The account holder's name, as the bank has it.")
    )
    bank = models.CharField(
        _("bank"), max_length=200, help_text=_("Bank and branch, e.g. 中国工商银行北京中关村支行.")
    )
    account_number = models.CharField(_("account number"), max_length=40)
    days_to_pay = models.PositiveSmallIntegerField(
        _("working days to pay"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("An order not paid within this many working days is cancelled and its voucher freed."),
    )
    note = models.CharField(_("note for payers"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    DEFAULT_DAYS_TO_PAY = 5

    class Meta:
        verbose_name = _("bank account for transfers")
        verbose_name_plural = _("bank account for transfers")
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=True), name="one_transfer_account"),
        ]

    def __str__(self):
        return f"{self.payee} · {self.bank}"


class BillingHistoryEntry(HistoryEntry):
    """A row of billing's histories, with the names of its step and status as a person reads them."""

    workflow_name = ""  # the key of tenant_schema.billing.workflow.WORKFLOWS
    status_choices: type[models.TextChoices]

    class Meta(HistoryEntry.Meta):
        abstract = True

    @property
    def action_display(self) -> str:
        from .workflow import WORKFLOWS, action_label

        if not self.action:  # a row from before the history was a workflow's: it named only the new status
            return self.to_status_display
        return action_label(WORKFLOWS[self.workflow_name], self.action)

    @property
    def to_status_display(self) -> str:
        return str(dict(self.status_choices.choices).get(self.to_status, self.to_status))


class SubscriptionHistory(BillingHistoryEntry):
    """Every status change of a subscription (an order until it is paid): who, when, from, to, why.

    Append-only in PostgreSQL, like applications' history. Rows written before the table
    became append-only have an empty action; their comment is the note they had.
    """

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="history")
    workflow_name = "subscription"
    status_choices = Subscription.Status

    class Meta(BillingHistoryEntry.Meta):
        verbose_name = _("subscription history")
        verbose_name_plural = _("subscription history")
        triggers = append_only_triggers("subscription_history")
        indexes = [models.Index(fields=["subscription", "created_at"])]

    def __str__(self):
        return f"{self.from_status or '-'} → {self.to_status}"


class Payment(models.Model):
    """One attempt to pay a subscription: a Stripe Checkout Session, an offline transfer, or a voucher."""

    class Method(models.TextChoices):
        STRIPE = "stripe", _("Online payment (Stripe)")
        OFFLINE = "offline", _("Bank transfer (对公转账)")
        VOUCHER = "voucher", _("Covered by voucher")
        FREE = "free", _("Free (public welfare)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Paid")
        FAILED = "failed", _("Failed or expired")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    amount = models.DecimalField(_("amount (CNY)"), **MONEY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # Sent with the Checkout Session request: a retry of this attempt can never create a second session.
    idempotency_key = models.CharField(max_length=64, unique=True)
    stripe_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True)
    checkout_url = models.URLField(max_length=1000, blank=True)
    transfer_reference = models.CharField(_("transfer reference"), max_length=100, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("paid"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "confirmed_at"])]

    def __str__(self):
        return f"{self.get_method_display()} {self.amount}"


class PaymentHistory(BillingHistoryEntry):
    """Every status change of a payment attempt (paid, failed, cancelled, refunded); append-only in PostgreSQL."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="history")
    workflow_name = "payment"
    status_choices = Payment.Status

    class Meta(BillingHistoryEntry.Meta):
        verbose_name = _("payment history")
        verbose_name_plural = _("payment history")
        triggers = append_only_triggers("payment_history")
        indexes = [models.Index(fields=["payment", "created_at"])]


class VoucherHistory(BillingHistoryEntry):
    """Every status change of a voucher (issued, used, freed, withdrawn); append-only in PostgreSQL."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="history")
    workflow_name = "voucher"
    status_choices = Voucher.Status

    class Meta(BillingHistoryEntry.Meta):
        verbose_name = _("voucher history")
        verbose_name_plural = _("voucher history")
        triggers = append_only_triggers("voucher_history")
        indexes = [models.Index(fields=["voucher", "created_at"])]


class Rating(models.Model):
    """An enterprise's rating of a service it has used; one per enterprise and service, updatable."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="service_ratings")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("rated"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "service"], name="one_rating_per_enterprise_service"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.service} {self.score}/5"
