"""The one mechanism behind every workflow in ParkHub (applications, demands).

A workflow is data: a table of transitions, each naming the action, the states it may
start from, the state it leads to, who may take it and what it needs (a reason, an
amount). `transition_apply` is the only way a workflow object changes state: it locks
the row, checks the move against the table, lets the caller's `change` callback set the
new fields, saves, writes one append-only history row, and queues notifications on
commit. A refused move raises `TransitionRefused`, which the API and pages turn into a
409 (or 400 for a missing field) with a message a clerk understands.

History tables inherit `HistoryEntry` and carry `append_only_triggers()` in their Meta:
PostgreSQL itself refuses UPDATE and DELETE on them, raw SQL included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from public_schema.hub.rollups import rollup_touch


class TransitionRefused(Exception):
    """A move the workflow does not allow from here, or not to this person."""

    code = "transition_refused"

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class StaleAction(TransitionRefused):
    """The item is no longer in the state the action was offered from.

    A double-click, a second tab, a retry after a timeout: the first request moved the
    item on, and the repeat would otherwise be applied to the new state (an advance
    passing a second stage that nobody reviewed). A 409 like every refused move.
    """

    code = "stale_action"


NOT_SENT = object()  # an expected value the client did not send: that part of the state is not checked


def expected_state_from(data, *fields: str) -> dict:
    """The expected_* values a page's form or an API body carried, only those it did carry.

    The pages always send them (hidden inputs, see templates/_expected_state.html); "" means
    "none" (an application with no current stage).
    """
    return {field: (data.get(field) or None) for field in fields if field in data}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str | None  # None: the state stays (e.g. advancing to the next stage)
    label: object
    needs_reason: bool = False
    # Who may take it: "owner" (the object's own enterprise/applicant) or "stage" (staff of
    # the current stage's role) or explicit role names.
    actors: tuple[str, ...] = ("stage",)
    public: bool = True  # shown on the enterprise's timeline


@dataclass
class Workflow:
    name: str
    transitions: dict[str, Transition] = field(default_factory=dict)

    def __init__(self, name: str, transitions: Iterable[Transition]):
        self.name = name
        self.transitions = {transition.action: transition for transition in transitions}

    def get(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise TransitionRefused(_("Unknown action “%(action)s”.") % {"action": action}) from None

    def allowed_actions(self, state: str) -> list[Transition]:
        return [t for t in self.transitions.values() if state in t.sources]


class HistoryEntry(models.Model):
    """One step of a workflow: who, when, from, to, why, and the due date it set."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    comment = models.TextField(_("comment"), blank=True)
    is_public = models.BooleanField(_("shown to the enterprise"), default=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]


def append_only_triggers(table_label: str) -> list:
    """Triggers that make a history table append-only in the database itself."""
    return [
        pgtrigger.Protect(name=f"{table_label}_no_update", operation=pgtrigger.Update),
        pgtrigger.Protect(name=f"{table_label}_no_delete", operation=pgtrigger.Delete),
    ]


def transition_apply(
    *,
    model: type[models.Model],
    pk: int,
    workflow: Workflow,
    action: str,
    actor,
    may_act: Callable[[models.Model, Transition], bool],
    change: Callable[[models.Model, Transition], dict],
    history: Callable[[models.Model, Transition, str, dict], models.Model],
    notify: Callable[[models.Model, Transition], None] | None = None,
    comment: str = "",
    status_field: str = "status",
    expected: dict | None = None,
    describe: Callable[[models.Model], str] | None = None,
):
    """Apply `action` to the object `pk` of `model`, or refuse it; returns the saved object.

    - `expected`: {attribute: value} of the state the action was offered from (the status,
      the current stage's id). Checked first under the row lock: if any no longer holds,
      StaleAction (409) says what the item has moved on to. None values mean "none".
      A caller that sends nothing is still serialised by the lock and checked against the
      transition's sources, which stops a repeated submit or approve, but not a repeated
      move that keeps the status (an advance): pages and clients should send it.
    - `describe(obj)`: the state as a person reads it, for that message.

    - `may_act(obj, transition)`: whether `actor` may take this transition on this object.
    - `change(obj, transition)`: sets the new field values on `obj` (status included when
      the transition has no fixed target) and returns {"update_fields": [...], ...extra
      values for the history row such as due_at}. It may raise ValidationError for a
      missing or bad field (an amount over budget, say).
    - `history(obj, transition, from_status, extra)`: creates the history row.
    - `notify(obj, transition)`: queues notifications; runs inside the transaction and
      should use `send_on_commit`.
    """
    transition = workflow.get(action)
    comment = (comment or "").strip()
    if transition.needs_reason and not comment:
        raise ValidationError({"comment": _("Give a reason: the enterprise will read it.")})
    with transaction.atomic():
        obj = model.objects.select_for_update().get(pk=pk)
        _check_expected(obj, expected or {}, describe, status_field)
        from_status = getattr(obj, status_field)
        if from_status not in transition.sources:
            raise TransitionRefused(
                _("“%(action)s” is not possible while the item is “%(state)s”.")
                % {"action": transition.label, "state": getattr(obj, f"get_{status_field}_display")()}
            )
        if not may_act(obj, transition):
            raise TransitionRefused(_("You cannot take this step at this stage: it belongs to another role or person."))
        extra = change(obj, transition) or {}
        update_fields = list(extra.pop("update_fields", []))
        if transition.target is not None:
            setattr(obj, status_field, transition.target)
        if status_field not in update_fields:
            update_fields.append(status_field)
        # API clients sync by updated_at (auto_now): a save limited to update_fields must name it.
        if any(field.name == "updated_at" for field in obj._meta.concrete_fields) and "updated_at" not in update_fields:
            update_fields.append("updated_at")
        obj.save(update_fields=update_fields)
        history(obj, transition, from_status, {"comment": comment, **extra})
        rollup_touch()  # the hub's figures: refresh this tenant's rollups after commit
        if notify is not None:
            notify(obj, transition)
    return obj


def _as_token(value) -> str:
    return "" if value is None else str(value)


def _check_expected(obj, expected: dict, describe, status_field: str) -> None:
    if all(_as_token(getattr(obj, attribute)) == _as_token(value) for attribute, value in expected.items()):
        return
    state = describe(obj) if describe is not None else getattr(obj, f"get_{status_field}_display")()
    raise StaleAction(
        _("This %(item)s has moved on to “%(state)s” since the page you acted from was shown; reload to see it.")
        % {"item": obj._meta.verbose_name, "state": state}
    )
