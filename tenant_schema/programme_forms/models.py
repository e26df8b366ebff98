"""A programme's guide (申兑指南) and its application form: the draft being built, the published
versions (never changed once published) and each application's answers under the version it was filed under.

The form itself is data (tenant_schema.programme_forms.schema: sections of typed fields); the
administrator builds it on the programme's form page, never as raw JSON.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenant_schema.applications.page_versions import pages_version_trigger


class ProgrammeGuide(models.Model):
    """申兑指南: what an enterprise reads before applying. Complete before the programme opens."""

    programme = models.OneToOneField("funding.Programme", on_delete=models.CASCADE, related_name="guide")
    eligible_applicants = models.TextField(_("who may apply"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    amounts = models.TextField(_("amounts"), blank=True)
    payment_time_limit = models.CharField(_("time limit to payment"), max_length=200, blank=True)
    contact_office = models.CharField(_("where to ask"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("programme guide")
        verbose_name_plural = _("programme guides")

    def __str__(self):
        return str(self.programme)


def empty_schema() -> dict:
    return {"sections": []}


class FormDraft(models.Model):
    """The form as the administrator is building it; publishing copies it into a new FormVersion."""

    programme = models.OneToOneField("funding.Programme", on_delete=models.CASCADE, related_name="form_draft")
    schema = models.JSONField(_("form"), default=empty_schema)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("form draft")
        verbose_name_plural = _("form drafts")

    def __str__(self):
        return str(self.programme)


class FormVersion(models.Model):
    """One published form of a programme, numbered 1, 2, ...; the database refuses to change it."""

    programme = models.ForeignKey("funding.Programme", on_delete=models.CASCADE, related_name="form_versions")
    number = models.PositiveIntegerField(_("version"))
    schema = models.JSONField(_("form"))
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="one_form_version_per_number")
        ]
        triggers = [
            pgtrigger.Protect(name="form_version_no_update", operation=pgtrigger.Update),
            # A newly published form is offered on the pages of the programme's applications.
            pages_version_trigger(
                "form_version_pages_version",
                enterprises="SELECT enterprise_id FROM applications_application WHERE programme_id = NEW.programme_id",
                operation=pgtrigger.Insert,
            ),
        ]

    def __str__(self):
        return f"{self.programme} v{self.number}"


class FiledForm(models.Model):
    """An application's answers, kept with the form version it was started under."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="filed_form"
    )
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="filed_forms")
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # What the reviewer who last returned the application asked to fix: field keys and document names.
    to_fix_fields = models.JSONField(_("fields to fix"), default=list, blank=True)
    to_fix_documents = models.JSONField(_("documents to fix"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("filed form")
        verbose_name_plural = _("filed forms")
        triggers = [
            pages_version_trigger(
                "filed_form_pages_version",
                enterprises=(
                    "SELECT enterprise_id FROM applications_application "
                    "WHERE id IN (OLD.application_id, NEW.application_id)"
                ),
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self):
        return f"{self.application_id} v{self.version.number}"
