"""Writes of network demands: filing, every unit's step, and applying another unit's step.

The acting unit's copy moves through `transition_apply` (locked, checked against
workflow.py, history written); in the same transaction one envelope per unit still
concerned carries the step (public_schema.network.handoffs). The receiving copy applies it
through the same workflow as the "peer", keyed on the envelope, so a replay applies it once.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from public_schema.handling_units.models import HandlingUnit
from public_schema.handling_units.selectors import unit_dispatchable_get, unit_ids_for_user
from public_schema.handling_units.services import supervision_unit, unit_for_tenant
from public_schema.network.handoffs import handoff_send
from public_schema.tenants.models import Tenant
from saas.workdays import SHANGHAI, is_working_day, working_days_after
from saas.workflow import StaleAction, transition_apply
from tenant_schema.demands.models import Category, Rating

from . import workflow as wf
from .models import (
    MAX_WORKING_DAYS,
    RESOLUTION_WORKING_DAYS,
    SIGN_WORKING_HOURS,
    NetworkDemand,
    NetworkDemandHistory,
)

S = NetworkDemand.Status
KIND = "ndemand.event"
WORKDAY_START, WORKDAY_END = dt.time(9, 0), dt.time(17, 0)  # the hours a sign-for limit counts

# What every copy shares (the envelope's snapshot); the unit's own name and id stay its own.
SHARED_FIELDS = (
    "reference",
    "status",
    "extension",
    "title",
    "description",
    "category",
    "channel",
    "enterprise_name",
    "enterprise_credit_code",
    "contact_name",
    "contact_phone",
    "origin_unit_id",
    "origin_unit_name",
    "dispatcher_unit_id",
    "dispatcher_unit_name",
    "holder_unit_id",
    "holder_unit_name",
    "sent_by_unit_id",
    "sent_by_unit_name",
    "filed_at",
    "due_at",
    "max_due_at",
    "sign_due_at",
    "signed_at",
    "extension_days",
    "supervised_due_at",
    "answer",
    "answered_at",
    "answered_by_unit_id",
    "answered_by_unit_name",
    "answered_on_time",
    "rating",
    "rating_channel",
    "rated_at",
    "closed_at",
    "transfer_count",
    "sendback_count",
    "supervision_count",
    "reopen_count",
    "reopened_unit_id",
)


class OutOfOrder(Exception):
    """An envelope that arrived before the step it follows: left pending, retried, applied in turn."""


def working_hours_after(start: dt.datetime, hours: int) -> dt.datetime:
    """The moment `hours` working hours (09:00–17:00 on working days, Shanghai) after `start`."""
    moment = start.astimezone(SHANGHAI)
    remaining = dt.timedelta(hours=hours)
    while True:
        day = moment.date()
        opens = dt.datetime.combine(day, WORKDAY_START, tzinfo=SHANGHAI)
        closes = dt.datetime.combine(day, WORKDAY_END, tzinfo=SHANGHAI)
        if is_working_day(day) and moment < closes:
            moment = max(moment, opens)
            if moment + remaining <= closes:
                return moment + remaining
            remaining -= closes - moment
        moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=SHANGHAI)


def _json(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def snapshot_of(demand: NetworkDemand) -> dict:
    return {name: _json(getattr(demand, name)) for name in SHARED_FIELDS}


def snapshot_parsed(values: dict) -> dict:
    return {
        name: NetworkDemand._meta.get_field(name).to_python(value)
        for name, value in values.items()
        if name in SHARED_FIELDS
    }


def _unit(pk: int) -> HandlingUnit:
    return HandlingUnit.objects.select_related("tenant").get(pk=pk)


def _here_tenant() -> Tenant:
    return Tenant.objects.get(schema_name=connection.schema_name)


def _enterprise_of(actor):
    if connection.schema_name == "public" or not getattr(actor, "is_authenticated", False):
        return None
    from tenant_schema.enterprises.selectors import enterprise_of_user  # tenant schemas only

    return enterprise_of_user(user=actor)


def _label(actor) -> str:
    return (getattr(actor, "full_name", "") or getattr(actor, "email", "") or "") if actor else ""


def demand_file(
    *,
    actor,
    title: str,
    description: str,
    channel: str = NetworkDemand.Channel.ONLINE,
    category: str = "",
    enterprise=None,
    enterprise_name: str = "",
    enterprise_credit_code: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    unit: HandlingUnit | None = None,
    reference: str | None = None,
) -> NetworkDemand:
    """A demand filed online by an enterprise on its sub-platform, or recorded by a unit's staff
    (taken by phone, at the service hall, from a WeChat group) with that channel.

    The copy is the unit of origin's; the clock starts now (15 working days, 30 at most).
    The hub's supervision office gets its copy in an envelope. `reference` (a UUID the form
    made) makes a repeated submit the same demand.
    """
    title, description = (title or "").strip(), (description or "").strip()
    if channel == NetworkDemand.Channel.ONLINE:  # online: the signed-in enterprise's own, nobody else's
        enterprise = _enterprise_of(actor)
    reference = _filing_checked(
        actor=actor,
        title=title,
        description=description,
        channel=channel,
        category=category,
        enterprise=enterprise,
        unit=unit,
        reference=reference,
    )
    if channel == NetworkDemand.Channel.ONLINE:
        unit = None
    if enterprise is not None:
        enterprise_name = enterprise.name
        enterprise_credit_code = enterprise.credit_code
        contact_name = contact_name or enterprise.contact_name or enterprise.name
        contact_phone = contact_phone or enterprise.contact_phone
    if not (enterprise_name or "").strip():
        raise ValidationError({"enterprise_name": _("Name the enterprise.")})
    existing = NetworkDemand.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    if unit is None:
        unit = unit_for_tenant(tenant=_here_tenant())
    now = timezone.now()
    demand = NetworkDemand(
        reference=reference,
        unit_id=unit.pk,
        unit_name=unit.name,
        status=S.RECEIVED,
        seq=1,
        title=title[:200],
        description=description,
        category=category,
        channel=channel,
        enterprise_id=enterprise.pk if enterprise is not None else None,
        enterprise_name=enterprise_name.strip()[:200],
        enterprise_credit_code=(enterprise_credit_code or "")[:18],
        contact_name=(contact_name or "")[:100],
        contact_phone=(contact_phone or "")[:40],
        origin_unit_id=unit.pk,
        origin_unit_name=unit.name,
        holder_unit_id=unit.pk,
        holder_unit_name=unit.name,
        filed_at=now,
        due_at=working_days_after(now, RESOLUTION_WORKING_DAYS),
        max_due_at=working_days_after(now, MAX_WORKING_DAYS),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            demand.save()
            row = NetworkDemandHistory.objects.create(
                demand=demand,
                actor=demand.created_by,
                action=wf.FILE,
                to_status=demand.status,
                unit_id=unit.pk,
                unit_name=unit.name,
                seq=1,
                due_at=demand.due_at,
                comment=str(NetworkDemand.Channel(channel).label),
            )
            _send(demand, action=wf.FILE, base_seq=0, row=row, recipients=[supervision_unit()], changed=())
    except IntegrityError:
        existing = NetworkDemand.objects.filter(reference=reference).first()
        if existing is None:
            raise
        return existing
    return demand


def _filing_checked(*, actor, title, description, channel, category, enterprise, unit, reference) -> str:
    """The filing's field errors, all at once; the demand number to use."""
    errors = {}
    if not title:
        errors["title"] = _("Give the demand a title.")
    if not description:
        errors["description"] = _("Describe the problem.")
    if channel not in NetworkDemand.Channel.values:
        errors["channel"] = _("Choose how the demand was received.")
    if category and category not in Category.values:
        errors["category"] = _("Choose a category from the list.")
    try:
        reference = str(uuid.UUID(str(reference))) if reference else str(uuid.uuid4())
    except ValueError:
        errors["reference"] = _("Not a valid demand number.")
    if channel == NetworkDemand.Channel.ONLINE:
        # Online: the enterprise's own account, on its own sub-platform.
        if enterprise is None:
            errors["channel"] = _("Only an enterprise's own account files online; staff record the channel.")
    elif (
        unit is None or unit.pk not in unit_ids_for_user(actor) or unit.kind == HandlingUnit.Kind.SUPERVISION
    ):
        errors["channel"] = _(
            "Only a unit's staff record a demand received by phone, at the hall or on WeChat."
        )
    if errors:
        raise ValidationError(errors)
    return reference


def _recipients(demand: NetworkDemand, *, previous_holder: int | None) -> list[HandlingUnit]:
    """The units still concerned after a step, but the acting one: origin, dispatcher, holder
    (and the one that just held it), and the supervision office."""
    ids = {demand.origin_unit_id, demand.dispatcher_unit_id, demand.holder_unit_id, previous_holder}
    ids.add(supervision_unit().pk)
    ids.discard(None)
    ids.discard(demand.unit_id)
    return list(HandlingUnit.objects.select_related("tenant").filter(pk__in=ids))


def _send(demand, *, action: str, base_seq: int, row: NetworkDemandHistory, recipients, changed) -> None:
    sender = _here_tenant()
    for unit in recipients:
        handoff_send(
            kind=KIND,
            sender=sender,
            receiver=unit.tenant,
            key=f"ndemand:{demand.reference}:{demand.unit_id}:{row.pk}:{unit.pk}",
            reference=demand.reference,
            payload={
                "reference": demand.reference,
                "action": action,
                "base_seq": base_seq,
                "seq": demand.seq,
                "to_unit_id": unit.pk,
                "to_unit_name": unit.name,
                "from_unit_id": demand.unit_id,
                "from_unit_name": demand.unit_name,
                "actor_label": f"{demand.unit_name} {_label(row.actor)}".strip(),
                "comment": row.comment,
                "history_to_unit_id": row.to_unit_id,
                "history_to_unit_name": row.to_unit_name,
                "history_due_at": _json(row.due_at),
                "is_public": row.is_public,
                "from_status": row.from_status,
                "to_status": row.to_status,
                "changed": list(changed),
                "snapshot": snapshot_of(demand),
            },
        )


def _deadline_parsed(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(17, 30), tzinfo=SHANGHAI)
    text = (value or "").strip() if isinstance(value, str) else ""
    moment = parse_datetime(text)
    if moment is not None:
        return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)
    day = parse_date(text)
    return dt.datetime.combine(day, dt.time(17, 30), tzinfo=SHANGHAI) if day else None


def _rating_fields(demand, rating, *, channel: str, now) -> dict:
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose satisfied, basically satisfied or unsatisfied.")})
    fields = {"rating": rating, "rating_channel": channel, "rated_at": now}
    if rating == Rating.UNSATISFIED:
        # 重办: back to handling at the unit that answered, on a fresh clock, and it counts against it.
        fields.update(
            status=S.HANDLING,
            reopen_count=demand.reopen_count + 1,
            reopened_unit_id=demand.answered_by_unit_id,
            holder_unit_id=demand.answered_by_unit_id or demand.holder_unit_id,
            holder_unit_name=demand.answered_by_unit_name or demand.holder_unit_name,
            due_at=working_days_after(now, RESOLUTION_WORKING_DAYS),
            max_due_at=working_days_after(now, MAX_WORKING_DAYS),
            supervised_due_at=None,
        )
    else:
        fields.update(status=S.CLOSED, closed_at=now)
    return fields


def _target_unit(demand, to_unit_id) -> HandlingUnit:
    if not to_unit_id:
        raise ValidationError({"to_unit": _("Choose the unit to send it to.")})
    try:
        unit = unit_dispatchable_get(pk=to_unit_id)
    except Exception:
        raise ValidationError({"to_unit": _("This unit does not take demands.")}) from None
    if unit.pk == demand.unit_id:
        raise ValidationError({"to_unit": _("Choose another unit than your own.")})
    return unit


def _step_fields(demand: NetworkDemand, action: str, *, now, comment: str, inputs: dict) -> dict:
    """What the step sets on the copy besides the status its transition names."""
    fields: dict = {}
    if action in (wf.HANDLE, wf.DISPATCH):
        category = inputs.get("category") or demand.category
        if category not in Category.values:
            raise ValidationError({"category": _("Classify the demand first.")})
        fields["category"] = category
        if demand.dispatcher_unit_id is None:  # the unit that classifies it dispatches it, and visits back
            fields.update(dispatcher_unit_id=demand.unit_id, dispatcher_unit_name=demand.unit_name)
    if action in (wf.DISPATCH, wf.TRANSFER):
        unit = _target_unit(demand, inputs.get("to_unit"))
        fields.update(
            holder_unit_id=unit.pk,
            holder_unit_name=unit.name,
            sent_by_unit_id=demand.unit_id,
            sent_by_unit_name=demand.unit_name,
            sign_due_at=working_hours_after(now, SIGN_WORKING_HOURS),
            signed_at=None,
        )
        if action == wf.TRANSFER:  # the clock runs on: due_at is not touched
            fields["transfer_count"] = demand.transfer_count + 1
    if action in (wf.HANDLE, wf.DISPATCH, wf.TRANSFER):
        return fields
    if action == wf.SIGN:
        return {"signed_at": now}
    if action == wf.SEND_BACK:
        return {
            "holder_unit_id": demand.sent_by_unit_id,
            "holder_unit_name": demand.sent_by_unit_name,
            "sendback_count": demand.sendback_count + 1,
            "signed_at": None,
        }
    if action == wf.ANSWER:
        return {
            "answer": comment,
            "answered_at": now,
            "answered_by_unit_id": demand.unit_id,
            "answered_by_unit_name": demand.unit_name,
            "answered_on_time": now <= (demand.supervised_due_at or demand.due_at),
        }
    return _later_step_fields(demand, action, now=now, inputs=inputs)


def _later_step_fields(demand: NetworkDemand, action: str, *, now, inputs: dict) -> dict:
    """The fields of the steps after the answer, of supervision and of the extension."""
    if action == wf.RATE:
        return _rating_fields(
            demand, inputs.get("rating"), channel=NetworkDemand.RatingChannel.ONLINE, now=now
        )
    if action == wf.RETURN_VISIT:
        return _rating_fields(
            demand, inputs.get("rating"), channel=NetworkDemand.RatingChannel.RETURN_VISIT, now=now
        )
    if action == wf.SUPERVISE:
        deadline = _deadline_parsed(inputs.get("deadline"))
        if deadline is None or deadline <= now:
            raise ValidationError({"deadline": _("Give the new deadline, a date after today.")})
        return {"supervised_due_at": deadline, "supervision_count": demand.supervision_count + 1}
    if action == wf.REQUEST_EXTENSION:
        try:
            days = int(inputs.get("extension_days"))
        except (TypeError, ValueError):
            days = 0
        if days < 1 or working_days_after(demand.due_at, days) > demand.max_due_at:
            raise ValidationError(
                {"extension_days": _("Ask for at least 1 working day, within 30 working days from filing.")}
            )
        return {"extension_days": days}
    if action == wf.APPROVE_EXTENSION:
        return {
            "due_at": min(working_days_after(demand.due_at, demand.extension_days or 0), demand.max_due_at)
        }
    return {}


def demand_step(
    *,
    demand: NetworkDemand,
    action: str,
    actor,
    comment: str = "",
    expected_status: str | None = None,
    **inputs,
) -> NetworkDemand:
    """A unit (or the enterprise) takes a step on its copy; the envelopes take it to the others.

    Checked under the row lock against workflow.py (who, from where); `expected_status` is
    the status the page or client acted from, so a repeat is a 409 (StaleAction).
    """
    if action not in wf.ACTIONS or action == wf.RECEIVE_AGAIN:
        raise ValidationError({"action": _("Unknown step.")})
    workflow, status_field = wf.ACTIONS[action]
    comment = (comment or "").strip()
    now = timezone.now()
    step: dict = {}
    before: dict = {}

    def change(locked, transition):
        before.update(holder=locked.holder_unit_id, seq=locked.seq)
        step.update(_step_fields(locked, action, now=now, comment=comment, inputs=inputs))
        step["seq"] = locked.seq + 1
        for name, value in step.items():
            setattr(locked, name, value)
        return {"update_fields": list(step)}

    def history(locked, transition, from_status, extra):
        to_unit = (
            (locked.holder_unit_id, locked.holder_unit_name)
            if before["holder"] != locked.holder_unit_id
            else (None, "")
        )
        return NetworkDemandHistory.objects.create(
            demand=locked,
            actor=actor if getattr(actor, "pk", None) else None,
            action=transition.action,
            from_status=from_status,
            to_status=getattr(locked, status_field),
            comment=extra.get("comment", ""),
            is_public=transition.public,
            unit_id=locked.unit_id,
            unit_name=locked.unit_name,
            to_unit_id=to_unit[0],
            to_unit_name=to_unit[1],
            seq=locked.seq,
            due_at=locked.supervised_due_at
            if action == wf.SUPERVISE
            else (locked.due_at if action == wf.APPROVE_EXTENSION else None),
        )

    rows: list[NetworkDemandHistory] = []

    def history_kept(locked, transition, from_status, extra):
        rows.append(history(locked, transition, from_status, extra))
        return rows[-1]

    with transaction.atomic():
        saved = transition_apply(
            model=NetworkDemand,
            pk=demand.pk,
            workflow=workflow,
            action=action,
            actor=actor,
            change=change,
            history=history_kept,
            comment=comment,
            status_field=status_field,
            expected={status_field: expected_status} if expected_status else None,
        )
        _send(
            saved,
            action=action,
            base_seq=before["seq"],
            row=rows[0],
            recipients=_recipients(saved, previous_holder=before["holder"]),
            changed=[*step, status_field],
        )
    return saved


def demand_receive(*, handoff) -> NetworkDemand:
    """Another unit's step applied to this unit's copy, once (keyed on the envelope).

    No copy yet: it is made from the envelope's snapshot (the unit joins). A copy of a unit
    that held it before and gets it back catches up from the snapshot. A step whose
    predecessor has not arrived yet raises OutOfOrder (the envelope stays pending and is
    retried); one that crossed a later step on its way is recorded and changes nothing.
    """
    payload = handoff.payload
    key = handoff.idempotency_key
    unit_id = payload["to_unit_id"]
    done = NetworkDemandHistory.objects.filter(handoff_key=key).select_related("demand").first()
    if done is not None:
        return done.demand
    action = payload["action"]
    snapshot = snapshot_parsed(payload["snapshot"])
    copy = (
        NetworkDemand.objects.select_for_update()
        .filter(reference=payload["reference"], unit_id=unit_id)
        .first()
    )
    row = {
        "actor_label": payload["actor_label"],
        "unit_id": payload["from_unit_id"],
        "unit_name": payload["from_unit_name"],
        "to_unit_id": payload.get("history_to_unit_id"),
        "to_unit_name": payload.get("history_to_unit_name") or "",
        "is_public": payload.get("is_public", True),
        "handoff_key": key,
        "seq": payload["seq"],
        "due_at": NetworkDemandHistory._meta.get_field("due_at").to_python(payload.get("history_due_at")),
    }
    if copy is None:
        copy = NetworkDemand.objects.create(
            unit_id=unit_id, unit_name=payload["to_unit_name"], seq=payload["seq"], **snapshot
        )
        NetworkDemandHistory.objects.create(
            demand=copy,
            action=action,
            from_status=payload.get("from_status", ""),
            to_status=payload["to_status"],
            comment=payload.get("comment", ""),
            **row,
        )
        return copy
    peer = wf.PeerUnit(payload["from_unit_id"], payload["from_unit_name"])
    rejoining = snapshot["holder_unit_id"] == unit_id and not copy.is_held_here
    if rejoining:
        return _apply(
            copy, wf.RECEIVE_AGAIN, peer, snapshot, list(snapshot), payload, row, "status", recorded_as=action
        )
    if copy.seq < payload["base_seq"]:
        raise OutOfOrder(f"{action} of {copy.reference} at {unit_id} before its predecessor")
    workflow, status_field = wf.ACTIONS[action]
    if getattr(copy, status_field) not in workflow.get(action).sources:
        NetworkDemandHistory.objects.create(
            demand=copy,
            action=wf.LATE,
            from_status=getattr(copy, status_field),
            to_status=getattr(copy, status_field),
            comment=f"{wf.action_label(action)}: {payload.get('comment', '')}".strip(": "),
            **row,
        )
        return copy
    return _apply(copy, action, peer, snapshot, payload.get("changed") or [], payload, row, status_field)


def _apply(copy, action, peer, snapshot, changed, payload, row, status_field, recorded_as=None):
    values = {name: snapshot[name] for name in changed if name in snapshot}

    def change(locked, transition):
        for name, value in values.items():
            setattr(locked, name, value)
        locked.seq = max(locked.seq + 1, payload["seq"])
        return {"update_fields": [*values, "seq"]}

    def history(locked, transition, from_status, extra):
        return NetworkDemandHistory.objects.create(
            demand=locked,
            action=recorded_as or transition.action,
            from_status=from_status,
            to_status=getattr(locked, status_field),
            comment=payload.get("comment", ""),
            **row,
        )

    workflow = wf.ACTIONS[action][0]
    try:
        return transition_apply(
            model=NetworkDemand,
            pk=copy.pk,
            workflow=workflow,
            action=action,
            actor=peer,
            change=change,
            history=history,
            comment=payload.get("comment", "") or ("-" if workflow.get(action).needs_reason else ""),
            status_field=status_field,
        )
    except StaleAction as stale:  # pragma: no cover - no expected state is sent for a peer's step
        raise OutOfOrder(str(stale)) from stale
