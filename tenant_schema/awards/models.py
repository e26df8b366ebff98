"""An award after its approval: the payment plan in tranches, the reports it owes, its final
acceptance (验收) and any recovery (追回) of money paid.

An `Award` is one approved application followed up; every status below changes only through
tenant_schema.awards.workflow (saas.workflow.transition_apply) and leaves a row in its
append-only history table.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from saas.attachments import AttachmentFileMixin, attachment_storage_path
from saas.workflow import HistoryEntry, append_only_triggers

MONEY = {"max_digits": 16, "decimal_places": 2}


class Award(models.Model):
    """One approved application, from its payment plan to its closing (accepted or failed)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Under way")
        IN_ACCEPTANCE = "in_acceptance", _("In final acceptance")
        ACCEPTED = "accepted", _("Accepted")
        FAILED = "failed", _("Failed acceptance")

    application = models.OneToOneField(
        "applications.Application",
        on_delete=models.PROTECT,
        related_name="award",
        verbose_name=_("application"),
    )
    amount = models.DecimalField(_("award amount (CNY)"), **MONEY)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # 验收 is done by reviewers of its own, named by the park administrator.
    acceptance_reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("acceptance reviewers")
    )
    acceptance_opened_at = models.DateTimeField(_("acceptance opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="award_amount_positive")]

    def __str__(self):
        return str(self.application)


class AwardHistory(HistoryEntry):
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="history")

    class Meta(HistoryEntry.Meta):
        verbose_name = _("award history")
        verbose_name_plural = _("award history")
        triggers = append_only_triggers("award_history")


class Tranche(models.Model):
    """One instalment of an award: its amount, the condition that releases it and its due date."""

    class Condition(models.TextChoices):
        SIGNING = "signing", _("On signing the agreement")
        MILESTONE = "milestone", _("On reaching a milestone")
        ACCEPTANCE = "acceptance", _("On final acceptance")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Not yet paid")
        PAID = "paid", _("Paid")

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="tranches")
    position = models.PositiveSmallIntegerField(_("number"))
    amount = models.DecimalField(_("amount (CNY)"), **MONEY)
    condition = models.CharField(_("condition"), max_length=20, choices=Condition.choices)
    milestone = models.CharField(_("milestone"), max_length=200, blank=True)
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["award", "position"]
        constraints = [
            models.UniqueConstraint(fields=["award", "position"], name="one_tranche_per_position"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="tranche_amount_positive"),
        ]

    def __str__(self):
        return f"{self.award} #{self.position}"


class TrancheHistory(HistoryEntry):
    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="history")
    amount = models.DecimalField(_("amount (CNY)"), null=True, blank=True, **MONEY)

    class Meta(HistoryEntry.Meta):
        verbose_name = _("tranche history")
        verbose_name_plural = _("tranche history")
        triggers = append_only_triggers("tranche_history")


class Report(models.Model):
    """A report the award requires (mid-term, final): a due date, a text and files."""

    class Kind(models.TextChoices):
        MIDTERM = "midterm", _("Mid-term report")
        FINAL = "final", _("Final report")

    class Status(models.TextChoices):
        DUE = "due", _("Awaiting the enterprise")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for revision")
        ACCEPTED = "accepted", _("Accepted")

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DUE)
    text = models.TextField(_("progress, results and use of the funds"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["award", "due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["award", "kind"], name="one_report_per_kind")]

    def __str__(self):
        return f"{self.award} {self.get_kind_display()}"


# A report still owed: the enterprise holds it (not yet sent, or returned to it).
REPORT_OWED = (Report.Status.DUE, Report.Status.RETURNED)


class ReportHistory(HistoryEntry):
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="history")

    class Meta(HistoryEntry.Meta):
        verbose_name = _("report history")
        verbose_name_plural = _("report history")
        triggers = append_only_triggers("report_history")


def report_attachment_path(attachment, filename):
    return attachment_storage_path(owner_kind="award-reports", owner_id=attachment.report_id)


class ReportAttachment(AttachmentFileMixin):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=report_attachment_path, max_length=300)


class Recovery(models.Model):
    """Money of a paid award the enterprise must pay back (追回), by a deadline."""

    class Reason(models.TextChoices):
        FALSE_CLAIM = "false_claim", _("False claim")
        FAILED_ACCEPTANCE = "failed_acceptance", _("Failed acceptance")
        RELOCATION = "relocation", _("Relocation out of the area")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REPAID = "repaid", _("Repaid")
        CANCELLED = "cancelled", _("Cancelled")

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="recoveries")
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    explanation = models.TextField(_("explanation"))
    amount_due = models.DecimalField(_("amount due (CNY)"), **MONEY)
    repaid_amount = models.DecimalField(_("repaid (CNY)"), default=0, **MONEY)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("recovery")
        verbose_name_plural = _("recoveries")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["award"], condition=models.Q(status="open"), name="one_open_recovery_per_award"
            ),
            models.CheckConstraint(condition=models.Q(amount_due__gt=0), name="recovery_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(repaid_amount__lte=models.F("amount_due")), name="recovery_not_overpaid"
            ),
        ]

    def __str__(self):
        return f"{self.award} {self.amount_due}"

    @property
    def outstanding(self):
        return self.amount_due - self.repaid_amount


class Repayment(models.Model):
    recovery = models.ForeignKey(Recovery, on_delete=models.PROTECT, related_name="repayments")
    amount = models.DecimalField(_("amount (CNY)"), **MONEY)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("payment reference"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        ordering = ["paid_on", "pk"]
        triggers = append_only_triggers("repayment")

    def __str__(self):
        return f"{self.recovery_id} {self.amount}"


class RecoveryHistory(HistoryEntry):
    recovery = models.ForeignKey(Recovery, on_delete=models.PROTECT, related_name="history")
    amount = models.DecimalField(_("amount (CNY)"), null=True, blank=True, **MONEY)

    class Meta(HistoryEntry.Meta):
        verbose_name = _("recovery history")
        verbose_name_plural = _("recovery history")
        triggers = append_only_triggers("recovery_history")
