"""The one mechanism behind every workflow in ParkHub (applications, demands, enterprise verification,
subscriptions, payments, vouchers).

A workflow is data: a table of transitions, each naming the action, the states it may
start from, the state it leads to, who may take it, at which stage kind, when the object
is ready for it (its guard) and what it needs (a reason). Pages and the API offer
`workflow.actions_for(user, obj)`, which is the same check the service applies, so what
is offered is what is accepted. `transition_apply` is the only way a workflow object
changes state: it locks the row, checks the move against the table (`Workflow.check`),
lets the caller's `change` callback set the
new fields, saves, writes one append-only history row, and queues notifications on
commit. A refused move raises `TransitionRefused`, which the API and pages turn into a
409 (or 400 for a missing field) with a message a clerk understands.

History tables inherit `HistoryEntry` and carry `append_only_triggers()` in their Meta:
PostgreSQL itself refuses UPDATE and DELETE on them, raw SQL included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from .signals import transition_announce


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


ActorRule = Callable[[object, models.Model], bool]  # (actor, obj): may this kind of actor act on obj?


@dataclass(frozen=True)
class Transition:
    """One legal move and its whole guard: from where, to where, by whom, at which stage, when ready.

    The guard fields all have defaults; the rules for the actor kinds named in `actors` are
    the workflow's (`actor_rules`): a kind without a rule lets nobody act.
    """

    action: str
    sources: tuple[str, ...]
    target: str | None  # None: the state stays (e.g. advancing to the next stage)
    label: object
    needs_reason: bool = False
    # Who may take it: kinds of actor named in the workflow's `actor_rules` ("owner": the
    # object's own enterprise/applicant, "stage": staff of the current stage's role, ...).
    actors: tuple[str, ...] = ("stage",)
    public: bool = True  # shown on the enterprise's timeline
    # A further condition on who, beyond the actor kinds: (actor, obj) -> bool (e.g. only the
    # demand's handler or an administrator).
    guard: ActorRule | None = None
    # The kinds of the object's current stage it is taken at, `None` in the tuple meaning
    # "past the last stage"; None: at any (or for objects without stages).
    allowed_stage_kinds: tuple[str | None, ...] | None = None
    # Whether the object is ready for it: (obj) -> None, raising TransitionRefused, or a
    # ValidationError (400, on the form) when a clerk must be told what to do instead.
    precondition: Callable[[models.Model], None] | None = None


WORKFLOWS: dict[str, Workflow] = {}
"""Every workflow declared, by name (the offered ⇔ accepted test walks them all)."""


class Workflow:
    """A table of transitions plus what its actor kinds mean and how to read an object's stage.

    The one answer to "may this person take this step on this object now?" is `check`
    (raises with the reason) and `actions_for` (the steps that pass it): the service
    enforces the first through `transition_apply`, pages and the API show the second, so a
    button is offered exactly when the service would accept it.
    """

    def __init__(
        self,
        name: str,
        transitions: Iterable[Transition],
        *,
        actor_rules: dict[str, ActorRule] | None = None,
        stage_kind: Callable[[models.Model], str | None] | None = None,
    ):
        self.name = name
        self.transitions = {transition.action: transition for transition in transitions}
        self.actor_rules = dict(actor_rules or {})
        self.stage_kind = stage_kind
        WORKFLOWS[name] = self

    def __repr__(self) -> str:
        return f"Workflow({self.name!r}, {list(self.transitions)!r})"

    def get(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise TransitionRefused(_("Unknown action “%(action)s”.") % {"action": action}) from None

    def allowed_actions(self, state: str) -> list[Transition]:
        """The moves the table allows from `state`, whoever asks (see `actions_for` for a person)."""
        return [t for t in self.transitions.values() if state in t.sources]

    def _vouches(self, actor, obj, transition: Transition) -> bool | None:
        """Whether the workflow's own rules let `actor` take it; None when it has no rule for its actors."""
        rules = [self.actor_rules[kind] for kind in transition.actors if kind in self.actor_rules]
        if not rules:
            return None
        if not any(rule(actor, obj) for rule in rules):
            return False
        return transition.guard is None or bool(transition.guard(actor, obj))

    def check(
        self,
        actor,
        obj: models.Model,
        transition: Transition | str,
        *,
        status_field: str = "status",
    ) -> Transition:
        """Raise TransitionRefused (or a precondition's ValidationError) unless `actor` may take it now.

        In order: the state, the stage kind, who (the workflow's actor rules and guard; with no
        rule for the transition's actors, nobody may), the precondition.
        """
        if isinstance(transition, str):
            transition = self.get(transition)
        if getattr(obj, status_field) not in transition.sources:
            raise TransitionRefused(
                _("“%(action)s” is not possible while the item is “%(state)s”.")
                % {"action": transition.label, "state": getattr(obj, f"get_{status_field}_display")()}
            )
        if transition.allowed_stage_kinds is not None:
            kind = self.stage_kind(obj) if self.stage_kind is not None else None
            if kind not in transition.allowed_stage_kinds:
                raise TransitionRefused(
                    _("“%(action)s” is not taken at this stage.") % {"action": transition.label}
                )
        if not self._vouches(actor, obj, transition):
            raise TransitionRefused(
                _("You cannot take this step at this stage: it belongs to another role or person.")
            )
        if transition.precondition is not None:
            transition.precondition(obj)
        return transition

    def actions_for(self, actor, obj: models.Model, *, status_field: str = "status") -> list[Transition]:
        """The moves `actor` may take on `obj` now: exactly those `check` (and so the service) accepts."""
        offered = []
        for transition in self.allowed_actions(getattr(obj, status_field)):
            try:
                self.check(actor, obj, transition, status_field=status_field)
            except (TransitionRefused, ValidationError):
                continue
            offered.append(transition)
        return offered


class HistoryEntry(models.Model):
    """One step of a workflow: who, when, from, to, why, and the due date it set."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
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

    - The guard is the workflow's own (`Workflow.check`: state, stage kind, actor rules,
      precondition), the same one `Workflow.actions_for` offers from; no caller brings a
      rule of its own.
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
        workflow.check(_as_stored(actor), obj, transition, status_field=status_field)
        extra = change(obj, transition) or {}
        update_fields = list(extra.pop("update_fields", []))
        if transition.target is not None:
            setattr(obj, status_field, transition.target)
        if status_field not in update_fields:
            update_fields.append(status_field)
        # API clients sync by updated_at (auto_now): a save limited to update_fields must name it.
        if (
            any(field.name == "updated_at" for field in obj._meta.concrete_fields)
            and "updated_at" not in update_fields
        ):
            update_fields.append("updated_at")
        obj.save(update_fields=update_fields)
        history(obj, transition, from_status, {"comment": comment, **extra})
        # The hook (saas.signals.transition_committed): listeners hear of the move once it commits.
        transition_announce(
            model=model,
            instance=obj,
            action=transition.action,
            from_status=from_status,
            to_status=getattr(obj, status_field),
            actor=actor,
            transition=transition,
        )
        if notify is not None:
            notify(obj, transition)
    return obj


def _as_stored(actor):
    """The actor as the database has them now, for the guard under the row lock.

    The user loaded with a request carries a snapshot of its roles and enterprise seat
    (every_schema.accounts.backends), which pages may offer from; a move is decided on what holds now
    (a role withdrawn a moment ago, a deactivated account).
    """
    if actor is None or getattr(actor, "pk", None) is None:
        return actor
    return actor._meta.model._default_manager.filter(pk=actor.pk).first()  # request.user is a lazy proxy


def _as_token(value) -> str:
    return "" if value is None else str(value)


def _check_expected(obj, expected: dict, describe, status_field: str) -> None:
    if all(_as_token(getattr(obj, attribute)) == _as_token(value) for attribute, value in expected.items()):
        return
    state = describe(obj) if describe is not None else getattr(obj, f"get_{status_field}_display")()
    raise StaleAction(
        _(
            "This %(item)s has moved on to “%(state)s” since the page you acted from was shown; reload to see it."
        )
        % {"item": obj._meta.verbose_name, "state": state}
    )
