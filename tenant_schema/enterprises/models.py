"""Enterprises of a tenant (企业库): identity, profile, tags, yearly figures and members."""

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from saas.workflow import HistoryEntry, append_only_triggers
from tenant_schema.applications.page_versions import pages_version_trigger


class Industry(models.TextChoices):
    """GB/T 4754-2017 sections (门类)."""

    A = "A", _("Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("Mining")
    C = "C", _("Manufacturing")
    D = "D", _("Electricity, heat, gas and water supply")
    E = "E", _("Construction")
    F = "F", _("Wholesale and retail trade")
    G = "G", _("Transport, storage and postal services")
    H = "H", _("Accommodation and catering")
    I = "I", _("Information transmission, software and IT services")  # noqa: E741
    J = "J", _("Finance")
    K = "K", _("Real estate")
    L = "L", _("Leasing and business services")
    M = "M", _("Scientific research and technical services")
    N = "N", _("Water conservancy, environment and public facilities")
    O = "O", _("Resident services, repair and other services")  # noqa: E741
    P = "P", _("Education")
    Q = "Q", _("Health and social work")
    R = "R", _("Culture, sports and entertainment")
    S = "S", _("Public administration, social security and social organisations")
    T = "T", _("International organisations")


# GB/T 4754-2017 section names in Chinese, as printed in parks' sheets and in rules read
# aloud in Chinese whatever the interface language (data, not UI text).
INDUSTRY_NAMES_ZH = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}


class SizeClass(models.TextChoices):
    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class Tag(models.Model):
    """A label such as 专精特新; the platform's built-in ones plus the tenant's own."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    is_builtin = models.BooleanField(_("built in"), default=False)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["-is_builtin", "name"]

    def __str__(self):
        return self.name


class Enterprise(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    credit_code = models.CharField(_("Unified Social Credit Code"), max_length=18, unique=True)
    name = models.CharField(_("enterprise name"), max_length=200)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, blank=True)
    size_class = models.CharField(_("size class"), max_length=10, choices=SizeClass.choices, blank=True)
    above_designated_size = models.BooleanField(_("above designated size"), default=False)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="enterprises")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["industry"]),
            models.Index(fields=["above_designated_size"]),
            models.Index(fields=["name"]),
        ]
        # The application pages show the enterprise's name (tenant_schema.applications.page_versions).
        triggers = [
            pages_version_trigger(
                "enterprise_pages_version",
                enterprises="VALUES (NEW.id)",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("name"),
            )
        ]

    def __str__(self):
        return self.name


class YearlyFigures(models.Model):
    """One year's figures (CNY) that eligibility rules and dashboards read."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="yearly_figures")
    year = models.PositiveSmallIntegerField(_("year"))
    output_value = models.DecimalField(
        _("output value"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    revenue = models.DecimalField(
        _("operating revenue"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    tax_paid = models.DecimalField(_("tax paid"), max_digits=16, decimal_places=2, null=True, blank=True)
    rd_spend = models.DecimalField(_("R&D spend"), max_digits=16, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("yearly figures")
        verbose_name_plural = _("yearly figures")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="one_figures_row_per_year")
        ]

    def __str__(self):
        return f"{self.enterprise} {self.year}"

    @property
    def rd_share_of_revenue(self) -> Decimal | None:
        if not self.revenue or self.rd_spend is None:
            return None
        return (self.rd_spend / self.revenue * 100).quantize(Decimal("0.01"))


class Membership(models.Model):
    """An enterprise user's seat in one enterprise."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} @ {self.enterprise}"


class ImportBatch(models.Model):
    """One uploaded Excel sheet, from preview to done; the row is also the import's lock.

    A run claims the batch (SELECT … FOR UPDATE) by writing a fresh `claim_token`, and a
    thread of the claiming process stamps `heartbeat_at` (and `processed`) while it
    imports. A process that dies stops stamping: once the heartbeat is older than
    PARKHUB_IMPORT_STALE seconds the claim is stale, the page shows the batch as
    interrupted, and a redelivered task or the administrator's button claims it again.
    The rows themselves are written in one transaction that also marks the batch done,
    so a dead run leaves nothing and a re-run imports each row exactly once.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("previewed")
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=200, blank=True)
    storage_name = models.CharField(max_length=300)
    sheet_title = models.CharField(max_length=200, blank=True)
    ignored_columns = models.JSONField(default=list, blank=True)
    uploaded_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREVIEWED)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    problem_rows = models.PositiveIntegerField(default=0)
    would_create = models.PositiveIntegerField(default=0)
    would_update = models.PositiveIntegerField(default=0)
    would_keep = models.PositiveIntegerField(default=0)
    runs_in_worker = models.BooleanField(default=False)
    queued_at = models.DateTimeField(null=True, blank=True)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failure = models.CharField(max_length=32, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The lock: who holds the batch, when it last said it is alive, how many runs claimed it.
    claim_token = models.CharField(max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("enterprise import")
        verbose_name_plural = _("enterprise imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class EnterpriseChange(models.Model):
    """A change the park's staff made to a field the park verified (append-only).

    The verified fields (the credit code, the name and legal representative as on the
    licence, the size class and 规上) are what eligibility rules and the hub's figures
    trust; once an enterprise is verified only staff change them, and each change is kept.
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="verified_changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    field = models.CharField(_("field"), max_length=40)
    old_value = models.TextField(_("before"), blank=True)
    new_value = models.TextField(_("after"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("change to a verified field")
        verbose_name_plural = _("changes to verified fields")
        triggers = [
            # Not protected against DELETE: the rows go with their enterprise (CASCADE).
            pgtrigger.Protect(name="enterprise_change_no_update", operation=pgtrigger.Update),
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"


class VerificationEvent(HistoryEntry):
    """One step of an enterprise's verification (added by the park, verified, rejected, submitted again).

    Append-only in PostgreSQL (UPDATE and DELETE refused, raw SQL included), like
    applications' history: government users ask who verified or rejected an enterprise,
    when and why. The bulk paths (the Excel import, the demo seed) write none.
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="verification_history")

    class Meta(HistoryEntry.Meta):
        verbose_name = _("verification history")
        verbose_name_plural = _("verification history")
        triggers = append_only_triggers("verification_event")
        indexes = [models.Index(fields=["enterprise", "created_at"])]

    @property
    def action_display(self) -> str:
        from .workflow import ACTION_LABELS

        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def to_status_display(self) -> str:
        return str(dict(Enterprise.Status.choices).get(self.to_status, self.to_status))
