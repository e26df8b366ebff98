"""Hub API and pages for city-wide programmes: operators publish, everyone else gets 404."""

import datetime as dt

from django.utils import timezone
from rest_framework.test import APIClient

from every_schema.accounts import roles

from ..conftest import ALPHA, HUB_HOST, HostClient, host_of, make_user


def _payload(**extra):
    now = timezone.now()
    return {
        "title": "全市稳岗补贴",
        "category": "subsidy",
        "per_enterprise_cap": "10000.00",
        "opens_at": (now - dt.timedelta(hours=1)).isoformat(),
        "closes_at": (now + dt.timedelta(days=10)).isoformat(),
        "shares": [{"tenant": "alpha", "budget": "100000.00"}],
        **extra,
    }


def test_hub_operator_publishes_through_the_api(hub_operator, tenant_a):
    client = APIClient(HTTP_HOST=HUB_HOST)
    client.force_authenticate(hub_operator)
    response = client.post("/api/hub/city-programmes/", _payload(), format="json")
    assert response.status_code == 201, response.json()
    # On its way: the envelope is pending until a worker delivers it.
    assert response.json()["shares"] == [
        {
            "tenant": "alpha",
            "budget": "100000.00",
            "delivered": False,
            "state": "pending",
            "attempts": 0,
            "last_error": "",
        }
    ]
    bad = client.post(
        "/api/hub/city-programmes/", _payload(eligibility_rules={"combine": "x"}), format="json"
    )
    assert bad.status_code == 400 and "eligibility_rules" in bad.json()["fields"]


def test_outsider_gets_404(db, tenant_a):
    park_admin = make_user(ALPHA, role=roles.PARK_ADMIN)
    client = APIClient(HTTP_HOST=host_of(ALPHA))
    client.force_authenticate(park_admin)
    assert client.get("/api/hub/city-programmes/").status_code == 404  # not mounted on a park's site
    someone = make_user("public")
    hub = APIClient(HTTP_HOST=HUB_HOST)
    hub.force_authenticate(someone)
    assert hub.get("/api/hub/city-programmes/").status_code == 404


def test_hub_page_publishes(hub_operator, tenant_a):
    client = HostClient(HUB_HOST)
    client.force_login(hub_operator)
    assert client.get("/city-programmes/").status_code == 200
    now = timezone.localtime()
    response = client.post(
        "/city-programmes/",
        {
            "title": "全市首台套奖励",
            "category": "award",
            "budget": "500000",
            "per_enterprise_cap": "",
            "opens_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + dt.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M"),
            "tenants": [tenant_a.pk],
            # The rules editor tenants use: one row per condition, no JSON.
            "rules-combine": "all",
            "conditions-TOTAL_FORMS": "2",
            "conditions-INITIAL_FORMS": "0",
            "conditions-0-field": "tags",
            "conditions-0-op": "has_tag",
            "conditions-0-value": "专精特新",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get(response["Location"]).status_code == 200
    from public_schema.city_programmes.models import CityProgramme

    published = CityProgramme.objects.get(title="全市首台套奖励")
    assert published.eligibility_rules["conditions"] == [
        {"field": "tags", "op": "has_tag", "value": "专精特新"}
    ]


def test_hub_page_shows_each_tenant_delivered_on_its_way_or_failing(hub_operator, tenant_a, tenant_b):
    import pytest

    from public_schema.city_programmes.services import city_programme_publish, city_programme_reference
    from public_schema.network.handoffs import handoff_deliver
    from public_schema.network.models import Handoff

    now = timezone.now()
    city_programme = city_programme_publish(
        actor=hub_operator,
        tenants={tenant_a: "100000", tenant_b: "100000"},
        title="全市稳岗补贴",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=10),
    )
    alpha, beta = Handoff.objects.filter(reference=city_programme_reference(city_programme)).order_by("pk")
    assert handoff_deliver(handoff_id=alpha.pk) is True
    # Beta's envelope carries something its receiver cannot read: the attempt fails and is shown.
    Handoff.objects.filter(pk=beta.pk).update(payload={**beta.payload, "opens_at": "明天"})
    with pytest.raises(ValueError):
        handoff_deliver(handoff_id=beta.pk)

    client = HostClient(HUB_HOST)
    client.force_login(hub_operator)
    page = client.get(f"/city-programmes/{city_programme.pk}/").content.decode()
    assert page.count("✓") == 1
    assert "分发中" in page or "on its way" in page
    assert "ValueError: Invalid isoformat string" in page
    listing = client.get("/city-programmes/").content.decode()
    assert "全市稳岗补贴" in listing


def test_hub_page_offers_the_rules_editor_and_refuses_a_bad_rule_on_it(hub_operator, tenant_a):
    client = HostClient(HUB_HOST)
    client.force_login(hub_operator)
    html = client.get("/city-programmes/").content.decode()
    assert 'name="conditions-0-field"' in html and "JSON" not in html
    now = timezone.localtime()
    response = client.post(
        "/city-programmes/",
        {
            "title": "全市稳岗补贴",
            "category": "subsidy",
            "budget": "500000",
            "opens_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + dt.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M"),
            "tenants": [tenant_a.pk],
            "rules-combine": "all",
            "conditions-TOTAL_FORMS": "2",
            "conditions-INITIAL_FORMS": "0",
            "conditions-0-field": "employees",
            "conditions-0-op": "gte",
            "conditions-0-value": "很多",
        },
    )
    assert response.status_code == 400
    assert response.context["rule_errors"]
    assert "全市稳岗补贴" not in [p.title for p in response.context["programmes"]]
