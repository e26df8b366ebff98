"""Policy matching records: pushes of a programme to qualifying enterprises, and 免申即享 applications.

Both are unique per (programme, enterprise): that row is what makes a push or an automatic
application happen at most once, however often a task runs.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PushRun(models.Model):
    """One press of “push to qualifying enterprises”, worked through by Celery in batches."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Sending")
        DONE = "done", _("Done")

    programme = models.ForeignKey("funding.Programme", on_delete=models.CASCADE, related_name="push_runs")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("enterprises to reach"), default=0)
    sent = models.PositiveIntegerField(_("enterprises reached"), default=0)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("push")
        verbose_name_plural = _("pushes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.programme} push {self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE or not self.total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.sent * 100 // self.total)


class PushDelivery(models.Model):
    """A programme pushed to one enterprise; the unique pair means never twice."""

    programme = models.ForeignKey(
        "funding.Programme", on_delete=models.CASCADE, related_name="push_deliveries"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="push_deliveries"
    )
    run = models.ForeignKey(
        PushRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    pushed_at = models.DateTimeField(_("pushed"), auto_now_add=True)

    class Meta:
        verbose_name = _("push delivery")
        verbose_name_plural = _("push deliveries")
        constraints = [
            models.UniqueConstraint(fields=["programme", "enterprise"], name="push_once_per_enterprise")
        ]

    def __str__(self):
        return f"{self.programme} → {self.enterprise}"


class AutoApplication(models.Model):
    """免申即享: the application made for a qualifying enterprise, or why none was made, or its decline."""

    class Status(models.TextChoices):
        CREATED = "created", pgettext_lazy("automatic application status", "Created")
        DECLINED = "declined", _("Declined by the enterprise")
        SKIPPED = "skipped", _("Not created")

    programme = models.ForeignKey(
        "funding.Programme", on_delete=models.CASCADE, related_name="auto_applications"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="auto_applications"
    )
    application = models.OneToOneField(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="auto_application",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CREATED)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)

    class Meta:
        verbose_name = _("automatic application")
        verbose_name_plural = _("automatic applications")
        constraints = [
            models.UniqueConstraint(fields=["programme", "enterprise"], name="auto_application_once")
        ]

    def __str__(self):
        return f"{self.programme} → {self.enterprise} ({self.status})"
