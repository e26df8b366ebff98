"""Applications (申报) to programmes, their append-only history, attachments and objections."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from saas.attachments import AttachmentFileMixin, attachment_storage_path
from saas.uniqueness import UniqueRule
from saas.workflow import HistoryEntry, append_only_triggers

from .page_versions import pages_version_trigger

# What the version triggers select: the enterprise of the row, or of the row's application.
_OWN_ENTERPRISE = "VALUES (OLD.enterprise_id), (NEW.enterprise_id)"
_ENTERPRISE_OF_APPLICATION = (
    "SELECT enterprise_id FROM applications_application WHERE id IN (OLD.application_id, NEW.application_id)"
)
_ANY_WRITE = pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete


# The free-text questions of an application, kept in Application.answers under these keys.
ANSWER_FIELDS = [
    ("summary", _("What the enterprise does and what it applies for")),
    ("results", _("Results so far (output, patents, awards)")),
    ("use_of_funds", _("How the money will be used")),
]


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        RETURNED = "returned", _("Returned for revision")
        APPROVED = "approved", _("Approved")
        DISBURSED = "disbursed", _("Disbursed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    programme = models.ForeignKey("funding.Programme", on_delete=models.PROTECT, related_name="applications")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("applicant"),
    )
    requested_amount = models.DecimalField(_("requested amount (CNY)"), max_digits=16, decimal_places=2)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    current_stage = models.ForeignKey(
        "funding.Stage",
        verbose_name=_("current stage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stage_entered_at = models.DateTimeField(_("entered stage"), null=True, blank=True)
    stage_due_at = models.DateTimeField(_("stage due"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_amount = models.DecimalField(
        _("approved amount (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    disbursed_amount = models.DecimalField(
        _("disbursed amount (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    disbursed_on = models.DateField(_("disbursed on"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "stage_due_at"]),
            models.Index(fields=["enterprise", "-created_at"]),
        ]
        triggers = [
            pages_version_trigger(
                "application_pages_version", enterprises=_OWN_ENTERPRISE, operation=_ANY_WRITE
            )
        ]
        constraints = [
            # One live application per enterprise and programme: a withdrawn or rejected one
            # may be followed by a new one, nothing else. In the database, so a double submit
            # or two tabs cannot make two (issue 14).
            models.UniqueConstraint(
                fields=["enterprise", "programme"],
                condition=~models.Q(status__in=["withdrawn", "rejected"]),
                name="one_live_application_per_programme",
            ),
        ]

    def __str__(self):
        return f"{self.programme} — {self.enterprise}"


ONE_LIVE_APPLICATION = UniqueRule(
    constraint="one_live_application_per_programme",
    field="programme",
    message=_("Your enterprise already has an application for this programme."),
)


class ApplicationEvent(HistoryEntry):
    """One step of an application, append-only in the database."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="events")
    from_stage = models.ForeignKey(
        "funding.Stage", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(
        "funding.Stage", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True)

    class Meta(HistoryEntry.Meta):
        verbose_name = _("application history")
        verbose_name_plural = _("application history")
        triggers = [
            *append_only_triggers("application_event"),
            pages_version_trigger(
                "application_event_pages_version",
                enterprises=_ENTERPRISE_OF_APPLICATION,
                operation=pgtrigger.Insert,
            ),
        ]
        indexes = [models.Index(fields=["application", "created_at"])]


def attachment_path(attachment, filename):
    # Referenced by name in the migrations; the path itself is the one rule of saas.attachments.
    return attachment_storage_path(owner_kind="applications", owner_id=attachment.application_id)


class Attachment(AttachmentFileMixin):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    document = models.CharField(_("document"), max_length=100, blank=True)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)

    class Meta(AttachmentFileMixin.Meta):
        triggers = [
            pages_version_trigger(
                "attachment_pages_version", enterprises=_ENTERPRISE_OF_APPLICATION, operation=_ANY_WRITE
            )
        ]


class Objection(models.Model):
    """An objection filed by anyone during the public notice (公示) of an award."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="objections")
    name = models.CharField(_("your name"), max_length=50)
    contact = models.CharField(_("phone or email"), max_length=100)
    text = models.TextField(_("objection"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.name}: {self.text[:30]}"


class ApplicationPagesVersion(models.Model):
    """Moves whenever anything an enterprise's application pages show changes; part of their cache key.

    Written only by database triggers (tenant_schema.applications.page_versions) on the applications, their
    history and attachments, the programmes' titles and documents, the stages and the
    enterprise's name, in the transaction that made the change. Loaded with the signed-in
    user (every_schema.accounts.backends), so a kept page costs no query to validate. Django never saves
    it, so no stale copy in memory can set it back.
    """

    enterprise = models.OneToOneField(
        "enterprises.Enterprise",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="application_pages_version",
    )
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("application pages version")
        verbose_name_plural = _("application pages versions")

    def __str__(self):
        return f"{self.enterprise_id}: {self.version}"
