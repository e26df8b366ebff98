"""Expert review (专家评审): score sheets on a programme's review stage, the expert pool, recusal (回避).

A stage with a `ScoreSheet` is an expert-review stage: its criteria carry weights and maximum
points, several experts score each application on their own `Assignment`, and the
administrator's `ReviewDecision` (one per application and sheet) records the summary the
advance was decided on. The move of the application itself is the applications workflow's
(tenant_schema.applications.services.application_transition); nothing here sets its status.

Experts are accounts of this schema with the expert role and an `ExpertProfile`. A hub-wide
pool can be added later as a public-schema registry of experts whose profile rows here carry
its id (`pool_expert_id`); assignment and recusal read only the profile and ties of this schema.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from saas.workflow import HistoryEntry, append_only_triggers


class ExpertProfile(models.Model):
    """An expert of the pool: fields of expertise and the employer recusal compares with the applicant."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile"
    )
    fields = models.JSONField(_("fields of expertise"), default=list, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    employer_credit_code = models.CharField(_("employer's credit code"), max_length=18, blank=True)
    title = models.CharField(_("professional title"), max_length=100, blank=True)
    is_active = models.BooleanField(_("takes cases"), default=True)
    # Reserved for the hub's shared pool: the expert's id in the public-schema registry.
    pool_expert_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["pk"]

    def __str__(self):
        return str(self.user)


class ExpertTie(models.Model):
    """A declared tie between an expert and an enterprise: it keeps the expert off its cases.

    Append-only: a tie is a fact as declared; a later one is a new row.
    """

    class Kind(models.TextChoices):
        EMPLOYER = "employer", _("Works for the enterprise")
        SERVICE = "service", _("Served the enterprise recently")
        RELATION = "relation", _("Declared relation")

    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="ties")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("tie"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # For a service: when it ended (a tie ended long ago no longer counts), None if ongoing.
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("expert's tie")
        verbose_name_plural = _("experts' ties")
        ordering = ["created_at", "pk"]
        triggers = append_only_triggers("expert_tie")

    def __str__(self):
        return f"{self.expert} · {self.enterprise} ({self.get_kind_display()})"


class ScoreSheet(models.Model):
    """The score sheet of one review stage, and how its scores decide who passes."""

    class Rule(models.TextChoices):
        THRESHOLD = "threshold", _("Average at or above a threshold")
        QUOTA = "quota", _("The best N by average")

    stage = models.OneToOneField("funding.Stage", on_delete=models.PROTECT, related_name="score_sheet")
    experts_per_application = models.PositiveSmallIntegerField(_("experts per application"), default=3)
    fields = models.JSONField(_("fields of expertise wanted"), default=list, blank=True)
    rule = models.CharField(_("who passes"), max_length=10, choices=Rule.choices, default=Rule.THRESHOLD)
    threshold = models.DecimalField(
        _("pass mark (of 100)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    quota = models.PositiveIntegerField(_("places"), null=True, blank=True)
    publish_expert_names = models.BooleanField(_("show experts' names to enterprises"), default=False)
    show_on_notice = models.BooleanField(_("show the scores on the public notice"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")

    def __str__(self):
        return f"{self.stage.programme} · {self.stage.name}"


class Criterion(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("criterion"), max_length=100)
    guidance = models.CharField(_("what to look for"), max_length=300, blank=True)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    max_points = models.PositiveSmallIntegerField(_("maximum points"), default=10)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["sheet", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "position"], name="one_criterion_per_position")
        ]

    def __str__(self):
        return self.name


class Assignment(models.Model):
    """One expert's case: an application to score on a sheet, after declaring no conflict."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Awaiting declaration")
        CLEARED = "cleared", _("Declared no conflict, scoring")
        SUBMITTED = "submitted", _("Scores submitted")
        RECUSED = "recused", _("Recused (回避)")

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.PROTECT, related_name="assignments")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="expert_assignments"
    )
    expert = models.ForeignKey(ExpertProfile, on_delete=models.PROTECT, related_name="assignments")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.INVITED)
    public_comment = models.TextField(_("comment for the enterprise"), blank=True)
    internal_comment = models.TextField(_("comment for the park only"), blank=True)
    # The weighted score out of 100, set once on submission.
    total = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")
        ordering = ["pk"]
        constraints = [
            # An expert is asked once per application and sheet: a recused one is never asked again.
            models.UniqueConstraint(
                fields=["sheet", "application", "expert"], name="one_assignment_per_expert"
            )
        ]

    def __str__(self):
        return f"{self.expert} · {self.application}"


class Score(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="one_score_per_criterion")
        ]

    def __str__(self):
        return f"{self.criterion}: {self.points}"


class AssignmentEvent(HistoryEntry):
    """One step of an assignment (assigned, declared, recused, submitted), append-only."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="events")

    class Meta(HistoryEntry.Meta):
        verbose_name = _("expert assignment history")
        verbose_name_plural = _("expert assignment history")
        triggers = append_only_triggers("expert_assignment_event")


class ReviewDecision(models.Model):
    """The administrator's confirmed outcome for one application on one sheet, with the figures it rested on.

    One per application and sheet (a unique constraint: a double confirm cannot make two), and
    append-only: it is the record of why an application passed or not.
    """

    class Outcome(models.TextChoices):
        PASSED = "passed", _("Passed the expert review")
        FAILED = "failed", _("Did not pass the expert review")

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.PROTECT, related_name="decisions")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="review_decisions"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    average = models.DecimalField(_("average score"), max_digits=6, decimal_places=2)
    spread = models.DecimalField(_("spread (highest − lowest)"), max_digits=6, decimal_places=2)
    sheets = models.PositiveSmallIntegerField(_("sheets counted"))
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("expert review decision")
        verbose_name_plural = _("expert review decisions")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "application"], name="one_decision_per_application")
        ]
        triggers = append_only_triggers("review_decision")

    def __str__(self):
        return f"{self.application} · {self.get_outcome_display()} ({self.average})"


ZERO = Decimal("0")
