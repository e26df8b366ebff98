"""Programmes (政策/项目) of a tenant: budget, caps, dates, documents and ordered approval stages."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenant_schema.applications.page_versions import pages_version_trigger


class Programme(models.Model):
    class Category(models.TextChoices):
        SUBSIDY = "subsidy", _("Subsidy")
        AWARD = "award", _("Award")
        LOAN_INTEREST = "loan_interest", _("Loan interest discount")
        VOUCHER = "voucher", _("Service voucher")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", pgettext_lazy("programme status", "Open")
        CLOSED = "closed", pgettext_lazy("programme status", "Closed")

    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.SUBSIDY
    )
    description = models.TextField(_("description"), blank=True)
    policy_document = models.CharField(_("policy document"), max_length=300, blank=True)
    budget = models.DecimalField(_("budget (CNY)"), max_digits=16, decimal_places=2)
    per_enterprise_cap = models.DecimalField(
        _("cap per enterprise (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    # Eligibility as data, edited by park staff in a form (tenant_schema.eligibility.rules: validate, evaluate, render):
    # {"combine": "all"|"any", "conditions": [{"field": ..., "op": ..., "value": ..., "year": ...}]}.
    eligibility_rules = models.JSONField(_("eligibility rules"), default=dict, blank=True)
    # 免申即享: qualifying enterprises get an application made for them when the programme opens.
    no_application_needed = models.BooleanField(_("no application needed (免申即享)"), default=False)
    # Set on a park's copy of a city-wide programme (citywide.CityProgramme in the hub's schema).
    city_programme_id = models.PositiveIntegerField(
        _("city-wide programme"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-opens_at", "pk"]
        constraints = [
            # A city-wide programme is delivered into a tenant once, however often its envelope is.
            models.UniqueConstraint(
                fields=["city_programme_id"],
                condition=models.Q(city_programme_id__isnull=False),
                name="one_copy_per_city_programme",
            )
        ]
        # What the enterprises' application pages show of the programme (tenant_schema.applications.page_versions).
        triggers = [
            pages_version_trigger(
                "programme_pages_version",
                enterprises="SELECT enterprise_id FROM applications_application WHERE programme_id = NEW.id",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("title", "required_documents"),
            )
        ]

    def __str__(self):
        return self.title

    @property
    def opens_later(self) -> bool:
        """Published ("open") but its application period has not begun: a city-wide programme
        arrives in a tenant before its opening day, and must not read as 申报中 until then."""
        return (
            self.status == self.Status.OPEN and self.opens_at is not None and self.opens_at > timezone.now()
        )

    def clean(self):
        """Rules are refused with messages naming the field; 免申即享 needs a fixed amount (the cap)."""
        from django.core.exceptions import ValidationError

        from tenant_schema.eligibility.rules import rules_validate

        errors = {}
        try:
            rules_validate(self.eligibility_rules)
        except ValidationError as error:
            errors["eligibility_rules"] = error.messages
        if self.no_application_needed and not self.per_enterprise_cap:
            errors["per_enterprise_cap"] = _(
                "A programme without application needs a cap per enterprise: it is the amount each qualifying enterprise receives."
            )
        if errors:
            raise ValidationError(errors)


class Stage(models.Model):
    """One approval stage; its time limit is counted in working days."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("Review")
        NOTICE = "notice", _("Public notice")
        DISBURSEMENT = "disbursement", _("Disbursement")

    class Role(models.TextChoices):
        REVIEWER = "reviewer", _("Reviewer")
        PARK_ADMIN = "park_admin", _("Park administrator")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name for staff"), max_length=50)
    public_name = models.CharField(_("name shown to enterprises"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REVIEW)
    role = models.CharField(_("acting role"), max_length=20, choices=Role.choices, default=Role.REVIEWER)
    office = models.CharField(_("office holding it"), max_length=100, blank=True)
    time_limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"), default=5)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "position"], name="one_stage_per_position")
        ]
        # Stages are fixed once a programme has applications; this keeps the pages true if one is edited anyway.
        triggers = [
            pages_version_trigger(
                "stage_pages_version",
                enterprises="SELECT enterprise_id FROM applications_application WHERE programme_id = NEW.programme_id",
                operation=pgtrigger.Update,
            )
        ]

    def __str__(self):
        return f"{self.position}. {self.name}"
