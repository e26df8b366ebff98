"""Writes for policy matching: rules on a programme, pushes, and 免申即享 applications.

免申即享 (no application needed) — who acts. The workflow has no shortcut past intake, so an
automatic application goes through the real transitions and its history shows each step:

  1. `submit` by the enterprise's owner (the workflow lets only the enterprise's own people
     submit), with the public comment that it was made automatically;
  2. `advance` past intake (受理) by a dedicated system account of the park, “ParkHub 免申即享”,
     which cannot sign in (no usable password) and is given only the role the intake stage
     names. Staff reading the history see that no person at the park passed it on.

An enterprise that does not want it declines: its application is withdrawn (by the enterprise,
as the workflow requires) and the record says so; it is never created again.
"""

from itertools import islice

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from every_schema.accounts import roles
from saas.celery import send_on_commit
from tenant_schema.applications import workflow as wf
from tenant_schema.applications.services import application_create, application_transition
from tenant_schema.enterprises.models import Enterprise, Membership
from tenant_schema.funding.models import Programme, Stage
from tenant_schema.funding.selectors import programme_list_open
from tenant_schema.notifications.services import notification_send

from .models import AutoApplication, PushDelivery, PushRun
from .rules import rules_render, rules_validate
from .selectors import programme_pushed_ids, programme_qualifying_ids

PUSH_BATCH_SIZE = 500
SYSTEM_ACTOR_EMAIL = "auto-apply@system.parkhub.invalid"


def programme_rules_set(
    *, programme: Programme, rules, no_application_needed: bool | None = None
) -> Programme:
    """Store a programme's eligibility rules (validated and normalised) and its 免申即享 flag."""
    programme.eligibility_rules = rules or {}
    if no_application_needed is not None:
        programme.no_application_needed = no_application_needed
    programme.full_clean(exclude=["created_by"])  # Programme.clean names the field in its errors
    programme.eligibility_rules = rules_validate(rules) if rules else {}
    programme.save(update_fields=["eligibility_rules", "no_application_needed", "updated_at"])
    if programme.no_application_needed and programme.status == Programme.Status.OPEN:
        from .tasks import auto_applications_task

        send_on_commit(auto_applications_task, programme_id=programme.pk)
    return programme


# ---------------------------------------------------------------------------------------------
# Push
# ---------------------------------------------------------------------------------------------


def push_start(*, programme: Programme, actor) -> PushRun:
    """Queue a push of an open programme to its qualifying enterprises (Celery sends it in batches).

    `actor` is a park administrator, or None for the system (PermissionDenied otherwise).
    """
    if actor is not None and not (
        actor.is_authenticated and (actor.is_superuser or actor.has_role(roles.PARK_ADMIN))
    ):
        raise PermissionDenied(_("Only a park administrator can push a programme."))
    if programme.status != Programme.Status.OPEN:
        raise ValidationError(_("Only an open programme can be pushed to enterprises."))
    run = PushRun.objects.create(programme=programme, started_by=actor)
    from .tasks import push_run_task

    send_on_commit(push_run_task, run_id=run.pk)
    return run


def _chunks(items: list, size: int):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _deliveries_insert(*, programme: Programme, run: PushRun, enterprise_ids: list[int]) -> list[int]:
    """Insert the (programme, enterprise) rows that do not exist yet; returns the enterprises newly reached."""
    table = connection.ops.quote_name(PushDelivery._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (programme_id, enterprise_id, run_id, pushed_at) "
            "SELECT %s, e, %s, now() FROM unnest(%s::bigint[]) AS e "
            "ON CONFLICT (programme_id, enterprise_id) DO NOTHING RETURNING enterprise_id",
            [programme.pk, run.pk, enterprise_ids],
        )
        return [row[0] for row in cursor.fetchall()]


def push_run_execute(*, run_id: int, batch_size: int = PUSH_BATCH_SIZE) -> PushRun:
    """Send a push: each batch records its deliveries and notifications in one transaction.

    Safe to run twice (a retried task): an enterprise already in PushDelivery for the programme
    is skipped, and the notification's dedupe key stops a second message to the same person.
    """
    run = PushRun.objects.select_related("programme").get(pk=run_id)
    if run.status == PushRun.Status.DONE:
        return run
    programme = run.programme
    already = programme_pushed_ids(programme=programme)
    pending = [pk for pk in programme_qualifying_ids(programme=programme) if pk not in already]
    PushRun.objects.filter(pk=run.pk).update(status=PushRun.Status.RUNNING, total=F("sent") + len(pending))
    title = _("A programme you qualify for: %(title)s") % {"title": programme.title}
    body = rules_render(programme.eligibility_rules)
    if programme.per_enterprise_cap:
        body += "\n" + _("Up to %(cap)s yuan per enterprise.") % {"cap": programme.per_enterprise_cap}
    for batch in _chunks(pending, batch_size):
        with transaction.atomic():
            reached = _deliveries_insert(programme=programme, run=run, enterprise_ids=batch)
            if reached:
                user_ids = Membership.objects.filter(enterprise_id__in=reached).values_list(
                    "user_id", flat=True
                )
                notification_send(
                    user_ids=list(user_ids),
                    title=title,
                    body=body,
                    link="/matching/",
                    dedupe_key=f"programme:{programme.pk}:push",
                )
            PushRun.objects.filter(pk=run.pk).update(sent=F("sent") + len(reached))
    PushRun.objects.filter(pk=run.pk).update(status=PushRun.Status.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    return run


# ---------------------------------------------------------------------------------------------
# 免申即享
# ---------------------------------------------------------------------------------------------


def system_actor(*, role: str):
    """The park's “ParkHub 免申即享” account, holding `role`; it has no usable password."""
    User = get_user_model()
    user = User.objects.filter(email=SYSTEM_ACTOR_EMAIL).first()
    if user is None:
        user = User.objects.create_user(email=SYSTEM_ACTOR_EMAIL, password=None, full_name="ParkHub 免申即享")
    group = Group.objects.filter(name=role).first()
    if group is not None:
        user.groups.add(group)
    return user


def _owner_of(enterprise: Enterprise):
    membership = (
        Membership.objects.select_related("user")
        .filter(enterprise=enterprise, user__is_active=True)
        .order_by("-role", "pk")  # "owner" sorts after "member": owners first
        .first()
    )
    return membership.user if membership else None


def auto_applications_create(*, programme_id: int) -> int:
    """Make an application for each qualifying enterprise of an open 免申即享 programme; returns how many.

    One AutoApplication row per (programme, enterprise) — created, skipped with the reason, or
    declined — so a second run, a retried task or a concurrent one creates nothing more.
    """
    programme = programme_list_open().filter(pk=programme_id, no_application_needed=True).first()
    if programme is None:
        return 0  # not open yet (beat tries again), closed, or not 免申即享
    done = set(AutoApplication.objects.filter(programme=programme).values_list("enterprise_id", flat=True))
    pending = [pk for pk in programme_qualifying_ids(programme=programme) if pk not in done]
    created = 0
    for enterprise in Enterprise.objects.filter(pk__in=pending).order_by("pk"):
        if _auto_application_create(programme=programme, enterprise=enterprise):
            created += 1
    return created


def _auto_application_create(*, programme: Programme, enterprise: Enterprise) -> bool:
    try:
        with transaction.atomic():
            auto = AutoApplication.objects.create(programme=programme, enterprise=enterprise)
            owner = _owner_of(enterprise)
            try:
                with transaction.atomic():
                    if owner is None:
                        raise ValidationError(_("The enterprise has no account to receive the application."))
                    application = _auto_application_submit(
                        programme=programme, enterprise=enterprise, owner=owner
                    )
            except ValidationError as error:
                auto.status = AutoApplication.Status.SKIPPED
                auto.reason = " ".join(error.messages)
                auto.save(update_fields=["status", "reason"])
                return False
            auto.application = application
            auto.save(update_fields=["application"])
            notification_send(
                user_ids=list(
                    Membership.objects.filter(enterprise=enterprise).values_list("user_id", flat=True)
                ),
                title=_("No application needed: %(title)s") % {"title": programme.title},
                body=_(
                    "Your enterprise qualifies, so the park has made the application for you; it is past intake. "
                    "If you do not want it, decline it on your match report."
                ),
                link="/matching/",
                dedupe_key=f"auto-application:{auto.pk}",
            )
            return True
    except IntegrityError:  # a concurrent run made it first
        return False


def _auto_application_submit(*, programme: Programme, enterprise: Enterprise, owner):
    application = application_create(
        programme_id=programme.pk,
        enterprise=enterprise,
        applicant=owner,
        requested_amount=programme.per_enterprise_cap,
    )
    application = application_transition(
        application_id=application.pk,
        action=wf.SUBMIT,
        actor=owner,
        comment=_("Made automatically: the enterprise qualifies and no application is needed (免申即享)."),
    )
    stages = list(programme.stages.all())
    intake = application.current_stage
    later = [stage for stage in stages if stage.position > intake.position]
    if later and later[0].kind == Stage.Kind.REVIEW:
        application = application_transition(
            application_id=application.pk,
            action=wf.ADVANCE,
            actor=system_actor(role=intake.role),
            comment=_("Intake passed automatically: the enterprise meets the programme's eligibility rules."),
        )
    return application


def auto_application_decline(
    *, auto_application: AutoApplication, actor, reason: str = ""
) -> AutoApplication:
    """The enterprise declines a 免申即享 application: it is withdrawn and never made again."""
    if auto_application.status != AutoApplication.Status.CREATED or auto_application.application is None:
        raise ValidationError(_("There is no automatic application to decline."))
    with transaction.atomic():
        application_transition(
            application_id=auto_application.application_id,
            action=wf.WITHDRAW,
            actor=actor,
            comment=reason or _("Declined by the enterprise (免申即享)."),
        )
        auto_application.status = AutoApplication.Status.DECLINED
        auto_application.declined_at = timezone.now()
        auto_application.save(update_fields=["status", "declined_at"])
    return auto_application
