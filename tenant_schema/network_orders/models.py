"""Orders of the network catalogue (服务超市): one row per side, each in its own schema.

An enterprise of sub-platform A orders a product of institution X. A's schema holds the
buyer's row (with a foreign key to its enterprise); X's schema holds the seller's row,
made from the envelope (public_schema.network.Handoff) and carrying only what the order
needs: the enterprise's name, credit code and the contact it chose to share. Both rows
share `reference`; neither points into the other schema. Every later step is applied on
one side and mirrored on the other by an "order.event" envelope, so the two rows go
through the same states (tenant_schema/network_orders/workflow.py).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from public_schema.network.models import ServiceCategory
from saas.attachments import AttachmentFileMixin, attachment_storage_path
from saas.workflow import HistoryEntry, append_only_triggers
from tenant_schema.enterprises.models import Enterprise

MONEY = {"max_digits": 12, "decimal_places": 2}


class NetworkOrder(models.Model):
    class Side(models.TextChoices):
        BUYER = "buyer", _("Buyer")
        SELLER = "seller", _("Seller")

    class Status(models.TextChoices):
        PLACED = "placed", _("Awaiting acceptance")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused by the institution")
        CANCELLED = "cancelled", _("Cancelled by the enterprise")
        DELIVERED = "delivered", _("Delivered")
        CONFIRMED = "confirmed", _("Confirmed and rated")

    class PaymentMethod(models.TextChoices):
        FREE = "free", _("Free (public welfare)")
        OFFLINE = "offline", _("Bank transfer (对公转账)")
        VOUCHER = "voucher", _("Voucher (the whole price)")
        STRIPE = "stripe", _("Online payment (Stripe Checkout)")

    class PaymentStatus(models.TextChoices):
        FREE = "free", _("Nothing to pay")
        DUE = "due", _("Awaiting payment")
        PAID = "paid", _("Payment received")

    reference = models.CharField(_("order number"), max_length=36)
    side = models.CharField(_("side"), max_length=6, choices=Side.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLACED)

    # The product as it was when ordered: a later price or name change never alters an order.
    product_id = models.PositiveIntegerField(_("product"))
    product_name = models.CharField(_("product"), max_length=200)
    product_category = models.CharField(_("category"), max_length=20, choices=ServiceCategory.choices)
    price = models.DecimalField(_("price (CNY)"), **MONEY)
    term_months = models.PositiveSmallIntegerField(_("rental term (months)"), null=True, blank=True)
    delivery_days = models.PositiveSmallIntegerField(_("delivery time limit (working days)"))
    institution_tenant_id = models.PositiveIntegerField(_("institution"))
    institution_name = models.CharField(_("institution"), max_length=200)

    # The buyer: a foreign key on the buyer's side only; the seller keeps what the order needs.
    buyer_tenant_id = models.PositiveIntegerField(_("sub-platform"))
    buyer_tenant_name = models.CharField(_("sub-platform"), max_length=200)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="network_orders",
    )
    enterprise_name = models.CharField(_("enterprise"), max_length=200)
    enterprise_credit_code = models.CharField(_("Unified Social Credit Code"), max_length=18)
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    note = models.TextField(_("message to the institution"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ordered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Money: a network voucher (public_schema.voucher_schemes) spent on the order gives
    # `voucher_discount`; `amount_due` is the remainder, paid by transfer or Stripe Checkout.
    payment_method = models.CharField(_("payment"), max_length=10, choices=PaymentMethod.choices)
    payment_status = models.CharField(_("payment status"), max_length=6, choices=PaymentStatus.choices)
    voucher_discount = models.DecimalField(_("voucher discount"), **MONEY, default=Decimal("0"))
    voucher_code = models.CharField(_("voucher"), max_length=40, blank=True)
    # The buyer's Stripe Checkout Session for the remainder (buyer's copy only; Stripe's id, not a key).
    checkout_session_id = models.CharField(max_length=255, blank=True, editable=False, db_index=True)
    amount_due = models.DecimalField(_("amount due"), **MONEY)
    transfer_reference = models.CharField(_("transfer reference"), max_length=100, blank=True)
    paid_at = models.DateTimeField(_("payment received"), null=True, blank=True)

    # The timeline and its limits in working days (saas.workdays).
    placed_at = models.DateTimeField(_("ordered"))
    acceptance_due_at = models.DateTimeField(_("accept by"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    delivery_due_at = models.DateTimeField(_("deliver by"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    delivery_note = models.TextField(_("delivery record"), blank=True, max_length=4000)
    delivery_files = models.JSONField(_("delivery files"), default=list, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    closed_reason = models.CharField(_("reason"), max_length=500, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("comment"), blank=True, max_length=2000)
    # A time-limited product (rental of a cloud tool) runs from confirmation for its term.
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)

    # Stamps that make each reminder go out once, however often the periodic task runs.
    acceptance_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    delivery_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("network order")
        verbose_name_plural = _("network orders")
        ordering = ["-placed_at", "-pk"]
        indexes = [models.Index(fields=["side", "status"])]
        constraints = [
            # One row per side and order: a replayed envelope or a repeated submit is no second order.
            models.UniqueConstraint(fields=["reference", "side"], name="network_order_one_row_per_side"),
            models.CheckConstraint(
                condition=models.Q(side="buyer", enterprise__isnull=False)
                | models.Q(side="seller", enterprise__isnull=True),
                name="network_order_enterprise_on_buyer_side_only",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_due__gte=0), name="network_order_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="network_order_rating_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.reference[:8]} {self.product_name} ({self.side})"

    @property
    def is_buyer_side(self) -> bool:
        return self.side == self.Side.BUYER

    @property
    def peer_tenant_id(self) -> int:
        return self.institution_tenant_id if self.is_buyer_side else self.buyer_tenant_id

    @property
    def peer_side(self) -> str:
        return self.Side.SELLER if self.is_buyer_side else self.Side.BUYER

    @property
    def due_at(self):
        """The deadline the order is waiting on: acceptance while placed, delivery once accepted."""
        if self.status == self.Status.PLACED:
            return self.acceptance_due_at
        if self.status == self.Status.ACCEPTED:
            return self.delivery_due_at
        return None

    def is_overdue(self, now=None) -> bool:
        from django.utils import timezone

        due = self.due_at
        return due is not None and due < (now or timezone.now())

    @property
    def delivered_on_time(self) -> bool | None:
        if self.delivered_at is None or self.delivery_due_at is None:
            return None
        return self.delivered_at <= self.delivery_due_at


class NetworkOrderHistory(HistoryEntry):
    """Every step of one side's copy of an order; append-only in PostgreSQL.

    A step taken on the other side is recorded here when its envelope arrives: `actor` is
    empty then and `actor_label` names the side, and `handoff_key` (unique) is the
    envelope's, so a replayed envelope cannot record, or apply, the step twice.
    """

    order = models.ForeignKey(NetworkOrder, on_delete=models.PROTECT, related_name="history")
    actor_label = models.CharField(_("by"), max_length=200, blank=True)
    handoff_key = models.CharField(max_length=200, unique=True, null=True, blank=True)

    class Meta(HistoryEntry.Meta):
        verbose_name = _("network order history")
        verbose_name_plural = _("network order history")
        triggers = append_only_triggers("network_order_history")
        indexes = [models.Index(fields=["order", "created_at"])]

    def __str__(self):
        return f"{self.action}: {self.from_status or '-'} → {self.to_status}"

    @property
    def action_display(self) -> str:
        from .workflow import action_label  # the workflow module imports these models

        return action_label(self.action)


def delivery_file_path(attachment, filename):
    # Referenced by name in the migrations; the path itself is the one rule of saas.attachments.
    return attachment_storage_path(owner_kind="network_orders", owner_id=attachment.order_id)


class NetworkOrderFile(AttachmentFileMixin):
    """A file of the institution's delivery record, kept with its copy of the order (its own schema).

    The enterprise's copy lists the files' names and sizes (`NetworkOrder.delivery_files`); the
    files themselves do not cross the boundary.
    """

    order = models.ForeignKey(NetworkOrder, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=delivery_file_path, max_length=300)

    class Meta(AttachmentFileMixin.Meta):
        pass
