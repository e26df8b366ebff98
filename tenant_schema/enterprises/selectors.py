"""Reads of enterprises, always scoped to what the user may see (404 otherwise)."""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404

from every_schema.accounts import roles

from .models import Enterprise, Membership, VerificationEvent

User = get_user_model()


def user_is_park_staff(user: User) -> bool:
    """Park administrators and reviewers work on every enterprise of their tenant."""
    return bool(
        user.is_authenticated and (user.is_superuser or user.role_set() & {roles.PARK_ADMIN, roles.REVIEWER})
    )


def user_may_read_register(user) -> bool:
    """The park's whole register of enterprises (and the park's revenue) is its administrators' to read.

    A reviewer acts on the applications and demands given to it and sees the enterprise behind
    each one (its page, reached from its work); it does not browse the park's register.
    """
    return user_is_park_admin(user)


def user_is_park_admin(user) -> bool:
    """Park administrators run the tenant: they change programmes, services, enterprises and settings."""
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or roles.PARK_ADMIN in user.role_set())
    )


def enterprise_of_user(*, user: User) -> Enterprise | None:
    """The enterprise an enterprise user belongs to, if any."""
    if not user.is_authenticated:
        return None
    seat = User.membership.related
    if seat.is_cached(user):  # loaded with the user for this request (every_schema.accounts.backends)
        membership = seat.get_cached_value(user)
    else:
        membership = Membership.objects.select_related("enterprise").filter(user=user).first()
    return membership.enterprise if membership else None


def enterprise_list_for_user(
    *,
    user: User,
    search: str = "",
    industry: str = "",
    size_class: str = "",
    tag: str = "",
    status: str = "",
    above_designated_size: bool | None = None,
) -> QuerySet[Enterprise]:
    """Enterprises the user may see, filtered; park staff see all, an enterprise user only its own."""
    if user_is_park_staff(user):
        enterprises = Enterprise.objects.all()
    elif user.is_authenticated:
        enterprises = Enterprise.objects.filter(memberships__user=user)
    else:
        return Enterprise.objects.none()
    if search:
        search = search.strip()
        enterprises = enterprises.filter(Q(name__icontains=search) | Q(credit_code__icontains=search.upper()))
    if industry:
        enterprises = enterprises.filter(industry=industry)
    if size_class:
        enterprises = enterprises.filter(size_class=size_class)
    if tag:
        enterprises = enterprises.filter(tags__name=tag)
    if status:
        enterprises = enterprises.filter(status=status)
    if above_designated_size is not None:
        enterprises = enterprises.filter(above_designated_size=above_designated_size)
    return enterprises.prefetch_related("tags").distinct().order_by("name", "pk")


def enterprise_get_for_user(*, user: User, pk: int) -> Enterprise:
    """One enterprise if the user may see it; the same 404 for "not yours" and "does not exist"."""
    try:
        return enterprise_list_for_user(user=user).get(pk=pk)
    except (Enterprise.DoesNotExist, ValueError, TypeError):
        raise Http404("No such enterprise") from None


def verification_history(*, enterprise: Enterprise) -> QuerySet[VerificationEvent]:
    """The enterprise's verification steps in order, with who took them (the caller has scoped `enterprise`)."""
    return (
        VerificationEvent.objects.filter(enterprise=enterprise)
        .select_related("actor")
        .order_by("created_at", "pk")
    )
