"""Ratings: an enterprise rates a service it has used."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_schema.enterprises.selectors import enterprise_of_user

from ..models import Rating, Service, Subscription

User = get_user_model()


def rating_submit(*, actor: User, service: Service, score: int, comment: str = "") -> Rating:
    """An enterprise rates a service once it has used it (a term that has started); rating again replaces it."""
    enterprise = enterprise_of_user(user=actor)
    if enterprise is None:
        raise PermissionDenied(_("Only an enterprise's own people can rate a service."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": _("Give 1 to 5 stars.")})
    used = Subscription.objects.filter(
        enterprise=enterprise,
        service=service,
        status__in=[Subscription.Status.ACTIVE, Subscription.Status.EXPIRED],
        starts_at__lte=timezone.now(),
    ).exists()
    if not used:
        raise ValidationError(_("You can rate a service after your enterprise has used it."))
    rating, _created = Rating.objects.update_or_create(
        enterprise=enterprise,
        service=service,
        defaults={"score": score, "comment": (comment or "").strip()[:2000]},
    )
    return rating
