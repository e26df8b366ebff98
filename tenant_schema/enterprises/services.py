"""Writes for enterprises: registration, verification, profile, figures and members.

Every change of an enterprise's status goes through here; views and the API call these
functions and never set `status` themselves. Two bulk paths write rows set-based for
speed, and say so: the Excel import (tenant_schema/enterprises/importing/) and the demo seed
(tenant_schema/enterprises/demo.py), neither of which sends per-enterprise notices.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from every_schema.accounts import roles
from every_schema.accounts.services import user_create
from saas.celery import send_on_commit
from saas.signals import record_announce
from saas.uniqueness import UniqueRule, unique_rules
from saas.workflow import Transition, transition_apply

from . import workflow as wf
from .credit_code import credit_code_validate
from .models import Enterprise, EnterpriseChange, Membership, Tag, VerificationEvent, YearlyFigures
from .selectors import user_is_park_staff

logger = logging.getLogger(__name__)
User = get_user_model()

PROFILE_FIELDS = (
    "name",
    "legal_representative",
    "industry",
    "size_class",
    "above_designated_size",
    "employees",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
)
FIGURE_FIELDS = ("output_value", "revenue", "tax_paid", "rd_spend")
# What the park checks when it verifies an enterprise and what eligibility rules and the
# hub's figures trust: once verified, the enterprise itself cannot change these.
VERIFIED_FIELDS = ("name", "legal_representative", "size_class", "above_designated_size")


def _masked_email(email: str) -> str:
    local, _sep, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def _duplicate_code_error(existing: Enterprise) -> ValidationError:
    owner = existing.memberships.filter(role=Membership.Role.OWNER).select_related("user").first()
    if owner is not None:
        message = _(
            "This credit code is already registered here as “%(name)s”. Ask its administrator (%(email)s) "
            "to invite you, or contact the park."
        ) % {"name": existing.name, "email": _masked_email(owner.user.email)}
    else:
        message = _(
            "This credit code is already registered here as “%(name)s”. Contact the park to be added to it."
        ) % {"name": existing.name}
    return ValidationError({"credit_code": message}, code="duplicate")


def _check_code_is_free(code: str, *, exclude_pk: int | None = None) -> None:
    existing = Enterprise.objects.filter(credit_code=code).exclude(pk=exclude_pk).first()
    if existing is not None:
        raise _duplicate_code_error(existing)


@dataclass(frozen=True)
class Registration:
    user: User
    enterprise: Enterprise


def enterprise_register(
    *, credit_code: str, name: str, contact_name: str, email: str, password: str, contact_phone: str = ""
) -> Registration:
    """One-page self-registration: the enterprise (pending), its owner account, signed in at once.

    A credit code already registered in this tenant is refused with a message that points
    to its owner, never a second enterprise.
    """
    code = credit_code_validate(credit_code)
    name = (name or "").strip()
    email = (email or "").strip().lower()
    errors = {}
    if not name:
        errors["name"] = _("Enter the enterprise name as on the business licence.")
    if not (contact_name or "").strip():
        errors["contact_name"] = _("Enter the name of the contact person.")
    if not email:
        errors["email"] = _("Enter an email address; you will sign in with it.")
    elif User.objects.filter(email=email).exists():
        errors["email"] = _(
            "An account with this email already exists on this site. Sign in, or reset your password."
        )
    if errors:
        raise ValidationError(errors)
    _check_code_is_free(code)
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.create(
                credit_code=code,
                name=name,
                contact_name=contact_name.strip(),
                contact_phone=(contact_phone or "").strip(),
                contact_email=email,
            )
            user = user_create(
                email=email, password=password, full_name=contact_name.strip(), role=roles.ENTERPRISE_USER
            )
            Membership.objects.create(user=user, enterprise=enterprise, role=Membership.Role.OWNER)
            record_announce(model=Enterprise, instance=enterprise, action="registered")  # the hub counts it
    except IntegrityError:
        # Someone registered the same code (or email) a moment ago.
        existing = Enterprise.objects.filter(credit_code=code).first()
        if existing is not None:
            raise _duplicate_code_error(existing) from None
        raise ValidationError(
            {"email": _("An account with this email already exists on this site.")}
        ) from None
    _notify_park_of_registration(enterprise)
    return Registration(user=user, enterprise=enterprise)


def _notify_park_of_registration(enterprise: Enterprise) -> None:
    from .tasks import registration_notify_park_task

    send_on_commit(registration_notify_park_task, enterprise_id=enterprise.pk)


_is_park_admin = wf.is_park_admin  # the verification workflow's rule; creating and editing follow it too


def enterprise_create(*, actor: User, credit_code: str, name: str, **profile) -> Enterprise:
    """Park staff add an enterprise by hand; it is verified at once, since staff vouch for it."""
    if not _is_park_admin(actor):
        raise PermissionDenied(_("Only a park administrator can add an enterprise."))
    code = credit_code_validate(credit_code)
    _check_code_is_free(code)
    if not (name or "").strip():
        raise ValidationError({"name": _("Enter the enterprise name as on the business licence.")})
    tags = profile.pop("tags", None)
    enterprise = Enterprise(
        credit_code=code,
        name=name.strip(),
        status=Enterprise.Status.VERIFIED,
        verified_at=timezone.now(),
        verified_by=actor,
        **{field: value for field, value in profile.items() if field in PROFILE_FIELDS},
    )
    enterprise.full_clean(exclude=["tags", "credit_code"])
    try:
        with transaction.atomic():
            enterprise.save()
            VerificationEvent.objects.create(
                enterprise=enterprise, actor=actor, action=wf.ADD, from_status="", to_status=enterprise.status
            )
            record_announce(model=Enterprise, instance=enterprise, action="created")  # the hub counts it
            if tags is not None:
                enterprise.tags.set(tags)
    except IntegrityError:
        # The same code was registered a moment ago by someone else.
        raise _duplicate_code_error(Enterprise.objects.get(credit_code=code)) from None
    return enterprise


def enterprise_update(*, enterprise: Enterprise, actor: User, **changes) -> Enterprise:
    """Change an enterprise's profile.

    The park's administrators, or the enterprise's own people, and nobody else
    (PermissionDenied). The credit code and the official designations among the tags
    (专精特新, 高新技术企业 …, which eligibility rules read) are the park's to change; so
    are the VERIFIED_FIELDS (规上, the size class, the name and legal representative)
    once the park has verified the enterprise: a change the enterprise asks for is a
    field error. Staff changes to those fields on a verified enterprise are recorded
    (EnterpriseChange).
    """
    tags = changes.pop("tags", None)
    is_park_admin = _is_park_admin(actor)
    if not is_park_admin and not (
        actor is not None
        and actor.is_authenticated
        and Membership.objects.filter(user=actor, enterprise=enterprise).exists()
    ):
        raise PermissionDenied(_("Only the park or the enterprise's own people can change this profile."))
    # Compared with what is stored, not with the caller's copy, which may be out of date.
    stored = (
        Enterprise.objects.filter(pk=enterprise.pk).only("status", "credit_code", *VERIFIED_FIELDS).first()
    )
    stored = stored or enterprise
    verified = stored.status == Enterprise.Status.VERIFIED
    before = {field: getattr(stored, field) for field in ("credit_code", *VERIFIED_FIELDS)}
    if verified and not is_park_admin:
        refused = {
            field: _("The park verified this; ask the park to change it.")
            for field in VERIFIED_FIELDS
            if field in changes
            and (changes[field].strip() if isinstance(changes[field], str) else changes[field])
            != before[field]
        }
        if refused:
            raise ValidationError(refused)
    if "credit_code" in changes:
        code = credit_code_validate(changes.pop("credit_code"))
        if code != enterprise.credit_code:
            if not is_park_admin:
                raise ValidationError(
                    {"credit_code": _("Only the park can change a registered credit code.")}
                )
            _check_code_is_free(code, exclude_pk=enterprise.pk)
            enterprise.credit_code = code
    if tags is not None and not is_park_admin:
        current_official = {tag.pk for tag in enterprise.tags.all() if tag.is_builtin}
        wanted_official = {tag.pk for tag in tags if tag.is_builtin}
        if current_official != wanted_official:
            raise ValidationError(
                {
                    "tags": _(
                        "Official designations such as 专精特新 are recorded by the park; ask the park to change them."
                    )
                }
            )
    for field, value in changes.items():
        if field in PROFILE_FIELDS:
            setattr(enterprise, field, value.strip() if isinstance(value, str) else value)
    if not enterprise.name:
        raise ValidationError({"name": _("Enter the enterprise name as on the business licence.")})
    enterprise.full_clean(exclude=["tags", "verified_by"])
    with transaction.atomic():
        enterprise.save()
        record_announce(model=Enterprise, instance=enterprise, action="updated")  # the hub counts it
        if tags is not None:
            enterprise.tags.set(tags)
        if verified:
            EnterpriseChange.objects.bulk_create(
                EnterpriseChange(
                    enterprise=enterprise,
                    actor=actor,
                    field=field,
                    old_value=str(old),
                    new_value=str(getattr(enterprise, field)),
                )
                for field, old in before.items()
                if getattr(enterprise, field) != old
            )
    return enterprise


def _require_park_staff(actor: User) -> None:
    # The workflow's own rule for its "park_admin" moves, asked early for a 403 with a clear message.
    if not wf.is_park_admin(actor):
        raise PermissionDenied(_("Only a park administrator can verify or reject an enterprise."))


def enterprise_verification_move(
    *, enterprise: Enterprise, action: str, actor: User, reason: str = "", **fields
) -> Enterprise:
    """Apply one verification step (tenant_schema/enterprises/workflow.py) and write its append-only history row.

    Through saas.workflow.transition_apply: the row locked, the move checked against the
    workflow (its state and its actor rules), saved with update_fields, the history row
    written; a refused move is a TransitionRefused (409). `fields` are set with the status.
    """

    def change(locked: Enterprise, transition: Transition) -> dict:
        for name, value in fields.items():
            setattr(locked, name, value)
        return {"update_fields": list(fields)}

    def history(
        locked: Enterprise, transition: Transition, from_status: str, extra: dict
    ) -> VerificationEvent:
        return VerificationEvent.objects.create(
            enterprise=locked,
            actor=actor,
            action=transition.action,
            from_status=from_status,
            to_status=locked.status,
            comment=extra.get("comment", ""),
        )

    return transition_apply(
        model=Enterprise,
        pk=enterprise.pk,
        workflow=wf.VERIFICATION_WORKFLOW,
        action=action,
        actor=actor,
        change=change,
        history=history,
        comment=reason,
    )


def enterprise_verify(*, enterprise: Enterprise, actor: User) -> Enterprise:
    """The park confirms the registration; the enterprise is told. Verifying a verified enterprise changes nothing."""
    _require_park_staff(actor)
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if enterprise.status == Enterprise.Status.VERIFIED:
            return enterprise
        enterprise = enterprise_verification_move(
            enterprise=enterprise,
            action=wf.VERIFY,
            actor=actor,
            rejection_reason="",
            verified_at=timezone.now(),
            verified_by=actor,
        )
        _notify_enterprise_of_decision(enterprise)
    return enterprise


def enterprise_reject(*, enterprise: Enterprise, actor: User, reason: str) -> Enterprise:
    """The park refuses the registration and says why; the enterprise can correct and ask again."""
    _require_park_staff(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, so the enterprise knows what to correct.")})
    with transaction.atomic():
        enterprise = enterprise_verification_move(
            enterprise=enterprise,
            action=wf.REJECT,
            actor=actor,
            reason=reason,
            rejection_reason=reason,
            verified_at=None,
            verified_by=None,
        )
        _notify_enterprise_of_decision(enterprise)
    return enterprise


def enterprise_resubmit(*, enterprise: Enterprise, actor: User) -> Enterprise:
    """After a rejection the enterprise (its own people) corrects its profile and asks for verification again."""
    if not wf.is_member(actor, enterprise):
        raise PermissionDenied(_("Only the enterprise's own people can submit its registration again."))
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if enterprise.status != Enterprise.Status.REJECTED:
            raise ValidationError(_("Only a rejected registration can be submitted again."))
        enterprise = enterprise_verification_move(enterprise=enterprise, action=wf.RESUBMIT, actor=actor)
        _notify_park_of_registration(enterprise)
    return enterprise


def _notify_enterprise_of_decision(enterprise: Enterprise) -> None:
    from .tasks import verification_notify_enterprise_task

    send_on_commit(verification_notify_enterprise_task, enterprise_id=enterprise.pk)


def figures_upsert(*, enterprise: Enterprise, year: int, **figures: Decimal | None) -> YearlyFigures:
    """Record or correct one year's figures (CNY, Decimal)."""
    current_year = timezone.localdate().year
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not (1990 <= year <= current_year):
        raise ValidationError({"year": _("Enter a year between 1990 and %(year)d.") % {"year": current_year}})
    values = {}
    for field in FIGURE_FIELDS:
        value = figures.get(field)
        if value is not None and Decimal(value) < 0:
            raise ValidationError({field: _("Figures cannot be negative.")})
        values[field] = value
    row, _created = YearlyFigures.objects.update_or_create(enterprise=enterprise, year=year, defaults=values)
    return row


def member_invite(*, enterprise: Enterprise, actor: User, email: str, full_name: str = "") -> Membership:
    """An owner adds a colleague by email; the colleague gets a one-time link to choose a password."""
    owner = Membership.objects.filter(user=actor, enterprise=enterprise, role=Membership.Role.OWNER).exists()
    if not owner:
        raise PermissionDenied(_("Only the enterprise's owner can invite colleagues."))
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": _("Enter your colleague's email address.")})
    user = User.objects.filter(email=email).first()
    if user is not None and (user.is_staff or user_is_park_staff(user)):
        raise ValidationError(
            {"email": _("This address belongs to a park staff account; invite another address.")}
        )
    # The rules are the database's: one account per email, one enterprise per account. Two
    # invitations of one address at once (a double-click) both pass the checks above; the
    # second insert is refused by PostgreSQL and told the same as a later one (it was a 500).
    with transaction.atomic(), unique_rules(*ONE_SEAT_PER_PERSON):
        if user is None:
            user = user_create(email=email, full_name=full_name, role=roles.ENTERPRISE_USER)
        elif hasattr(user, "membership"):
            raise ValidationError({"email": _("This person already belongs to an enterprise on this site.")})
        else:
            user.groups.add(Group.objects.get(name=roles.ENTERPRISE_USER))
        membership = Membership.objects.create(
            user=user, enterprise=enterprise, role=Membership.Role.MEMBER, invited_by=actor
        )
        _send_invitation(user)
    return membership


ONE_SEAT_PER_PERSON = (
    # PostgreSQL's names of the unique columns accounts_user.email and enterprises_membership.user_id.
    UniqueRule(
        constraint="accounts_user_email_key",
        field="email",
        message=gettext_lazy("This person already belongs to an enterprise on this site."),
    ),
    UniqueRule(
        constraint="enterprises_membership_user_id_key",
        field="email",
        message=gettext_lazy("This person already belongs to an enterprise on this site."),
    ),
)


def _send_invitation(user: User) -> None:
    from every_schema.accounts.services import invitation_queue

    invitation_queue(user=user)


def tag_get_or_create(*, name: str) -> Tag:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"tags": _("A tag needs a name.")})
    tag, _created = Tag.objects.get_or_create(name=name[:40])
    return tag
