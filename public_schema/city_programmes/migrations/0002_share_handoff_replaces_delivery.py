"""Expand: each share gets its envelope (network.Handoff), which is its delivery from now on.

Backfill: a share already delivered gets a delivered envelope carrying its copy's id; a share
not yet delivered gets a pending one, which the sweep delivers. CityProgrammeDelivery stays
until the contract step of a later release.
"""

import django.db.models.deletion
from django.db import migrations, models

FIELDS = (
    "title",
    "category",
    "description",
    "policy_document",
    "required_documents",
    "eligibility_rules",
    "no_application_needed",
)


def payload(city_programme, budget) -> dict:
    # As public_schema.city_programmes.services.city_programme_payload writes it today.
    cap = city_programme.per_enterprise_cap
    return {
        "city_programme_id": city_programme.pk,
        "budget": str(budget),
        "stages": city_programme.stages or [],
        "per_enterprise_cap": None if cap is None else str(cap),
        "opens_at": city_programme.opens_at.isoformat(),
        "closes_at": city_programme.closes_at.isoformat(),
        **{name: getattr(city_programme, name) for name in FIELDS},
    }


def shares_to_envelopes(apps, schema_editor):
    Share = apps.get_model("citywide", "CityProgrammeShare")
    Delivery = apps.get_model("citywide", "CityProgrammeDelivery")
    Handoff = apps.get_model("network", "Handoff")
    Tenant = apps.get_model("tenants", "Tenant")
    shares = Share.objects.filter(handoff__isnull=True).select_related("city_programme")
    if not shares.exists():
        return
    hub = Tenant.objects.get(schema_name="public")
    delivered = {(d.city_programme_id, d.tenant_id): d for d in Delivery.objects.all()}
    for share in shares.iterator():
        city_programme = share.city_programme
        delivery = delivered.get((city_programme.pk, share.tenant_id))
        handoff, _created = Handoff.objects.get_or_create(
            idempotency_key=f"citywide:{city_programme.pk}:{share.tenant_id}",
            defaults={
                "kind": "citywide.programme",
                "sender": hub,
                "receiver_id": share.tenant_id,
                "reference": f"citywide:{city_programme.pk}",
                "payload": payload(city_programme, share.budget),
                "state": "delivered" if delivery else "pending",
                "attempts": 1 if delivery else 0,
                "result": {"programme_id": delivery.programme_id} if delivery else {},
                "last_attempt_at": delivery.delivered_at if delivery else None,
                "delivered_at": delivery.delivered_at if delivery else None,
            },
        )
        share.handoff = handoff
        share.save(update_fields=["handoff"])


class Migration(migrations.Migration):
    dependencies = [
        ("citywide", "0001_initial"),
        ("network", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="cityprogrammeshare",
            name="handoff",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="city_programme_share",
                to="network.handoff",
                verbose_name="handoff",
            ),
        ),
        migrations.RunPython(shares_to_envelopes, migrations.RunPython.noop),
    ]
