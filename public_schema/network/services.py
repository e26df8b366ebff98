"""Writes of the institution pool (入库) and the network catalogue's products.

Every move of a pool entry goes through `admission_transition` (one `transition_apply`, one
append-only history row); profile and products are edited here only, so the rules (who,
in which state, which sub-platforms) are written once.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from every_schema.accounts import roles
from public_schema.tenants.models import Tenant
from saas.workflow import transition_apply

from . import workflow as wf
from .models import AdmissionHistory, InstitutionProfile, NetworkProduct, ServiceCategory

S = InstitutionProfile.Status
# The profile fields the institution edits itself (status and dates are the workflow's).
PROFILE_FIELDS = (
    "credit_code",
    "introduction",
    "qualifications",
    "categories",
    "contact_name",
    "contact_phone",
    "contact_email",
    "address",
)
# While the hub reviews it, or once admitted, the profile is what the hub saw: edits wait
# for a refusal (and a new submission). Contacts change more often than qualifications and
# are not what the hub admits on, so they stay editable in every state but removal.
EDITABLE_STATES = (S.DRAFT, S.REFUSED)
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email", "address")


def servable_tenants():
    """The tenants an institution can serve: live sub-platforms and parks (not the hub, nor institutions)."""
    return Tenant.objects.live().filter(kind__in=[Tenant.Kind.DISTRICT, Tenant.Kind.PARK])


def institution_profile_create(*, tenant: Tenant) -> InstitutionProfile:
    """The pool entry of a newly provisioned institution: a draft (tenants.services.tenant_provision)."""
    profile, _created = InstitutionProfile.objects.get_or_create(tenant=tenant)
    return profile


def _actor_label(actor) -> str:
    if actor is None:
        return ""
    return f"{actor.get_full_name()} <{actor.email}>" if getattr(actor, "full_name", "") else actor.email


def _serves_valid(serves, *, allowed=None) -> list[Tenant]:
    serves = list(serves or [])
    pool = servable_tenants()
    if allowed is not None:
        pool = pool.filter(pk__in=[tenant.pk for tenant in allowed])
    ids = {getattr(tenant, "pk", tenant) for tenant in serves}
    found = list(pool.filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError(
            {"serves": _("Choose only sub-platforms the institution serves (leave empty for all of them).")}
        )
    return found


@transaction.atomic
def institution_profile_update(
    *, profile: InstitutionProfile, actor, serves=None, **fields
) -> InstitutionProfile:
    """The institution's administrator edits its profile: everything while a draft or refused, contacts later.

    `serves` (tenants; empty: the whole network) is a profile field like the others.
    """
    if not wf.is_institution_admin(actor, profile):
        raise ValidationError(_("Only the institution's administrator edits its profile."))
    profile = InstitutionProfile.objects.select_for_update().get(pk=profile.pk)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    if profile.status == S.REMOVED:
        raise ValidationError(_("The institution has been removed from the pool; its profile is closed."))
    if profile.status not in EDITABLE_STATES:
        frozen = [
            name for name in fields if name not in CONTACT_FIELDS and fields[name] != getattr(profile, name)
        ]
        current_serves = {tenant.pk for tenant in profile.serves.all()}
        if frozen or (serves is not None and {getattr(t, "pk", t) for t in serves} != current_serves):
            raise ValidationError(
                _(
                    "While the pool entry is “%(status)s” only the contacts can change; the rest is "
                    "what the hub reviewed."
                )
                % {"status": profile.get_status_display()}
            )
    categories = fields.get("categories")
    if categories is not None:
        bad = [value for value in categories if value not in ServiceCategory.values]
        if bad:
            raise ValidationError({"categories": _("Choose categories from the list.")})
        fields["categories"] = list(dict.fromkeys(categories))
    for name, value in fields.items():
        empty = [] if name == "categories" else ""
        setattr(profile, name, value if value is not None else empty)
    profile.full_clean(exclude=["tenant", "serves"])
    profile.save()
    if serves is not None:
        profile.serves.set(_serves_valid(serves))
    return profile


def admission_transition(
    *,
    profile_id: int,
    action: str,
    actor,
    comment: str = "",
    expected: dict | None = None,
) -> InstitutionProfile:
    """Move a pool entry one step (submit, review, admit, refuse, suspend, reinstate, remove).

    The guard is the workflow's (state, who, a complete profile before submitting); a refusal,
    suspension or removal needs a reason, which the institution reads on its dashboard. Hub
    operators are named by their account; the institution's people live in its own schema,
    so their steps name them in `actor_label`.
    """
    in_hub = connection.schema_name == get_public_schema_name()

    def change(profile, transition):
        now = timezone.now()
        fields = ["status_reason"]
        profile.status_reason = comment.strip() if transition.needs_reason else ""
        if transition.action == wf.SUBMIT:
            profile.submitted_at = now
            fields.append("submitted_at")
        if transition.action == wf.ADMIT:
            profile.admitted_at = now
            fields.append("admitted_at")
        return {"update_fields": fields}

    def history(profile, transition, from_status, extra):
        return AdmissionHistory.objects.create(
            profile=profile,
            actor=actor if in_hub and getattr(actor, "pk", None) else None,
            actor_label="" if in_hub else _actor_label(actor),
            action=transition.action,
            from_status=from_status,
            to_status=profile.status,
            comment=extra.get("comment", ""),
            is_public=transition.public,
        )

    return transition_apply(
        model=InstitutionProfile,
        pk=profile_id,
        workflow=wf.ADMISSION_WORKFLOW,
        action=action,
        actor=actor,
        change=change,
        history=history,
        comment=comment,
        expected=expected,
    )


# ---------------------------------------------------------------------------
# Products of the network catalogue
# ---------------------------------------------------------------------------

PRODUCT_FIELDS = ("name", "category", "description", "price", "term_months", "delivery_days", "is_published")


def _may_manage_products(actor, institution: Tenant) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and connection.schema_name == institution.schema_name
        and (actor.has_role(roles.INSTITUTION_ADMIN) or actor.has_role(roles.INSTITUTION_STAFF))
    )


def _product_clean(*, profile: InstitutionProfile, values: dict) -> dict:
    """Check a product's fields; every message names the field and what to do, in the user's language."""
    errors: dict[str, str] = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = _("Give the product a name.")
    if values.get("category") not in ServiceCategory.values:
        errors["category"] = _("Choose a category from the list.")
    try:
        price = Decimal(str(values.get("price")))
        if not price.is_finite() or price < 0 or price != price.quantize(Decimal("0.01")):
            raise InvalidOperation
        if price >= Decimal("10000000000"):
            raise InvalidOperation
    except (InvalidOperation, TypeError, ValueError):
        errors["price"] = _("Enter the price in yuan with at most two decimals; 0 for a free service.")
        price = None
    term = values.get("term_months")
    if term in ("", None):
        term = None
    else:
        try:
            term = int(term)
        except (TypeError, ValueError):
            term = -1
        if term not in NetworkProduct.Term.values:
            errors["term_months"] = _(
                "A rental runs 3, 6 or 12 months; leave it empty for a one-off service."
            )
    try:
        delivery_days = int(values.get("delivery_days"))
        if delivery_days < 1 or delivery_days > 365:
            raise ValueError
    except (TypeError, ValueError):
        errors["delivery_days"] = _("Give the delivery time limit in working days, at least 1.")
        delivery_days = None
    if values.get("is_published") and not profile.may_sell:
        errors["is_published"] = _(
            "Only institutions admitted to the network's pool publish products; save it unpublished for now."
        )
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "category": values["category"],
        "description": (values.get("description") or "").strip(),
        "price": price,
        "term_months": term,
        "delivery_days": delivery_days,
        "is_published": bool(values.get("is_published")),
    }


def _product_serves(profile: InstitutionProfile, serves) -> list[Tenant]:
    """A product is offered to some of the institution's sub-platforms, or (empty) to all of them."""
    allowed = list(profile.serves.all())
    return _serves_valid(serves, allowed=allowed or None)


@transaction.atomic
def network_product_create(*, institution: Tenant, actor, serves=(), **fields) -> NetworkProduct:
    """An institution's staff add a product; published only once the institution is admitted."""
    if not _may_manage_products(actor, institution):
        raise ValidationError(_("Only the institution's own staff manage its products."))
    profile = InstitutionProfile.objects.get(tenant=institution)
    values = _product_clean(profile=profile, values={"is_published": False, **fields})
    serving = _product_serves(profile, serves)
    product = NetworkProduct.objects.create(institution=institution, **values)
    product.serves.set(serving)
    return product


@transaction.atomic
def network_product_update(*, product: NetworkProduct, actor, serves=None, **fields) -> NetworkProduct:
    """Edit a product (any field given); `serves=None` keeps whom it is offered to."""
    if not _may_manage_products(actor, product.institution):
        raise ValidationError(_("Only the institution's own staff manage its products."))
    product = NetworkProduct.objects.select_for_update().get(pk=product.pk)
    profile = InstitutionProfile.objects.get(tenant_id=product.institution_id)
    current = {name: getattr(product, name) for name in PRODUCT_FIELDS}
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValueError(f"not product fields: {sorted(unknown)}")
    # Keeping a product published is not publishing it again: a suspended institution's
    # products are hidden by the catalogue selector, and can still be edited or unpublished.
    values = {**current, **fields}
    publishing = values["is_published"] and not current["is_published"]
    cleaned = _product_clean(profile=profile, values={**values, "is_published": publishing})
    cleaned["is_published"] = bool(values["is_published"])
    for name, value in cleaned.items():
        setattr(product, name, value)
    product.save()
    if serves is not None:
        product.serves.set(_product_serves(profile, serves))
    return product


def network_product_unpublish(*, product: NetworkProduct, actor) -> NetworkProduct:
    """Take a product off the catalogue (its orders, if any, are the orders' business)."""
    return network_product_update(product=product, actor=actor, is_published=False)


# ---------------------------------------------------------------------------
# The institution's own accounts
# ---------------------------------------------------------------------------


@transaction.atomic
def institution_staff_invite(*, actor, email: str, full_name: str = "", role: str = roles.INSTITUTION_STAFF):
    """The institution's administrator adds a colleague; they choose a password through the emailed link."""
    from every_schema.accounts.models import User
    from every_schema.accounts.services import invitation_queue, user_create

    if not (actor is not None and actor.has_role(roles.INSTITUTION_ADMIN)):
        raise ValidationError(_("Only the institution's administrator adds colleagues."))
    if role not in roles.INSTITUTION_ROLES:
        raise ValidationError({"role": _("Choose administrator or staff.")})
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": _("Enter an email address.")})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("%(email)s already has an account here.") % {"email": email}})
    user = user_create(email=email, full_name=(full_name or "").strip(), role=role)
    invitation_queue(user=user)
    return user


EVALUATION_FIGURES = (
    "orders",
    "delivery_due",
    "delivered_on_time",
    "rated",
    "rating_average",
    "vouchers_redeemed",
)


def institution_evaluation_publish(*, institution_id: int, **figures) -> None:
    """Write an institution's figures to its public row (insert or overwrite, one statement).

    Called by the institution's own steps, in their transaction: INSERT … ON CONFLICT makes
    two steps publishing at once one row, never an error.
    """
    from .models import InstitutionEvaluation

    values = {name: figures[name] for name in EVALUATION_FIGURES}
    InstitutionEvaluation.objects.bulk_create(
        [InstitutionEvaluation(institution_id=institution_id, updated_at=timezone.now(), **values)],
        update_conflicts=True,
        unique_fields=["institution"],
        update_fields=[*EVALUATION_FIGURES, "updated_at"],
    )
