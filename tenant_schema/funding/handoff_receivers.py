"""Envelopes the funding app receives from across a tenant boundary (public_schema.network.handoffs).

Imported from FundingConfig.ready, so every process that delivers envelopes knows the kind.
"""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

from public_schema.network.handoffs import HandoffRefused, handoff_receiver
from public_schema.network.kinds import CITYWIDE_PROGRAMME

from .models import Programme
from .services import programme_create, programme_open

COPIED_FIELDS = (
    "title",
    "category",
    "description",
    "policy_document",
    "required_documents",
    "eligibility_rules",
    "no_application_needed",
)


@handoff_receiver(CITYWIDE_PROGRAMME)
def city_programme_receive(handoff) -> dict:
    """This tenant's own open copy of a city-wide programme, once per city programme.

    The copy is keyed on the city programme (a unique `city_programme_id`), so a second
    delivery finds the first copy instead of making another. A copy the programme rules
    refuse (a cap above the share, dates the wrong way round) will never be accepted: the
    envelope is refused with the reason, for the hub's page.
    """
    payload = handoff.payload
    existing = Programme.objects.filter(city_programme_id=payload["city_programme_id"]).first()
    if existing is not None:
        return {"programme_id": existing.pk}
    cap = payload.get("per_enterprise_cap")
    try:
        programme = programme_create(
            actor=None,
            stages=payload.get("stages") or None,
            budget=Decimal(payload["budget"]),
            per_enterprise_cap=None if cap is None else Decimal(cap),
            opens_at=datetime.fromisoformat(payload["opens_at"]),
            closes_at=datetime.fromisoformat(payload["closes_at"]),
            city_programme_id=payload["city_programme_id"],
            **{name: payload[name] for name in COPIED_FIELDS if name in payload},
        )
    except ValidationError as error:
        raise HandoffRefused("; ".join(error.messages)) from None
    programme_open(programme=programme)
    return {"programme_id": programme.pk}
