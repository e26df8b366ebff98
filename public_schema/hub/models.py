"""Tables of the city hub, in the public schema.

`AwardRecord` is the city-wide registry of approved awards that the duplicate-award
check reads; each tenant writes its own approvals here (public_schema.hub.services.award_record_add)
inside the approving transaction. `WorkingDay` is the calendar that lets SQL count
working days: `ordinal` numbers working days, so the working days between two dates are
one subtraction, for a million rows in one query.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class AwardRecord(models.Model):
    tenant = models.ForeignKey(
        "tenants.Tenant",
        verbose_name=_("sub-platform"),
        on_delete=models.CASCADE,
        related_name="award_records",
    )
    # The application's id inside its tenant's schema (no foreign key can cross schemas).
    application_id = models.BigIntegerField(_("application"))
    credit_code = models.CharField(_("Unified Social Credit Code"), max_length=18)
    enterprise_name = models.CharField(_("enterprise name"), max_length=200)
    category = models.CharField(_("programme category"), max_length=20)
    programme_title = models.CharField(_("programme"), max_length=200)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=16, decimal_places=2)
    approved_at = models.DateTimeField(_("approved at"))
    # Recovery (追回) of this award's money: open now, and how much has come back so far
    # (tenant_schema.awards.services writes them in the recovery's own transaction).
    recovery_open = models.BooleanField(_("recovery open"), default=False, db_default=False)
    recovered_amount = models.DecimalField(
        _("recovered (CNY)"), max_digits=16, decimal_places=2, default=0, db_default=0
    )

    class Meta:
        verbose_name = _("award record")
        verbose_name_plural = _("award records")
        ordering = ["-approved_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "application_id"], name="one_award_record_per_application"
            ),
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


# ---------------------------------------------------------------------------
# Rollups: the hub's figures per tenant (and per day), kept in the public schema by
# public_schema.hub.rollups so that the dashboard reads a few thousand public rows instead of planning
# one branch per tenant schema. `day` NULL is the tenant's all-time row (what the
# dashboard without a date range reads); day rows and month rows (`month` true, `day` the
# month's first day, the sum of that month's day rows) serve date ranges: whole months
# from month rows, the partial months at either end from day rows (public_schema.hub.selectors.period_cover).
# Rows are replaced per tenant (delete + insert in one transaction), hence no unique
# constraints. See docs/hub.md.
# ---------------------------------------------------------------------------


class RollupTenant(models.Model):
    """Per tenant, what depends on the current time, kept as sorted timestamp arrays.

    Overdue now = open stages (in review, approved) whose due time has passed =
    `width_bucket(now, overdue_due)` (a binary search); active subscriptions =
    started by now − ended by now (only subscriptions with ends_at > starts_at are kept);
    open demand deadlines passed by now likewise.
    """

    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, primary_key=True, related_name="hub_rollup"
    )
    refreshed_at = models.DateTimeField()
    overdue_due = ArrayField(models.DateTimeField(), default=list)
    subscription_starts = ArrayField(models.DateTimeField(), default=list)
    subscription_ends = ArrayField(models.DateTimeField(), default=list)
    # Working days to decision over all time (percentile_cont), for the dashboard without a date range.
    median_days = models.FloatField(null=True)
    p90_days = models.FloatField(null=True)
    # Open demand deadlines (first reply not given / answer not given), sorted: those passed
    # by now join the on-time rates' denominators without a refresh (all-time view; date
    # ranges read hub_rollupdemanddue).
    demand_reply_due = ArrayField(models.DateTimeField(), default=list)
    demand_resolution_due = ArrayField(models.DateTimeField(), default=list)

    def __str__(self):
        return f"{self.tenant_id} refreshed {self.refreshed_at:%Y-%m-%d %H:%M}"


class RollupDay(models.Model):
    """Additive figures of one tenant and day (Shanghai), each counted on its own date:
    enterprises by registration, applications by submission, decisions and approved funds
    by decision, disbursements by disbursement day, revenue by confirmation."""

    # No index of its own: (tenant, day) serves both, and the planner then reads the
    # all-time rows (day IS NULL) by index condition instead of filtering every day row.
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField(null=True)
    # True: the row sums the calendar month that starts on `day` (see the comment above).
    month = models.BooleanField(default=False, db_default=False)
    enterprises = models.BigIntegerField(default=0)
    enterprises_verified = models.BigIntegerField(default=0)
    enterprises_above_size = models.BigIntegerField(default=0)
    # Registered up to and including this day (a month row: its last day; the all-time
    # row: ever): "registered by the end of the range" is the latest day row up to its end,
    # one row per tenant however long the history.
    enterprises_to_date = models.BigIntegerField(default=0)
    enterprises_verified_to_date = models.BigIntegerField(default=0)
    enterprises_above_size_to_date = models.BigIntegerField(default=0)
    applications = models.BigIntegerField(default=0)
    approvals = models.BigIntegerField(default=0)
    rejections = models.BigIntegerField(default=0)
    funds_approved = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    funds_disbursed = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    revenue = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    # Demands, by day of filing (the cohort of demands filed that day, as tenant_schema.demands.selectors
    # counts them): filed, closed, first replies given (with a deadline) and given by it,
    # answers given (with a deadline) and given by it, rated, rated satisfied. Rates are
    # derived when reading (ratios of sums); the "due by now" parts still open are in
    # RollupDemandDue.
    demands_received = models.BigIntegerField(default=0)
    demands_resolved = models.BigIntegerField(default=0)
    demands_replied = models.BigIntegerField(default=0)
    demands_replied_on_time = models.BigIntegerField(default=0)
    demands_answered = models.BigIntegerField(default=0)
    demands_resolved_on_time = models.BigIntegerField(default=0)
    demands_rated = models.BigIntegerField(default=0)
    demands_satisfied = models.BigIntegerField(default=0)
    # Submitted applications by their status now, by day of submission (hub_rollupstatus
    # summed over stages), and stages left / left in time by the day left
    # (hub_rolluptimeliness summed over stages): one row per tenant gives the status
    # columns and the on-time rate, the per-stage tables are read only for the city's
    # stage tables and the API's breakdown.
    status_in_review = models.BigIntegerField(default=0)
    status_returned = models.BigIntegerField(default=0)
    status_approved = models.BigIntegerField(default=0)
    status_disbursed = models.BigIntegerField(default=0)
    status_rejected = models.BigIntegerField(default=0)
    status_withdrawn = models.BigIntegerField(default=0)
    stage_exits = models.BigIntegerField(default=0)
    stage_exits_on_time = models.BigIntegerField(default=0)
    # The decisions counted in approvals / rejections by their working days from submission,
    # as a histogram: decision_counts[i] decisions took decision_days[i] working days
    # (sorted by days). The percentiles of any set of rows are exact: the histograms are
    # added up (public_schema.hub.selectors), then read like percentile_cont.
    decision_days = ArrayField(models.IntegerField(), default=list)
    decision_counts = ArrayField(models.BigIntegerField(), default=list)

    class Meta:
        # (tenant, day): a tenant's rows (refresh, drill-down); (month, day): every tenant's
        # all-time, month or day rows in a range (the city dashboard).
        indexes = [models.Index(fields=["tenant", "day"]), models.Index(fields=["month", "day"])]

    def __str__(self):
        return f"{self.tenant_id} {self.day or 'all time'}"


class RollupProgramme(models.Model):
    """Programmes (not draft) with their budget and period: budgeted funds overlap the range."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    opens_at = models.DateTimeField(null=True)
    closes_at = models.DateTimeField(null=True)
    budget = models.DecimalField(max_digits=20, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["tenant"])]

    def __str__(self):
        return f"{self.tenant_id} {self.budget}"


class RollupStatus(models.Model):
    """Applications by status and current stage, by day of submission."""

    # No index of its own: (tenant, day) serves both, and the planner then reads the
    # all-time rows (day IS NULL) by index condition instead of filtering every day row.
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField(null=True)
    # True: the row sums the calendar month that starts on `day` (see the comment above).
    month = models.BooleanField(default=False, db_default=False)
    status = models.CharField(max_length=20)
    stage = models.CharField(max_length=200)
    position = models.IntegerField(null=True)
    n = models.BigIntegerField()

    class Meta:
        # (month, day) covering what the city's stage rows read: an index-only scan once
        # vacuum has marked the pages (autovacuum does, after each night's refresh).
        indexes = [
            models.Index(fields=["tenant", "day"]),
            models.Index(
                fields=["month", "day"],
                include=["tenant", "status", "stage", "position", "n"],
                name="hub_rollupstatus_period",
            ),
        ]

    def __str__(self):
        return f"{self.tenant_id} {self.day or 'all time'} {self.status} {self.stage}: {self.n}"


class RollupTimeliness(models.Model):
    """Stages left, and left by their due time, by day left."""

    # No index of its own: (tenant, day) serves both, and the planner then reads the
    # all-time rows (day IS NULL) by index condition instead of filtering every day row.
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField(null=True)
    # True: the row sums the calendar month that starts on `day` (see the comment above).
    month = models.BooleanField(default=False, db_default=False)
    stage = models.CharField(max_length=200)
    position = models.IntegerField(null=True)
    exits = models.BigIntegerField()
    on_time = models.BigIntegerField()

    class Meta:
        # (month, day) covering what the city's stage rows read (see RollupStatus).
        indexes = [
            models.Index(fields=["tenant", "day"]),
            models.Index(
                fields=["month", "day"],
                include=["tenant", "stage", "position", "exits", "on_time"],
                name="hub_rolluptimeliness_period",
            ),
        ]

    def __str__(self):
        return f"{self.tenant_id} {self.day or 'all time'} {self.stage}: {self.on_time}/{self.exits}"


class RollupDemandDue(models.Model):
    """Open deadlines of demands, by day of filing: first replies not given yet ("reply") and
    answers not given yet ("resolution"), as the sorted due times of each day's (or month's)
    demands. Those passed by now (`width_bucket(now − 1 µs, due_times)`: a binary search)
    join the denominators of the on-time rates, so the figures follow the clock without a
    refresh. Day rows and month rows; the all-time view reads hub_rolluptenant's arrays."""

    REPLY, RESOLUTION = "reply", "resolution"

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    # True: the row holds the calendar month that starts on `day`.
    month = models.BooleanField(default=False, db_default=False)
    kind = models.CharField(max_length=20)
    due_times = ArrayField(models.DateTimeField(), default=list)

    class Meta:
        indexes = [models.Index(fields=["tenant", "day"]), models.Index(fields=["month", "day"])]

    def __str__(self):
        return f"{self.tenant_id} {self.day} {self.kind}: {len(self.due_times)} due"


class RollupProgrammeFigures(models.Model):
    """Per programme of a tenant (not draft): applications, awards, money committed, paid and
    recovered, as now (public_schema.hub.figures.PROGRAMME_FIGURES_SQL)."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    programme_id = models.BigIntegerField()
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=20)
    budget = models.DecimalField(max_digits=20, decimal_places=2)
    applications = models.IntegerField()
    awarded = models.IntegerField()
    committed = models.DecimalField(max_digits=20, decimal_places=2)
    paid = models.DecimalField(max_digits=20, decimal_places=2)
    recovered = models.DecimalField(max_digits=20, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["tenant"])]

    def __str__(self):
        return f"{self.tenant_id} {self.title}"


class RollupProgrammeStage(models.Model):
    """Per programme and stage: stages left and the working days they took in all
    (public_schema.hub.figures.PROGRAMME_STAGE_SQL); the average is their quotient."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    programme_id = models.BigIntegerField()
    stage = models.CharField(max_length=200)
    position = models.IntegerField()
    exits = models.IntegerField()
    days_total = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["tenant"])]

    def __str__(self):
        return f"{self.tenant_id} {self.programme_id} {self.stage}"
