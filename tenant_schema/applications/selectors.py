"""Reads of applications: scoped lists, the enterprise's timeline, reviewers' queues."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from saas.workdays import working_days_between
from tenant_schema.enterprises.selectors import user_is_park_staff
from tenant_schema.funding.models import Stage

from . import workflow as wf
from .models import ANSWER_FIELDS, Application, ApplicationEvent

S = Application.Status


def application_list_for_user(*, user) -> QuerySet[Application]:
    """Park staff see every application of the tenant; an enterprise's people only their enterprise's."""
    applications = Application.objects.select_related("programme", "enterprise", "current_stage")
    if user_is_park_staff(user):
        return applications
    if user.is_authenticated:
        return applications.filter(enterprise__memberships__user=user)
    return applications.none()


def application_list_for_enterprise(*, enterprise) -> QuerySet[Application]:
    """The enterprise's own applications, newest first, with just what its list page shows.

    A draft it deleted (withdrawn before it was ever submitted) is not listed.
    """
    return (
        Application.objects.filter(enterprise=enterprise)
        .exclude(status=S.WITHDRAWN, submitted_at__isnull=True)
        .select_related("programme", "current_stage")
        .only(
            "status",
            "requested_amount",
            "approved_amount",
            "stage_due_at",
            "created_at",
            "programme__title",
            "current_stage__public_name",
        )  # fmt: skip
        .order_by("-created_at", "-pk")
    )


def application_get_for_enterprise(*, enterprise, pk) -> Application:
    """One of the enterprise's own applications; the same 404 for "not yours" and "does not exist"."""
    try:
        application = (
            Application.objects.select_related("programme", "current_stage")
            .filter(enterprise=enterprise)
            .get(pk=pk)
        )
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404("No such application") from None
    application.enterprise = enterprise  # already loaded with the user
    return application


def application_get_for_user(*, user, pk) -> Application:
    """One application if the user may see it; the same 404 for "not yours" and "does not exist"."""
    try:
        return application_list_for_user(user=user).get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404("No such application") from None


def application_queue(*, user, view: str = "mine", now=None) -> QuerySet[Application]:
    """A reviewer's work: "mine" (stages of my role), "due_soon" (due within 2 days), "overdue"."""
    now = now or timezone.now()
    roles = list(user.role_set())
    applications = application_list_for_user(user=user).filter(
        status__in=[S.IN_REVIEW, S.APPROVED], current_stage__role__in=roles, stage_due_at__isnull=False
    )
    if view == "due_soon":
        applications = applications.filter(stage_due_at__gte=now, stage_due_at__lt=now + dt.timedelta(days=2))
    elif view == "overdue":
        applications = applications.filter(stage_due_at__lt=now)
    return applications.order_by("stage_due_at", "pk")


def application_answers(*, application: Application) -> list[tuple[str, str]]:
    """The answers as (question, answer), each question by its label rather than its stored key;
    a key the form no longer asks (an older programme, an import) is shown as it was stored."""
    labels = {key: str(label) for key, label in ANSWER_FIELDS}
    return [(labels.get(key, key), answer) for key, answer in (application.answers or {}).items()]


def applications_overdue(*, queryset: QuerySet[Application], now=None) -> QuerySet[Application]:
    """Those held at a stage past its due time: the rows the park's and the hub's "overdue now" count
    (tenant_schema.figures.OVERDUE), at any stage, whoever's role holds it."""
    now = now or timezone.now()
    return queryset.filter(status__in=[S.IN_REVIEW, S.APPROVED], stage_due_at__lt=now)


@dataclass
class TimelineStage:
    stage: Stage
    state: str  # "done", "current", "waiting", "skipped"
    entered_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    done_at: dt.datetime | None = None
    office: str = ""
    comments: list = field(default_factory=list)
    working_days_left: int | None = None  # negative when overdue


@dataclass
class Timeline:
    application: Application
    stages: list[TimelineStage]
    events: list[ApplicationEvent]
    reason: str = ""  # why it was returned or rejected, when it is


def application_timeline(*, application: Application, include_internal: bool = False, now=None) -> Timeline:
    """Every stage with entered, due and done dates, who holds it and its public comments.

    Two queries whatever the number of stages and history rows: the stages and the events.
    The events' stages are taken from the stage list rather than joined again; the clerk
    who acted (`actor`) is loaded only for the internal view, since enterprises see offices.
    """
    now = now or timezone.now()
    stages = list(application.programme.stages.all())
    events = application.events.order_by("created_at", "pk")
    if include_internal:
        events = events.select_related("actor")
    events = list(events)
    by_pk = {stage.pk: stage for stage in stages}
    for event in events:
        # A history row's stages belong to the application's programme, whose stages cannot
        # change once it has applications; an unknown id is left to load lazily all the same.
        if event.from_stage_id in by_pk:
            event.from_stage = by_pk[event.from_stage_id]
        if event.to_stage_id in by_pk:
            event.to_stage = by_pk[event.to_stage_id]
    visible = [e for e in events if include_internal or e.is_public]
    rows = {stage.pk: TimelineStage(stage=stage, state="waiting", office=stage.office) for stage in stages}
    for event in events:
        if (
            event.to_stage_id
            and event.to_stage_id in rows
            and event.action in ("submit", "advance", "approve")
        ):
            row = rows[event.to_stage_id]
            row.entered_at = event.created_at
            row.due_at = event.due_at
            row.done_at = None
        if (
            event.from_stage_id
            and event.from_stage_id in rows
            and event.action in ("advance", "approve", "reject", "disburse")
        ):
            rows[event.from_stage_id].done_at = event.created_at
        if event.from_stage_id in rows and event.comment and (include_internal or event.is_public):
            rows[event.from_stage_id].comments.append(event)
    current = application.current_stage_id
    for stage in stages:
        row = rows[stage.pk]
        if stage.pk == current and application.status in (S.IN_REVIEW, S.APPROVED, S.RETURNED):
            row.state = "current"
            row.due_at = application.stage_due_at
            if application.stage_due_at:
                row.working_days_left = working_days_between(now, application.stage_due_at)
        elif row.done_at or (application.status == S.DISBURSED and row.entered_at):
            row.state = "done"
            row.done_at = row.done_at or (
                application.updated_at if application.status == S.DISBURSED else None
            )
    reason = ""
    if application.status in (S.RETURNED, S.REJECTED):
        last = next((e for e in reversed(events) if e.action in ("return", "reject")), None)
        reason = last.comment if last else ""
    return Timeline(
        application=application, stages=[rows[s.pk] for s in stages], events=visible, reason=reason
    )


def due_clock(*, due_at, now) -> dict | None:
    """Working days left, or overdue, for a due date (None when nothing is due)."""
    if due_at is None:
        return None
    days = working_days_between(now, due_at)
    overdue = due_at < now
    return {
        "days": abs(days) if overdue else days,
        "overdue": overdue,
        "due_today": not overdue and days == 0,
    }


def application_documents(*, application: Application) -> list[dict]:
    """The programme's required documents with what was attached for each, then any others."""
    attachments = list(application.attachments.all())
    required = [name for name in application.programme.required_documents if name]
    rows = [
        {"name": name, "required": True, "files": [a for a in attachments if a.document == name]}
        for name in required
    ]
    others = [a for a in attachments if a.document not in required]
    rows.append({"name": "", "required": False, "files": others})
    return rows


def _enterprise_timeline(*, application: Application, now) -> Timeline:
    """The timeline as the enterprise reads it: clocks on the current stage, steps signed by office."""
    timeline = application_timeline(application=application, now=now)
    stopped_at = application.current_stage_id if application.status in (S.REJECTED, S.WITHDRAWN) else None
    for row in timeline.stages:
        row.clock = due_clock(due_at=row.due_at, now=now) if row.state == "current" else None
        row.stopped = row.stage.pk == stopped_at
        if timeline.reason and (row.stopped or (row.state == "current" and application.status == S.RETURNED)):
            # The reason is shown on its own at this stage; do not repeat it among the comments.
            reason_event = next(
                (e for e in reversed(row.comments) if e.action in (wf.RETURN, wf.REJECT)), None
            )
            row.comments = [e for e in row.comments if e is not reason_event]
    # The enterprise reads steps by office, not by the name of the clerk who took them.
    labels = {action: t.label for action, t in wf.APPLICATION_WORKFLOW.transitions.items()}
    for event in [*timeline.events, *(e for row in timeline.stages for e in row.comments)]:
        event.label = labels.get(event.action, event.action)
        if event.action in (wf.SUBMIT, wf.WITHDRAW):
            event.by = application.enterprise.name
        else:
            event.by = event.from_stage.office if event.from_stage else ""
    return timeline


def application_detail_for_enterprise(*, application: Application, enterprise, user, now) -> dict:
    """What the enterprise's page of one application shows: the timeline, who holds it, what it may do.

    The caller has fetched `application` through application_get_for_enterprise.
    """
    current = application.current_stage
    if application.status in (S.DRAFT, S.RETURNED):
        holder = enterprise.name
    elif application.status in (S.IN_REVIEW, S.APPROVED) and current is not None:
        holder = current.office or current.public_name
    else:
        holder = ""
    # What the workflow itself offers this person now (the service accepts exactly these).
    actions = {transition.action for transition in wf.APPLICATION_WORKFLOW.actions_for(user, application)}
    answers = application.answers or {}
    return {
        "application": application,
        "timeline": _enterprise_timeline(application=application, now=now),
        "current_clock": due_clock(due_at=application.stage_due_at, now=now)
        if application.status in (S.IN_REVIEW, S.APPROVED)
        else None,
        "holder": holder,
        "editable": application.status in (S.DRAFT, S.RETURNED),
        "can_submit": wf.SUBMIT in actions,
        "can_withdraw": wf.WITHDRAW in actions,
        "documents": application_documents(application=application),
        "answers": [
            {"label": label, "text": answers.get(key, "")} for key, label in ANSWER_FIELDS if answers.get(key)
        ],
    }


def public_notice_list(*, now=None) -> QuerySet[Application]:
    """Awards on public notice (公示) now: programme, enterprise name, amount, period. No private fields."""
    return (
        Application.objects.filter(status=S.APPROVED, current_stage__kind=Stage.Kind.NOTICE)
        .select_related("programme", "enterprise", "current_stage")
        .only(
            "pk",
            "approved_amount",
            "stage_entered_at",
            "stage_due_at",
            "programme__title",
            "enterprise__name",
            "current_stage__kind",
            "current_stage__public_name",
        )
        .order_by("programme__title", "enterprise__name")
    )


def application_search(
    *, queryset: QuerySet[Application], search: str = "", status: str = "", programme=None
) -> QuerySet[Application]:
    if search:
        queryset = queryset.filter(
            Q(enterprise__name__icontains=search) | Q(programme__title__icontains=search)
        )
    if status:
        queryset = queryset.filter(status=status)
    if programme:
        queryset = queryset.filter(programme_id=programme)
    return queryset


def attachment_get_for_user(*, user, application_pk, attachment_pk):
    """An attachment of an application the user may see; 404 otherwise (another enterprise's URL included)."""
    from .models import Attachment

    application = application_get_for_user(user=user, pk=application_pk)
    try:
        return application.attachments.get(pk=attachment_pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such attachment") from None


def public_notice_get(*, pk) -> Application:
    """An award that has been on public notice (now or before), with public fields only; 404 for anything else.

    Used by the objection form, which must tell someone late that the period is over without
    revealing applications that were never publicly noticed.
    """
    try:
        return (
            Application.objects.filter(
                status__in=[S.APPROVED, S.DISBURSED], events__to_stage__kind=Stage.Kind.NOTICE
            )
            .select_related("programme", "enterprise", "current_stage")
            .only(
                "pk",
                "status",
                "approved_amount",
                "stage_entered_at",
                "stage_due_at",
                "programme__title",
                "enterprise__name",
                "current_stage__kind",
                "current_stage__public_name",
            )
            .distinct()
            .get(pk=pk)
        )
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404("No such award on notice") from None
