"""The institution pool (入库) as a workflow: the institution submits, the hub reviews, admits or refuses,
and later suspends, reinstates or removes (出库).

Two kinds of actor, on two sites: the institution's administrator, signed in on the
institution's own site (a user of its schema), and the hub's operator, signed in on the hub
(a user of the public schema). Each rule checks the schema the request runs in as well as
the role, so a hub operator's id never passes for an institution's user or the reverse.
"""

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name

from every_schema.accounts import roles
from saas.workflow import Transition, Workflow

from .models import InstitutionProfile

S = InstitutionProfile.Status

SUBMIT = "submit"
REVIEW = "review"
ADMIT = "admit"
REFUSE = "refuse"
SUSPEND = "suspend"
REINSTATE = "reinstate"
REMOVE = "remove"


def is_institution_admin(actor, profile) -> bool:
    """An administrator of this very institution, on its own site."""
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and connection.schema_name == profile.tenant.schema_name
        and actor.has_role(roles.INSTITUTION_ADMIN)
    )


def is_hub_operator(actor, profile) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and connection.schema_name == get_public_schema_name()
        and actor.is_active
        and (actor.is_superuser or actor.has_role(roles.HUB_OPERATOR))
    )


def profile_missing_fields(profile) -> list[str]:
    """The profile fields the hub needs before it can review an application to the pool."""
    required = ("credit_code", "introduction", "qualifications", "contact_name", "contact_phone")
    missing = [name for name in required if not getattr(profile, name)]
    if not profile.categories:
        missing.append("categories")
    return missing


def _profile_complete(profile) -> None:
    missing = profile_missing_fields(profile)
    if missing:
        raise ValidationError(
            {name: _("Fill this in before submitting: the hub reviews it.") for name in missing}
        )


ADMISSION_WORKFLOW = Workflow(
    "admission",
    [
        Transition(
            SUBMIT,
            (S.DRAFT, S.REFUSED),
            S.SUBMITTED,
            _("Submit to the pool"),
            actors=("institution",),
            precondition=_profile_complete,
        ),
        Transition(REVIEW, (S.SUBMITTED,), S.REVIEWING, _("Take into review"), actors=("hub",)),
        Transition(ADMIT, (S.REVIEWING,), S.ADMITTED, _("Admit to the pool"), actors=("hub",)),
        Transition(REFUSE, (S.REVIEWING,), S.REFUSED, _("Refuse"), actors=("hub",), needs_reason=True),
        Transition(SUSPEND, (S.ADMITTED,), S.SUSPENDED, _("Suspend"), actors=("hub",), needs_reason=True),
        Transition(REINSTATE, (S.SUSPENDED,), S.ADMITTED, _("Reinstate"), actors=("hub",)),
        Transition(
            REMOVE,
            (S.ADMITTED, S.SUSPENDED),
            S.REMOVED,
            _("Remove from the pool"),
            actors=("hub",),
            needs_reason=True,
        ),
    ],
    actor_rules={"institution": is_institution_admin, "hub": is_hub_operator},
)

# The stages the institution sees on its timeline, in order (a refusal or a removal ends it there).
TIMELINE_STAGES = (S.DRAFT, S.SUBMITTED, S.REVIEWING, S.ADMITTED)
