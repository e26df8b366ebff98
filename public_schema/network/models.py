"""The network between tenants, held in the public schema (reference tables under Citus).

Three things live here because more than one tenant reads them:

- `Handoff`: the envelope of every flow that crosses a tenant boundary (an order to an
  institution, its later steps, a city-wide programme delivered into a sub-platform). The
  sender writes its own record and the envelope in one transaction; a worker applies it in
  the receiver's schema (see `handoffs.py`). No foreign key ever points into a tenant's schema.
- `InstitutionProfile`: a service institution's entry in the network's pool (入库), with
  its review through stages; the hub admits, refuses, suspends or removes it.
- `NetworkProduct`: what an admitted institution sells to the sub-platforms it serves.
"""

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from saas.workflow import HistoryEntry, append_only_triggers

MONEY = {"max_digits": 12, "decimal_places": 2}


class Handoff(models.Model):
    """One envelope from a sender schema to a receiver schema: parties, kind, state, idempotency key.

    `payload` carries only the fields both sides may see (the shared fields of an order, a
    programme's text); each side's own record stays in its own schema. The unique
    `idempotency_key` makes a repeated send one envelope, and the receiver's own unique
    key on the envelope makes a repeated delivery one record.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        REFUSED = "refused", _("Refused by the receiver")

    kind = models.CharField(_("kind"), max_length=40)
    sender = models.ForeignKey(
        "tenants.Tenant", verbose_name=_("sender"), on_delete=models.CASCADE, related_name="handoffs_sent"
    )
    receiver = models.ForeignKey(
        "tenants.Tenant",
        verbose_name=_("receiver"),
        on_delete=models.CASCADE,
        related_name="handoffs_received",
    )
    # What the envelope is about (an order's reference), so either side can ask "is anything pending?"
    reference = models.CharField(_("reference"), max_length=64, db_index=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    payload = models.JSONField(_("shared fields"), default=dict)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("delivery attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # What the receiver made of it (its record's id), for the sender's page and the hub's.
    result = models.JSONField(_("receiver's answer"), default=dict, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("handoff")
        verbose_name_plural = _("handoffs")
        ordering = ["created_at", "pk"]
        indexes = [
            # The sweep's scan: what is still pending, oldest first.
            models.Index(
                fields=["created_at"], name="handoff_pending_idx", condition=models.Q(state="pending")
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.sender_id}→{self.receiver_id} {self.state}"


class ServiceCategory(models.TextChoices):
    """The network catalogue's categories (seeds 001/002: training, entrepreneurship, innovation, financing, informatisation…)."""

    TRAINING = "training", _("Training")
    ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship")
    INNOVATION = "innovation", _("Innovation and technology")
    FINANCING = "financing", _("Financing")
    INFORMATISATION = "informatisation", _("Informatisation and cloud tools")
    LEGAL = "legal", _("Legal services")
    TALENT = "talent", _("Talent and HR")
    TESTING = "testing", _("Testing and certification")
    CONSULTING = "consulting", _("Management consulting")
    MARKETING = "marketing", _("Marketing and trade")
    OTHER = "other", _("Other")


class InstitutionProfile(models.Model):
    """A service institution's pool entry (入库): its profile and where the hub's review stands."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Not yet submitted")
        SUBMITTED = "submitted", _("Submitted")
        REVIEWING = "reviewing", _("Under review")
        ADMITTED = "admitted", _("Admitted to the pool")
        REFUSED = "refused", _("Refused")
        SUSPENDED = "suspended", _("Suspended")
        REMOVED = "removed", _("Removed from the pool")

    tenant = models.OneToOneField(
        "tenants.Tenant",
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="institution_profile",
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    qualifications = models.TextField(_("qualifications"), blank=True)
    categories = ArrayField(
        models.CharField(max_length=20, choices=ServiceCategory.choices),
        verbose_name=_("service categories"),
        default=list,
        blank=True,
    )
    # The sub-platforms and parks it serves; empty: the whole network.
    serves = models.ManyToManyField(
        "tenants.Tenant", verbose_name=_("sub-platforms served"), blank=True, related_name="served_by"
    )
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    admitted_at = models.DateTimeField(_("admitted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("institution profile")
        verbose_name_plural = _("institution profiles")
        ordering = ["tenant__name"]

    def __str__(self):
        return str(self.tenant)

    @property
    def may_sell(self) -> bool:
        return self.status == self.Status.ADMITTED

    @property
    def category_labels(self) -> list[str]:
        return [ServiceCategory(value).label for value in self.categories if value in ServiceCategory.values]


class AdmissionHistory(HistoryEntry):
    """Every step of an institution's pool entry; append-only in PostgreSQL.

    `actor` is a hub operator (public schema's users); the institution's own staff live in
    its schema, so their steps name them in `actor_label` instead of a foreign key.
    """

    profile = models.ForeignKey(InstitutionProfile, on_delete=models.PROTECT, related_name="history")
    actor_label = models.CharField(_("by"), max_length=200, blank=True)

    class Meta(HistoryEntry.Meta):
        verbose_name = _("admission history")
        verbose_name_plural = _("admission history")
        triggers = append_only_triggers("admission_history")
        indexes = [models.Index(fields=["profile", "created_at"])]


class NetworkProduct(models.Model):
    """A service an institution offers on the network catalogue (服务超市)."""

    class Term(models.IntegerChoices):
        THREE = 3, _("3 months")
        SIX = 6, _("6 months")
        TWELVE = 12, _("12 months")

    institution = models.ForeignKey(
        "tenants.Tenant",
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="network_products",
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=ServiceCategory.choices)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(
        _("price (CNY)"),
        **MONEY,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0 for a free (public-welfare) service."),
    )
    # A time-limited rental (cloud tools): the order becomes a subscription of this many months.
    term_months = models.PositiveSmallIntegerField(
        _("rental term (months)"), choices=Term.choices, null=True, blank=True
    )
    delivery_days = models.PositiveSmallIntegerField(
        _("delivery time limit (working days)"), validators=[MinValueValidator(1)], default=10
    )
    # The sub-platforms it is offered to; empty: every one the institution serves.
    serves = models.ManyToManyField(
        "tenants.Tenant", verbose_name=_("offered to"), blank=True, related_name="network_products_offered"
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("network product")
        verbose_name_plural = _("network products")
        ordering = ["category", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="network_product_price_not_negative"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_free(self) -> bool:
        return self.price == 0


class InstitutionEvaluation(models.Model):
    """An institution's published figures (绩效评价): one public row, written on each seller-side step.

    The institution's schema holds its orders; what the catalogue, the ranking and the hub
    read is this row, written in the same transaction as the step that changed the figures
    (tenant_schema.network_orders), so no page reads across the institutions' schemas.
    """

    institution = models.OneToOneField(
        "tenants.Tenant",
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="evaluation",
    )
    orders = models.PositiveIntegerField(_("orders"), default=0)
    # Delivered, or accepted and past the delivery deadline, when last published.
    delivery_due = models.PositiveIntegerField(default=0)
    delivered_on_time = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    rating_average = models.DecimalField(
        _("average rating"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    vouchers_redeemed = models.PositiveIntegerField(_("vouchers redeemed"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("institution evaluation")
        verbose_name_plural = _("institution evaluations")

    def __str__(self):
        return f"{self.institution_id}: {self.orders}"
