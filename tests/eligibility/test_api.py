"""Matching API: the enterprise's report, the park's rules / qualifying / push; outsiders get 404."""

import pytest
from rest_framework.test import APIClient

from every_schema.accounts import roles
from tenant_schema.eligibility.api import QualifyingPagination
from tenant_schema.eligibility.models import AutoApplication
from tenant_schema.eligibility.services import auto_applications_create, programme_rules_set
from tenant_schema.enterprises.models import Enterprise

from ..conftest import ALPHA, BETA, host_of, make_user
from .conftest import RD_RULES, make_programme


def api(user, schema=ALPHA):
    client = APIClient(HTTP_HOST=host_of(schema))
    client.force_authenticate(user)
    return client


@pytest.fixture
def rd_programme(park):
    programme = make_programme(title="研发投入奖励", cap="50000.00")
    programme_rules_set(programme=programme, rules=RD_RULES)
    return programme


def test_enterprise_reads_its_match_report(park, rd_programme):
    response = api(park["does_not"].user).get("/api/matching/report/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    (match,) = [m for m in response.json() if m["programme_id"] == rd_programme.pk]
    assert match["outcome"] == "does_not_qualify"
    assert [c["outcome"] for c in match["conditions"]] == ["met", "not_met"]
    assert match["conditions"][1]["your_value"] == "1%"


def test_park_admin_sets_rules_and_invalid_ones_are_refused(park, rd_programme):
    admin = make_user(ALPHA, role=roles.PARK_ADMIN)
    response = api(admin).put(
        f"/api/programmes/{rd_programme.pk}/eligibility/",
        {"rules": {"combine": "any", "conditions": [{"field": "employees", "op": "gte", "value": 10}]}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["rules"]["combine"] == "any"
    response = api(admin).put(
        f"/api/programmes/{rd_programme.pk}/eligibility/",
        {"rules": {"conditions": [{"field": "employees", "op": "has_tag", "value": 10}]}},
        format="json",
    )
    assert response.status_code == 400
    assert "eligibility_rules" in response.json()["fields"]


def test_park_lists_qualifying_and_pushes(park, rd_programme):
    admin = make_user(ALPHA, role=roles.PARK_ADMIN)
    listing = api(admin).get(f"/api/programmes/{rd_programme.pk}/qualifying/").json()
    assert [(r["name"], r["outcome"]) for r in listing["results"]] == [
        (park["qualifies"].enterprise.name, "qualifies"),  # qualifying first
        (park["cannot_tell"].enterprise.name, "cannot_tell"),
    ]
    assert listing["count"] == 2
    assert listing["counts"] == {"qualifies": 1, "cannot_tell": 1, "does_not_qualify": 1}
    response = api(admin).post(f"/api/programmes/{rd_programme.pk}/push/")
    assert response.status_code == 202
    assert api(admin).get(f"/api/matching/push-runs/{response.json()['id']}/").status_code == 200


def test_park_filters_the_list_by_outcome_and_pages_through_it(park, rd_programme, monkeypatch):
    admin = make_user(ALPHA, role=roles.PARK_ADMIN)
    url = f"/api/programmes/{rd_programme.pk}/qualifying/"
    listing = api(admin).get(url, {"outcome": "does_not_qualify"}).json()
    assert [r["name"] for r in listing["results"]] == [park["does_not"].enterprise.name]

    programme_rules_set(programme=rd_programme, rules={})  # open to every enterprise
    monkeypatch.setattr(QualifyingPagination, "page_size", 2)
    first = api(admin).get(url, {"outcome": "qualifies"}).json()
    second = api(admin).get(first["next"]).json()
    assert (first["count"], len(first["results"]), len(second["results"])) == (3, 2, 1)
    names = [r["name"] for r in first["results"] + second["results"]]
    assert names == list(
        Enterprise.objects.filter(pk__in=[r.enterprise.pk for r in park.values()])
        .order_by("name", "pk")
        .values_list("name", flat=True)
    )
    assert first["counts"] == {"qualifies": 3, "cannot_tell": 0, "does_not_qualify": 0}
    assert api(admin).get(url, {"outcome": "maybe"}).status_code == 400
    assert api(admin).get(url, {"page": 9}).status_code == 404


def test_enterprise_declines_through_the_api(park, rd_programme):
    programme_rules_set(programme=rd_programme, rules=RD_RULES, no_application_needed=True)
    auto_applications_create(programme_id=rd_programme.pk)
    auto = AutoApplication.objects.get(programme=rd_programme)
    assert (
        api(park["does_not"].user).post(f"/api/matching/auto-applications/{auto.pk}/decline/").status_code
        == 404
    )
    response = api(park["qualifies"].user).post(f"/api/matching/auto-applications/{auto.pk}/decline/")
    assert response.status_code == 200 and response.json()["status"] == "declined"


def test_outsider_gets_404(park, rd_programme, tenant_b):
    enterprise_user = park["qualifies"].user
    for path in (
        f"/api/programmes/{rd_programme.pk}/eligibility/",
        f"/api/programmes/{rd_programme.pk}/qualifying/",
    ):
        assert api(enterprise_user).get(path).status_code == 404
    assert api(enterprise_user).post(f"/api/programmes/{rd_programme.pk}/push/").status_code == 404
    reviewer = make_user(ALPHA, role=roles.REVIEWER)
    assert api(reviewer).get("/api/matching/report/").status_code == 404
    assert api(reviewer).post(f"/api/programmes/{rd_programme.pk}/push/").status_code == 403
    # Park B's administrator does not see park A's programme.
    other = make_user(BETA, role=roles.PARK_ADMIN)
    assert api(other, BETA).get(f"/api/programmes/{rd_programme.pk}/qualifying/").status_code == 404


def test_anonymous_gets_401(park, rd_programme):
    assert APIClient(HTTP_HOST=host_of(ALPHA)).get("/api/matching/report/").status_code == 401
