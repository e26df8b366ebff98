"""The moves of a network voucher and of a redemption claim, as data (saas.workflow).

    voucher:
        (apply) applied ─grant→ granted            the issuer reviews an application
                applied ─refuse→ refused           (with a reason)
        (grant, 免申即享) granted
                granted ─spend→ spent ─release→ granted   (its order was cancelled)
                granted ─expire→ expired           (past its validity; its amount returns to the budget)
                spent ─claim→ claimed              (the institution files a claim)
                claimed ─settle→ settled | ─refuse_claim→ claim_refused   (the issuer decides the claim)
    claim:
        (file) submitted ─review→ reviewing ─approve→ approved (settled amount and date)
               submitted / reviewing ─refuse→ refused (with a reason)

Actors, decided here and nowhere else:
- "issuer": staff of the scheme's issuer on the issuer's own site: a hub operator on the
  hub (public schema), a park administrator on a sub-platform's site.
- "institution": staff of the institution the voucher was spent at (the claim's
  institution), on the institution's site.
- "system": nobody signed in: the orders side spending and releasing (it has checked its
  enterprise's person itself), the expiry sweep, the claim's own cascade onto its vouchers.

A person's tenant is the schema they were loaded from (`connection.schema_name`): accounts
exist per schema, so a park admin of A is no one on B's site or on the hub.
"""

from django.db import connection
from django.utils.translation import gettext_lazy as _

from every_schema.accounts import roles
from saas.workflow import Transition, Workflow

from .models import NetworkVoucher, VoucherClaim

V = NetworkVoucher.Status
C = VoucherClaim.Status

ISSUER, INSTITUTION, SYSTEM = "issuer", "institution", "system"
# Roles of an institution's staff in its own schema (the institution site's accounts).
INSTITUTION_STAFF_ROLES = roles.INSTITUTION_ROLES


def signed_in(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def is_issuer_staff(actor, issuer) -> bool:
    """Whether `actor` speaks for the tenant `issuer` here: its operator on the hub, its admin on its site."""
    if not signed_in(actor) or connection.schema_name != issuer.schema_name:
        return False
    if actor.is_superuser:
        return True
    return actor.has_role(roles.HUB_OPERATOR if issuer.schema_name == "public" else roles.PARK_ADMIN)


def is_institution_staff(actor, institution) -> bool:
    if not signed_in(actor) or institution is None or connection.schema_name != institution.schema_name:
        return False
    return actor.is_superuser or any(actor.has_role(role) for role in INSTITUTION_STAFF_ROLES)


def _scheme_of(obj):
    return obj.scheme


def _is_issuer(actor, obj) -> bool:
    return is_issuer_staff(actor, _scheme_of(obj).issuer)


def _is_institution(actor, obj) -> bool:
    return is_institution_staff(actor, obj.institution)


def _is_system(actor, obj) -> bool:
    return not signed_in(actor)


ACTOR_RULES = {ISSUER: _is_issuer, INSTITUTION: _is_institution, SYSTEM: _is_system}

APPLY = "apply"  # the first history row of an application
ISSUE = "issue"  # the first history row of a voucher granted without an application
GRANT = "grant"
REFUSE = "refuse"
SPEND = "spend"
RELEASE = "release"
EXPIRE = "expire"
CLAIM = "claim"
SETTLE = "settle"
REFUSE_CLAIM = "refuse_claim"

VOUCHER_WORKFLOW = Workflow(
    "network_voucher",
    [
        Transition(GRANT, (V.APPLIED,), V.GRANTED, _("Granted"), actors=(ISSUER,)),
        Transition(
            REFUSE, (V.APPLIED,), V.REFUSED, _("Application refused"), actors=(ISSUER,), needs_reason=True
        ),
        Transition(SPEND, (V.GRANTED,), V.SPENT, _("Spent on an order"), actors=(SYSTEM,)),
        Transition(RELEASE, (V.SPENT,), V.GRANTED, _("Freed: its order was cancelled"), actors=(SYSTEM,)),
        Transition(EXPIRE, (V.GRANTED,), V.EXPIRED, _("Expired unspent"), actors=(SYSTEM,)),
        # Claimed and decided through the claim (claim_file, claim_move), which cascade here as the system.
        Transition(CLAIM, (V.SPENT,), V.CLAIMED, _("Claimed by the institution"), actors=(SYSTEM,)),
        Transition(SETTLE, (V.CLAIMED,), V.SETTLED, _("Settled"), actors=(SYSTEM,)),
        Transition(REFUSE_CLAIM, (V.CLAIMED,), V.CLAIM_REFUSED, _("Claim refused"), actors=(SYSTEM,)),
    ],
    actor_rules=ACTOR_RULES,
)

FILE = "file"  # the first history row of a claim
REVIEW = "review"
APPROVE = "approve"

CLAIM_WORKFLOW = Workflow(
    "voucher_claim",
    [
        Transition(REVIEW, (C.SUBMITTED,), C.REVIEWING, _("Review started"), actors=(ISSUER,)),
        Transition(APPROVE, (C.REVIEWING,), C.APPROVED, _("Approved and settled"), actors=(ISSUER,)),
        Transition(
            REFUSE,
            (C.SUBMITTED, C.REVIEWING),
            C.REFUSED,
            _("Claim refused"),
            actors=(ISSUER,),
            needs_reason=True,
        ),
    ],
    actor_rules=ACTOR_RULES,
)
