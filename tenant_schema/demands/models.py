"""Enterprise demands (诉求): the problem, who handles it, its working-day deadlines, the answer
and the enterprise's rating, with an append-only history of every step.

A demand's clock starts when the park accepts it: a first reply within 3 working days and
a resolution within 15 (per category in `CategoryPolicy`), extendable once, with a reason,
to at most 30 working days from the start of the clock. Only the enterprise closes a
demand, by rating the answer; silence for 5 working days closes it as "closed without
rating", which the figures and pages keep apart from a rated close.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from saas.attachments import AttachmentFileMixin, attachment_storage_path
from saas.workflow import HistoryEntry, append_only_triggers

DEFAULT_FIRST_REPLY_DAYS = 3
DEFAULT_RESOLUTION_DAYS = 15
MAX_RESOLUTION_DAYS = 30  # with the one extension, counted from acceptance (or reopening)
RATING_WINDOW_DAYS = 5  # working days the enterprise has to rate an answer


class Category(models.TextChoices):
    FINANCING = "financing", _("Financing")
    LABOUR = "labour", _("Labour and talent")
    LAND = "land", _("Land and premises")
    UTILITIES = "utilities", _("Utilities and roads")
    PERMITS = "permits", _("Permits and approvals")
    TECHNOLOGY = "technology", _("Technology")
    MARKET = "market", _("Market")
    OTHER = "other", _("Other")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class CategoryPolicy(models.Model):
    """The park's time limits for one category; a category without a row uses 3 and 15 working days."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices, unique=True)
    first_reply_days = models.PositiveSmallIntegerField(
        _("first reply within (working days)"),
        default=DEFAULT_FIRST_REPLY_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RESOLUTION_DAYS)],
    )
    resolution_days = models.PositiveSmallIntegerField(
        _("resolution within (working days)"),
        default=DEFAULT_RESOLUTION_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RESOLUTION_DAYS)],
    )
    department = models.CharField(
        _("default handling department"),
        max_length=100,
        blank=True,
        help_text=_("Filled in on acceptance when the handler names none."),
    )

    class Meta:
        verbose_name = _("category time limits")
        verbose_name_plural = _("category time limits")
        ordering = ["category"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_reply_days__lte=models.F("resolution_days")),
                name="demand_policy_reply_before_resolution",
            ),
        ]

    def __str__(self):
        return self.get_category_display()


class Demand(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        IN_PROGRESS = "in_progress", _("In progress")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="demands")
    filer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="demands_filed",
        verbose_name=_("filed by"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    closed_without_rating = models.BooleanField(_("closed without rating"), default=False)

    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="demands_handled",
    )
    department = models.CharField(_("handling department"), max_length=100, blank=True)

    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    # When the current resolution clock started: acceptance, or the latest reopening.
    clock_started_at = models.DateTimeField(_("clock started"), null=True, blank=True)
    first_reply_due_at = models.DateTimeField(_("first reply due"), null=True, blank=True)
    first_replied_at = models.DateTimeField(_("first replied"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    extended_at = models.DateTimeField(_("extended"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)

    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    rating_due_at = models.DateTimeField(_("rating due"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    created_at = models.DateTimeField(_("filed"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "resolution_due_at"]),
            models.Index(fields=["status", "first_reply_due_at"]),
            models.Index(fields=["enterprise", "-created_at"]),
            models.Index(fields=["handler", "status"]),
            models.Index(fields=["status", "rating_due_at"]),
        ]

    def __str__(self):
        return self.title

    @property
    def status_label(self) -> str:
        """The status as people should read it: a silent close is not a rated one."""
        if self.status == self.Status.CLOSED and self.closed_without_rating:
            return str(_("Closed without rating"))
        return self.get_status_display()

    @property
    def status_key(self) -> str:
        if self.status == self.Status.CLOSED and self.closed_without_rating:
            return "closed_unrated"
        return self.status


class DemandEvent(HistoryEntry):
    """One step of a demand, append-only in the database (the same mechanism as applications')."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="events")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.CharField(_("handling department"), max_length=100, blank=True)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)

    class Meta(HistoryEntry.Meta):
        verbose_name = _("demand history")
        verbose_name_plural = _("demand history")
        triggers = append_only_triggers("demand_event")
        indexes = [models.Index(fields=["demand", "created_at"])]


def attachment_path(attachment, filename):
    # Referenced by name in the migrations; the path itself is the one rule of saas.attachments.
    return attachment_storage_path(owner_kind="demands", owner_id=attachment.demand_id)


class DemandAttachment(AttachmentFileMixin):
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)

    class Meta(AttachmentFileMixin.Meta):
        pass
