"""The park's catalogue: services and the institutions that deliver them."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import Provider, Service
from . import access

User = get_user_model()

CENT = Decimal("0.01")
SERVICE_FIELDS = ("name", "description", "category", "provider", "price", "term_options", "is_active")


def _clean_terms(terms) -> list[int]:
    try:
        cleaned = sorted({int(term) for term in terms})
    except (TypeError, ValueError):
        cleaned = []
    if not cleaned or any(term < 1 or term > 60 for term in cleaned):
        raise ValidationError(
            {"term_options": _("Offer at least one term between 1 and 60 months, e.g. 3, 6, 12.")}
        )
    return cleaned


def service_create(*, actor: User, name: str, price: Decimal, **fields) -> Service:
    """The park adds a service to its catalogue; price 0 makes it a public-welfare service."""
    access.require_park_admin(actor)
    service = Service(name=(name or "").strip(), price=Decimal(price))
    return _service_save(service, fields)


def service_update(*, actor: User, service: Service, **fields) -> Service:
    """Prices change for future orders only: a subscription keeps the price it was bought at."""
    access.require_park_admin(actor)
    return _service_save(service, fields)


def _service_save(service: Service, fields: dict) -> Service:
    for field, value in fields.items():
        if field in SERVICE_FIELDS:
            setattr(service, field, value.strip() if isinstance(value, str) else value)
    if "term_options" in fields:
        service.term_options = _clean_terms(fields["term_options"])
    if not service.name:
        raise ValidationError({"name": _("Give the service a name.")})
    if service.price is None or Decimal(service.price) < 0:
        raise ValidationError(
            {"price": _("The price cannot be negative; use 0 for a public-welfare service.")}
        )
    service.price = Decimal(service.price).quantize(CENT)
    service.full_clean()
    service.save()
    return service


def provider_create(*, actor: User, name: str, description: str = "", contact: str = "") -> Provider:
    """A professional service institution that delivers some of the park's services."""
    access.require_park_admin(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the provider a name.")})
    if Provider.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A provider with this name already exists.")})
    return Provider.objects.create(name=name, description=description.strip(), contact=contact.strip())
