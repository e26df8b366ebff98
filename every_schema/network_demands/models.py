"""Demands across the network (诉求 派单/转办/督办/回访): one copy per unit, in the unit's own schema.

A demand filed at unit A (a sub-platform, or a desk on the hub) and dispatched to B, then
transferred to C, has a copy in A's schema, B's and C's, and one on the hub for the
supervision office. No copy points into another schema; they share `reference`. A step is
taken on the acting unit's copy and crosses to the copies of the units still concerned (the
enterprise's unit of origin, the dispatcher, the holder, the new holder, the supervision
office) in one "ndemand.event" envelope each (public_schema.network.handoffs), keyed per
step and unit. A unit that passed the demand on gets nothing further: its copy keeps what it
did, read-only. The enterprise's timeline is its origin copy, which hears every step.

The table lives in the public schema (the hub's desks) and in every tenant's, like accounts.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from saas.workflow import HistoryEntry, append_only_triggers
from tenant_schema.demands.models import Category, Rating

RESOLUTION_WORKING_DAYS = 15  # provincial rule: handled within 15 working days…
MAX_WORKING_DAYS = 30  # …extendable once, to 30 at most, counted from the start of the clock
SIGN_WORKING_HOURS = 8  # a dispatched demand is signed for within one working day's hours


class NetworkDemand(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, awaiting classification")
        HANDLING = "handling", _("Being handled")
        DISPATCHED = "dispatched", _("Dispatched, awaiting sign-for")
        RETURNED = "returned", _("Sent back")
        ANSWERED = "answered", _("Answered, awaiting rating")
        CLOSED = "closed", _("Closed")

    class Extension(models.TextChoices):
        NONE = "none", _("No extension")
        REQUESTED = "requested", _("Extension requested")
        APPROVED = "approved", _("Extension approved")
        REFUSED = "refused", _("Extension refused")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online, by the enterprise")
        PHONE = "phone", _("Telephone")
        HALL = "hall", _("Service hall")
        WECHAT = "wechat", _("WeChat group")

    class RatingChannel(models.TextChoices):
        ONLINE = "online", _("Rated by the enterprise")
        RETURN_VISIT = "return_visit", _("Return visit by phone")

    reference = models.CharField(_("demand number"), max_length=36)
    # Whose copy this is (public_schema.handling_units.HandlingUnit; no foreign key across schemas).
    unit_id = models.PositiveIntegerField(_("unit"))
    unit_name = models.CharField(_("unit"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    extension = models.CharField(
        _("extension"), max_length=10, choices=Extension.choices, default=Extension.NONE
    )
    # Steps applied to this copy; a step carries the count it was taken at (ordering across copies).
    seq = models.PositiveIntegerField(default=0, editable=False)

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The enterprise: its id only on the copy of its own sub-platform (enterprise_id is that schema's).
    enterprise_id = models.PositiveIntegerField(_("enterprise"), null=True, blank=True)
    enterprise_name = models.CharField(_("enterprise"), max_length=200)
    enterprise_credit_code = models.CharField(_("Unified Social Credit Code"), max_length=18, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)

    origin_unit_id = models.PositiveIntegerField(_("filed at"))
    origin_unit_name = models.CharField(_("filed at"), max_length=200)
    dispatcher_unit_id = models.PositiveIntegerField(_("dispatcher"), null=True, blank=True)
    dispatcher_unit_name = models.CharField(_("dispatcher"), max_length=200, blank=True)
    holder_unit_id = models.PositiveIntegerField(_("held by"))
    holder_unit_name = models.CharField(_("held by"), max_length=200)
    # Who handed it to the holder (a send-back returns it there).
    sent_by_unit_id = models.PositiveIntegerField(null=True, blank=True)
    sent_by_unit_name = models.CharField(max_length=200, blank=True)

    # The clock: it starts at filing and does not restart on a dispatch or transfer.
    filed_at = models.DateTimeField(_("filed"))
    due_at = models.DateTimeField(_("handle by"))
    max_due_at = models.DateTimeField(_("latest possible time limit"))
    sign_due_at = models.DateTimeField(_("sign for by"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed for"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extension (working days)"), null=True, blank=True)
    supervised_due_at = models.DateTimeField(_("supervision deadline"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by_unit_id = models.PositiveIntegerField(null=True, blank=True)
    answered_by_unit_name = models.CharField(_("answered by"), max_length=200, blank=True)
    answered_on_time = models.BooleanField(_("answered on time"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    rating_channel = models.CharField(_("rated by"), max_length=12, choices=RatingChannel.choices, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    transfer_count = models.PositiveSmallIntegerField(_("transfers"), default=0)
    sendback_count = models.PositiveSmallIntegerField(_("send-backs"), default=0)
    supervision_count = models.PositiveSmallIntegerField(_("supervision notices"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    # The unit the reopening counts against (the one whose answer was rated unsatisfied).
    reopened_unit_id = models.PositiveIntegerField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("network demand")
        verbose_name_plural = _("network demands")
        ordering = ["-filed_at", "-pk"]
        indexes = [
            models.Index(fields=["unit_id", "status"]),
            models.Index(fields=["holder_unit_id", "status"]),
        ]
        constraints = [
            # One copy per unit and demand: a replayed envelope is no second copy.
            models.UniqueConstraint(fields=["reference", "unit_id"], name="network_demand_one_copy_per_unit"),
            models.CheckConstraint(
                condition=models.Q(due_at__lte=models.F("max_due_at")), name="network_demand_due_within_max"
            ),
        ]

    def __str__(self):
        return f"{self.reference[:8]} {self.title}"

    @property
    def is_held_here(self) -> bool:
        return self.unit_id == self.holder_unit_id

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.ANSWERED, self.Status.CLOSED)

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        due = self.supervised_due_at or self.due_at
        return self.is_open and due < now

    def sign_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.DISPATCHED and self.sign_due_at is not None and self.sign_due_at < now
        )


class NetworkDemandHistory(HistoryEntry):
    """Every step recorded on one unit's copy; append-only in PostgreSQL.

    A step taken at another unit is recorded when its envelope arrives: `actor` is empty,
    `actor_label` names the unit, and `handoff_key` (unique) is the envelope's, so a replay
    records and applies it once. `unit_id` is the unit that took the step, `to_unit_id`
    the one a dispatch, transfer or send-back handed it to: the timeline's who and whither.
    """

    demand = models.ForeignKey(NetworkDemand, on_delete=models.PROTECT, related_name="history")
    actor_label = models.CharField(_("by"), max_length=200, blank=True)
    unit_id = models.PositiveIntegerField(_("unit"))
    unit_name = models.CharField(_("unit"), max_length=200)
    to_unit_name = models.CharField(_("to"), max_length=200, blank=True)
    to_unit_id = models.PositiveIntegerField(null=True, blank=True)
    seq = models.PositiveIntegerField(default=0)
    handoff_key = models.CharField(max_length=200, unique=True, null=True, blank=True)

    class Meta(HistoryEntry.Meta):
        verbose_name = _("network demand history")
        verbose_name_plural = _("network demand history")
        ordering = ["seq", "created_at", "pk"]
        triggers = append_only_triggers("network_demand_history")
        indexes = [models.Index(fields=["demand", "seq"])]

    def __str__(self):
        return f"{self.action}: {self.from_status or '-'} → {self.to_status}"

    @property
    def action_display(self) -> str:
        from .workflow import action_label  # the workflow module imports these models

        return action_label(self.action)
