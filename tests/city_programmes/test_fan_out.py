"""A city-wide programme reaches every chosen tenant once, through one envelope per tenant;
a tenant created later only when chosen."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from public_schema.city_programmes.models import CityProgramme
from public_schema.city_programmes.services import (
    city_programme_publish,
    city_programme_reference,
    city_programme_tenants_add,
    city_programme_totals,
)
from public_schema.network.handoffs import handoff_deliver
from public_schema.network.models import Handoff
from public_schema.network.selectors import handoffs_for, handoffs_pending_for
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import tenant_provision
from tenant_schema.funding.models import Programme

RULES = {"combine": "all", "conditions": [{"field": "above_designated_size", "op": "eq", "value": True}]}


def _fields(**extra):
    now = timezone.now()
    return {
        "title": "2026年度全市规上企业稳增长奖励",
        "category": "award",
        "per_enterprise_cap": Decimal("100000.00"),
        "opens_at": now - dt.timedelta(hours=1),
        "closes_at": now + dt.timedelta(days=30),
        "eligibility_rules": RULES,
        **extra,
    }


def _fan_out(city_programme) -> int:
    """What the workers do, in-process: deliver each of the programme's envelopes still pending."""
    return sum(
        handoff_deliver(handoff_id=handoff.pk)
        for handoff in handoffs_pending_for(reference=city_programme_reference(city_programme))
    )


def _copies(schema, city_programme):
    with schema_context(schema):
        return list(Programme.objects.filter(city_programme_id=city_programme.pk))


def _park(dropped_after, label):
    slug = f"{label}{uuid.uuid4().hex[:6]}"
    dropped_after.append(slug)
    return tenant_provision(
        name=f"{label} 园区", slug=slug, kind=Tenant.Kind.PARK, admin_email=f"admin@{slug}.test"
    ).tenant


def city_programmes_remove(**filters) -> None:
    """Committed city programmes and their envelopes (which outlive a deleted share)."""
    for city_programme in CityProgramme.objects.filter(**filters):
        Handoff.objects.filter(reference=city_programme_reference(city_programme)).delete()
        city_programme.delete()


@pytest.fixture
def city_programmes_removed(committed_db):
    yield
    city_programmes_remove(title__startswith="2026年度全市")


def test_reaches_every_chosen_tenant_once_and_a_later_tenant_only_when_chosen(
    committed_db, dropped_after, city_programmes_removed
):
    east, west = _park(dropped_after, "east"), _park(dropped_after, "west")
    city_programme = city_programme_publish(actor=None, tenants=[east, west], budget="600000", **_fields())

    envelopes = list(handoffs_for(reference=city_programme_reference(city_programme)))
    assert [(h.kind, h.receiver, h.state) for h in envelopes] == [
        ("citywide.programme", east, "pending"),
        ("citywide.programme", west, "pending"),
    ]
    assert _fan_out(city_programme) == 2
    assert _fan_out(city_programme) == 0  # a second run
    assert handoff_deliver(handoff_id=envelopes[0].pk) is False  # a retried delivery
    # Publishing again for the same tenants (a retried request) sends no second envelope.
    city_programme_tenants_add(city_programme=city_programme, shares={east: "300000"})
    assert handoffs_for(reference=city_programme_reference(city_programme)).count() == 2
    for tenant in (east, west):
        (copy,) = _copies(tenant.schema_name, city_programme)
        assert copy.budget == Decimal("300000.00") and copy.status == "open"
        assert copy.eligibility_rules == RULES
        with schema_context(tenant.schema_name):
            assert list(copy.stages.values_list("name", flat=True)) == [
                "受理",
                "初审",
                "专家评审",
                "公示",
                "拨付",
            ]

    later = _park(dropped_after, "later")
    assert _fan_out(city_programme) == 0
    assert _copies(later.schema_name, city_programme) == []

    city_programme_tenants_add(city_programme=city_programme, shares={later: "200000"})
    assert _fan_out(city_programme) == 1
    (copy,) = _copies(later.schema_name, city_programme)
    assert copy.budget == Decimal("200000.00")
    shares = list(city_programme.shares.select_related("handoff", "tenant").order_by("pk"))
    assert [share.is_delivered for share in shares] == [True, True, True]
    for share in shares:
        (copy,) = _copies(share.tenant.schema_name, city_programme)
        assert share.programme_id == copy.pk
    assert [row["applications"] for row in city_programme_totals(city_programme=city_programme)] == [0, 0, 0]


def test_all_tenants_means_the_live_tenants_when_published(db, tenant_a, tenant_b):
    city_programme = city_programme_publish(actor=None, budget="1000000", **_fields())
    chosen = set(city_programme.shares.values_list("tenant__schema_name", flat=True))
    assert {"alpha", "beta"} <= chosen and "public" not in chosen
    _fan_out(city_programme)
    assert len(_copies("alpha", city_programme)) == 1 and len(_copies("beta", city_programme)) == 1


def test_invalid_rules_or_caps_are_refused(db, tenant_a):
    with pytest.raises(ValidationError) as refused:
        city_programme_publish(
            actor=None, tenants=[tenant_a], budget="1000", **_fields(eligibility_rules={"combine": "x"})
        )
    assert "eligibility_rules" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        city_programme_publish(actor=None, tenants=[tenant_a], budget="1000", **_fields())
    assert "per_enterprise_cap" in refused.value.message_dict


def test_a_copy_the_tenant_already_has_is_not_made_twice(db, tenant_a):
    """Even without the envelope's lock (a copy made by the previous release's fan-out)."""
    city_programme = city_programme_publish(actor=None, tenants=[tenant_a], budget="1000000", **_fields())
    (envelope,) = handoffs_pending_for(reference=city_programme_reference(city_programme))
    from tenant_schema.funding.handoff_receivers import city_programme_receive

    with schema_context("alpha"):
        first = city_programme_receive(envelope)
    assert _fan_out(city_programme) == 1
    envelope.refresh_from_db()
    assert envelope.result == first and len(_copies("alpha", city_programme)) == 1


def test_a_copy_the_tenant_refuses_ends_refused_with_the_reason(db, tenant_a):
    city_programme = city_programme_publish(actor=None, tenants=[tenant_a], budget="1000000", **_fields())
    (envelope,) = handoffs_pending_for(reference=city_programme_reference(city_programme))
    Handoff.objects.filter(pk=envelope.pk).update(payload={**envelope.payload, "budget": "0"})
    assert _fan_out(city_programme) == 0
    envelope.refresh_from_db()
    assert envelope.state == "refused" and envelope.last_error
    assert _copies("alpha", city_programme) == []


def test_shares_published_before_handoffs_get_their_envelopes(db, tenant_a, tenant_b):
    """Migration 0002's backfill: a delivered share's envelope says delivered with its copy's id;
    an undelivered one's is pending, and delivering it makes the copy."""
    import importlib

    from django.apps import apps

    from public_schema.city_programmes.models import CityProgrammeDelivery, CityProgrammeShare

    backfill = importlib.import_module(
        "public_schema.city_programmes.migrations.0002_share_handoff_replaces_delivery"
    ).shares_to_envelopes
    city_programme = CityProgramme.objects.create(stages=[], **_fields())
    delivered = CityProgrammeShare.objects.create(
        city_programme=city_programme, tenant=tenant_a, budget=500000
    )
    waiting = CityProgrammeShare.objects.create(city_programme=city_programme, tenant=tenant_b, budget=500000)
    CityProgrammeDelivery.objects.create(city_programme=city_programme, tenant=tenant_a, programme_id=41)

    backfill(apps, None)
    backfill(apps, None)  # a second run changes nothing

    delivered.refresh_from_db()
    waiting.refresh_from_db()
    assert delivered.is_delivered and delivered.programme_id == 41
    assert waiting.handoff.state == "pending" and waiting.handoff.receiver == tenant_b
    assert Handoff.objects.filter(reference=city_programme_reference(city_programme)).count() == 2
    assert _fan_out(city_programme) == 1
    (copy,) = _copies("beta", city_programme)
    assert copy.budget == Decimal("500000.00") and copy.status == "open"


def test_a_share_written_by_the_previous_release_gets_its_envelope_from_the_old_task_names(db, tenant_a):
    """During a deploy an old pod writes a share without an envelope and queues citywide.fan_out."""
    from public_schema.city_programmes.models import CityProgrammeShare
    from public_schema.city_programmes.tasks import city_programme_deliver_task, city_programme_fan_out_task

    city_programme = CityProgramme.objects.create(stages=[], **_fields())
    share = CityProgrammeShare.objects.create(city_programme=city_programme, tenant=tenant_a, budget=500000)
    assert city_programme_fan_out_task.run(city_programme_id=city_programme.pk) == 1
    assert city_programme_deliver_task.run(share_id=share.pk) == 0  # it has one now
    share.refresh_from_db()
    assert share.handoff.state == "pending" and share.handoff.receiver == tenant_a
    assert _fan_out(city_programme) == 1 and len(_copies("alpha", city_programme)) == 1
