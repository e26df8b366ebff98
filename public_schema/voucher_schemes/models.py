"""Network vouchers (创新券 / 服务券), held in the public schema because three parties read them.

A scheme is issued by the hub or by a sub-platform; its vouchers are held by enterprises of
the sub-platforms in its area and spent on orders at admitted institutions; institutions
then claim the money back from the issuer. No row here points into a tenant's schema: the
holder enterprise is recorded by its id in the holder's schema and a snapshot of its name
and credit code, the order by its reference.

The budget is a ledger kept on the vouchers themselves: each voucher holds `budget_held`
of its scheme's budget (its amount while granted, spent or claimed, the settled amount
once settled, nothing when refused or expired). Only a grant raises what a voucher holds,
and every grant runs under the scheme's row lock, so the sum never exceeds the budget
(services.py); a database check keeps a voucher from holding more than its amount.
"""

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.files.storage import Storage
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from public_schema.network.models import ServiceCategory
from public_schema.tenants.storage import schema_storage
from saas.attachments import AttachmentFileMixin, attachment_storage_path
from saas.workflow import HistoryEntry, append_only_triggers

MONEY = {"max_digits": 14, "decimal_places": 2}


class VoucherScheme(models.Model):
    """A voucher programme: who issues it, its budget, what one voucher is worth and where it is good."""

    class Kind(models.TextChoices):
        FACE_VALUE = "face_value", _("Face value")
        PERCENTAGE = "percentage", _("Percentage of the price")

    issuer = models.ForeignKey(
        "tenants.Tenant", verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="voucher_schemes"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.FACE_VALUE)
    budget = models.DecimalField(
        _("total budget (CNY)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    face_value = models.DecimalField(_("face value (CNY)"), **MONEY, null=True, blank=True)
    percentage = models.DecimalField(
        _("percentage of the price"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    cap_per_voucher = models.DecimalField(
        _("cap per voucher (CNY)"), **MONEY, null=True, blank=True, help_text=_("For a percentage voucher.")
    )
    cap_per_enterprise = models.DecimalField(
        _("cap per enterprise (CNY)"),
        **MONEY,
        null=True,
        blank=True,
        help_text=_("Empty: one voucher's value."),
    )
    categories = ArrayField(
        models.CharField(max_length=20, choices=ServiceCategory.choices),
        verbose_name=_("eligible service categories"),
        default=list,
        blank=True,
        help_text=_("Empty: every category."),
    )
    # The sub-platforms whose enterprises may hold it; empty: the issuer's whole area (the
    # whole network for the hub, the sub-platform and its parks for a sub-platform).
    area = models.ManyToManyField(
        "tenants.Tenant", verbose_name=_("area"), blank=True, related_name="voucher_schemes_in_area"
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    eligibility_rules = models.JSONField(_("eligibility rules"), default=dict, blank=True)
    auto_grant = models.BooleanField(_("granted without application (免申即享)"), default=False)
    accepts_applications = models.BooleanField(_("enterprises may apply"), default=True)
    created_by_label = models.CharField(_("created by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("voucher scheme")
        verbose_name_plural = _("voucher schemes")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(budget__gt=0), name="voucher_scheme_budget_positive"),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="voucher_scheme_dates_in_order",
            ),
            # A face-value scheme names its value; a percentage one its rate and the cap of one voucher.
            models.CheckConstraint(
                condition=(
                    models.Q(kind="face_value", face_value__gt=0)
                    | models.Q(
                        kind="percentage", percentage__gt=0, percentage__lte=100, cap_per_voucher__gt=0
                    )
                ),
                name="voucher_scheme_value_defined",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def voucher_amount(self) -> Decimal:
        """What one voucher holds of the budget: its face value, or the cap of a percentage voucher."""
        return self.face_value if self.kind == self.Kind.FACE_VALUE else self.cap_per_voucher

    @property
    def enterprise_cap(self) -> Decimal:
        return self.cap_per_enterprise if self.cap_per_enterprise is not None else self.voucher_amount

    @property
    def category_labels(self) -> list[str]:
        return [str(ServiceCategory(category).label) for category in self.categories]

    @cached_property
    def value_label(self) -> str:
        if self.kind == self.Kind.FACE_VALUE:
            return _("%(amount)s yuan") % {"amount": self.face_value}
        return _("%(percentage)s%% of the price, at most %(cap)s yuan") % {
            "percentage": self.percentage.normalize(),
            "cap": self.cap_per_voucher,
        }


class NetworkVoucher(models.Model):
    """One voucher of a scheme for one enterprise: applied for or granted, then spent, claimed, settled."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied for")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Application refused")
        SPENT = "spent", _("Spent on an order")
        CLAIMED = "claimed", _("Claimed by the institution")
        SETTLED = "settled", _("Settled")
        CLAIM_REFUSED = "claim_refused", _("Claim refused")
        EXPIRED = "expired", _("Expired")

    scheme = models.ForeignKey(
        VoucherScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="vouchers"
    )
    code = models.CharField(_("voucher code"), max_length=20, unique=True)
    holder = models.ForeignKey(
        "tenants.Tenant",
        verbose_name=_("sub-platform"),
        on_delete=models.PROTECT,
        related_name="network_vouchers_held",
    )
    # The enterprise in the holder's schema: its id there and what the others may read of it.
    enterprise_id = models.PositiveBigIntegerField(_("enterprise id (in the sub-platform)"))
    enterprise_name = models.CharField(_("enterprise"), max_length=200)
    enterprise_credit_code = models.CharField(_("unified social credit code"), max_length=18)
    amount = models.DecimalField(_("amount (CNY)"), **MONEY)
    budget_held = models.DecimalField(_("budget held (CNY)"), **MONEY, default=Decimal("0"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.APPLIED)
    valid_until = models.DateField(_("valid until"))
    auto_granted = models.BooleanField(_("granted without application"), default=False)
    # The order it paid for (set while spent and after): the orders side's reference.
    order_reference = models.CharField(_("order"), max_length=64, blank=True)
    institution = models.ForeignKey(
        "tenants.Tenant",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="network_vouchers_spent",
    )
    category = models.CharField(_("category"), max_length=20, choices=ServiceCategory.choices, blank=True)
    order_price = models.DecimalField(_("order price (CNY)"), **MONEY, null=True, blank=True)
    discount = models.DecimalField(_("discount (CNY)"), **MONEY, null=True, blank=True)
    spent_at = models.DateTimeField(_("spent"), null=True, blank=True)
    # When the enterprise confirmed the order's delivery (the orders side tells us): only then may it be claimed.
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    claim = models.ForeignKey(
        "VoucherClaim",
        verbose_name=_("claim"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vouchers",
    )
    settled_amount = models.DecimalField(_("settled amount (CNY)"), **MONEY, null=True, blank=True)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    granted_at = models.DateTimeField(_("granted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("network voucher")
        verbose_name_plural = _("network vouchers")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["holder", "enterprise_id"]),
            models.Index(fields=["scheme", "status"]),
            models.Index(fields=["institution", "status"]),
            # The expiry sweep: granted vouchers by their last day.
            models.Index(
                fields=["valid_until"], name="voucher_granted_until_idx", condition=models.Q(status="granted")
            ),
        ]
        constraints = [
            # One order takes one voucher, and a retried spend finds the first (idempotency).
            models.UniqueConstraint(
                fields=["order_reference"],
                condition=~models.Q(order_reference=""),
                name="one_voucher_per_order",
            ),
            # One open application or unspent voucher of a scheme per enterprise at a time.
            models.UniqueConstraint(
                fields=["scheme", "holder", "enterprise_id"],
                condition=models.Q(status__in=["applied", "granted"]),
                name="one_open_voucher_per_enterprise",
            ),
            # 免申即享 grants each qualifying enterprise once, however often the run repeats.
            models.UniqueConstraint(
                fields=["scheme", "holder", "enterprise_id"],
                condition=models.Q(auto_granted=True),
                name="one_auto_grant_per_enterprise",
            ),
            models.CheckConstraint(
                condition=models.Q(budget_held__gte=0, budget_held__lte=models.F("amount")),
                name="voucher_holds_at_most_its_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(discount__isnull=True) | models.Q(discount__lte=models.F("amount")),
                name="voucher_discount_at_most_its_amount",
            ),
        ]

    def __str__(self):
        return self.code


class VoucherHistory(HistoryEntry):
    """Every step of a voucher; append-only in PostgreSQL.

    `actor` is set for the hub's operators (public schema's users); people of a sub-platform
    or an institution live in their own schema and are named in `actor_label`.
    """

    voucher = models.ForeignKey(NetworkVoucher, on_delete=models.PROTECT, related_name="history")
    actor_label = models.CharField(_("by"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount (CNY)"), **MONEY, null=True, blank=True)

    class Meta(HistoryEntry.Meta):
        verbose_name = _("voucher history")
        verbose_name_plural = _("voucher history")
        triggers = append_only_triggers("network_voucher_history")
        indexes = [models.Index(fields=["voucher", "created_at"])]


class VoucherClaim(models.Model):
    """An institution's redemption claim (兑付申请) for vouchers of one scheme it has been paid with."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        REVIEWING = "reviewing", _("Under review")
        APPROVED = "approved", _("Approved and settled")
        REFUSED = "refused", _("Refused")

    reference = models.CharField(_("claim number"), max_length=20, unique=True)
    scheme = models.ForeignKey(
        VoucherScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="claims"
    )
    institution = models.ForeignKey(
        "tenants.Tenant",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="voucher_claims",
    )
    amount_claimed = models.DecimalField(_("amount claimed (CNY)"), **MONEY)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    settled_amount = models.DecimalField(_("settled amount (CNY)"), **MONEY, null=True, blank=True)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    filed_by_label = models.CharField(_("filed by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("filed"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("voucher claim")
        verbose_name_plural = _("voucher claims")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["institution", "status"]), models.Index(fields=["scheme", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(settled_amount__isnull=True)
                | models.Q(settled_amount__lte=models.F("amount_claimed")),
                name="claim_settles_at_most_its_amount",
            ),
        ]

    def __str__(self):
        return self.reference


def claim_file_storage() -> Storage:
    """Claim files belong to the public schema's records: the public prefix, whichever site uploads them.

    The tenant storage would put an institution's upload under its own schema, out of the
    issuer's reach; /media/ serves only each schema's shared/ folder, so these files leave
    only through the claim's access-checked view. Local disk or S3 as for every upload
    (public_schema.tenants.storage).
    """
    return schema_storage("public")


def claim_file_path(instance, filename: str) -> str:
    return attachment_storage_path(owner_kind="voucher_claim", owner_id=instance.claim_id)


class ClaimFile(AttachmentFileMixin):
    """A contract, an invoice or a delivery proof of a claim."""

    class Kind(models.TextChoices):
        CONTRACT = "contract", _("Contract")
        INVOICE = "invoice", _("Invoice")
        DELIVERY = "delivery", _("Delivery proof")

    claim = models.ForeignKey(VoucherClaim, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(_("document"), max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=claim_file_path, storage=claim_file_storage, max_length=300)
    # The uploader is a person of the institution's schema: named, not linked.
    uploaded_by = None
    uploaded_by_label = models.CharField(_("uploaded by"), max_length=200, blank=True)

    class Meta(AttachmentFileMixin.Meta):
        verbose_name = _("claim file")
        verbose_name_plural = _("claim files")


class ClaimHistory(HistoryEntry):
    """Every step of a claim, shown to the institution as its stages; append-only in PostgreSQL."""

    claim = models.ForeignKey(VoucherClaim, on_delete=models.PROTECT, related_name="history")
    actor_label = models.CharField(_("by"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount (CNY)"), **MONEY, null=True, blank=True)

    class Meta(HistoryEntry.Meta):
        verbose_name = _("claim history")
        verbose_name_plural = _("claim history")
        triggers = append_only_triggers("voucher_claim_history")
        indexes = [models.Index(fields=["claim", "created_at"])]
