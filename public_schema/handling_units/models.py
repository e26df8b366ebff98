"""The registry of the units that can hold a network demand, in the public schema.

A unit is where a demand can sit and be worked on by people: a sub-platform or park (its
own tenant, its park staff), a department desk on the hub (工信, 科技, 金融…: a row here,
with staff accounts of the hub), an admitted service institution (its own tenant), and the
hub's supervision office (督办), which holds no demand but watches every one. A unit's
copy of a demand lives in the schema of `tenant` (the hub's for desks and supervision):
see every_schema/network_demands.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HandlingUnit(models.Model):
    class Kind(models.TextChoices):
        SUBPLATFORM = "subplatform", _("Sub-platform or park")
        DESK = "desk", _("Department desk on the hub")
        INSTITUTION = "institution", _("Service institution")
        SUPERVISION = "supervision", _("Supervision office of the hub")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    tenant = models.ForeignKey(
        "tenants.Tenant",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="handling_units",
        help_text=_("The schema its copies of demands live in: the hub's for desks."),
    )
    is_active = models.BooleanField(_("takes demands"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("handling unit")
        verbose_name_plural = _("handling units")
        ordering = ["kind", "sort_order", "name"]
        constraints = [
            # A tenant is one unit (its desks are the hub's only): a partial unique index, not a check.
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(kind__in=["subplatform", "institution"]),
                name="handling_unit_one_per_tenant",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(kind="supervision"), name="handling_unit_one_supervision"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_on_hub(self) -> bool:
        return self.kind in (self.Kind.DESK, self.Kind.SUPERVISION)


class DeskStaff(models.Model):
    """A hub account working at a desk (or the supervision office): the desk's staff."""

    unit = models.ForeignKey(
        HandlingUnit, verbose_name=_("desk"), on_delete=models.CASCADE, related_name="staff"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="desk_seats",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("desk staff member")
        verbose_name_plural = _("desk staff")
        constraints = [models.UniqueConstraint(fields=["unit", "user"], name="desk_staff_once")]

    def __str__(self):
        return f"{self.user} @ {self.unit}"
