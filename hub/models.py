"""Tables of the city hub, in the public schema.

`AwardRecord` is the city-wide registry of approved awards that the duplicate-award
check reads; each tenant writes its own approvals here (hub.services.award_record_add)
inside the approving transaction. `WorkingDay` is the calendar that lets SQL count
working days: `ordinal` numbers working days, so the working days between two dates are
one subtraction, for a million rows in one query.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AwardRecord(models.Model):
    tenant = models.ForeignKey(
        "tenants.Tenant", verbose_name=_("sub-platform"), on_delete=models.CASCADE, related_name="award_records"
    )
    # The application's id inside its tenant's schema (no foreign key can cross schemas).
    application_id = models.BigIntegerField(_("application"))
    credit_code = models.CharField(_("Unified Social Credit Code"), max_length=18)
    enterprise_name = models.CharField(_("enterprise name"), max_length=200)
    category = models.CharField(_("programme category"), max_length=20)
    programme_title = models.CharField(_("programme"), max_length=200)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=16, decimal_places=2)
    approved_at = models.DateTimeField(_("approved at"))

    class Meta:
        verbose_name = _("award record")
        verbose_name_plural = _("award records")
        ordering = ["-approved_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "application_id"], name="one_award_record_per_application"),
        ]
        indexes = [models.Index(fields=["credit_code", "category", "approved_at"])]

    def __str__(self):
        return f"{self.credit_code} {self.category} {self.amount}"


class WorkingDay(models.Model):
    """One calendar day (Shanghai) and the number of working days up to and including it."""

    day = models.DateField(primary_key=True)
    is_working = models.BooleanField()
    ordinal = models.IntegerField()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["day"]

    def __str__(self):
        return self.day.isoformat()
