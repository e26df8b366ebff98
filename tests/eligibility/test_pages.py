"""Match report (and PDF) for an enterprise; rules editor, qualifying list and push for the park."""

import pytest

from every_schema.accounts import roles
from tenant_schema.eligibility.services import programme_rules_set
from tenant_schema.enterprises.models import Enterprise

from ..conftest import ALPHA, HostClient, host_of, make_user
from .conftest import RD_RULES, make_programme


@pytest.fixture
def rd_programme(park):
    programme = make_programme(title="研发投入奖励")
    programme_rules_set(programme=programme, rules=RD_RULES)
    return programme


def _client(user):
    client = HostClient(host_of(ALPHA), HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_enterprise_sees_why_it_does_not_qualify(park, rd_programme):
    response = _client(park["does_not"].user).get("/matching/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "研发投入奖励" in html
    assert "2025 年研发投入占营业收入比例 ≥ 3%" in html
    assert "cond-not_met" in html and "1%" in html


def test_enterprise_downloads_its_report_as_pdf(park, rd_programme):
    response = _client(park["qualifies"].user).get("/matching/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_park_staff_get_404_for_the_enterprise_report(park, rd_programme):
    admin = make_user(ALPHA, role=roles.PARK_ADMIN)
    assert _client(admin).get("/matching/").status_code == 404


def test_park_admin_edits_rules_in_a_form(park, rd_programme):
    admin = make_user(ALPHA, role=roles.PARK_ADMIN)
    client = _client(admin)
    assert client.get(f"/park/programmes/{rd_programme.pk}/eligibility/").status_code == 200
    data = {
        "combine": "all",
        "no_application_needed": "",
        "conditions-TOTAL_FORMS": "2",
        "conditions-INITIAL_FORMS": "0",
        "conditions-MIN_NUM_FORMS": "0",
        "conditions-MAX_NUM_FORMS": "20",
        "conditions-0-field": "tags",
        "conditions-0-op": "has_tag",
        "conditions-0-value": "专精特新",
        "conditions-0-year": "",
        "conditions-1-field": "employees",
        "conditions-1-op": "gte",
        "conditions-1-value": "50",
        "conditions-1-year": "",
    }
    response = client.post(f"/park/programmes/{rd_programme.pk}/eligibility/", data)
    assert response.status_code == 302
    rd_programme.refresh_from_db()
    assert rd_programme.eligibility_rules["conditions"][1] == {"field": "employees", "op": "gte", "value": 50}

    data["conditions-1-value"] = "many"
    response = client.post(f"/park/programmes/{rd_programme.pk}/eligibility/", data)
    assert response.status_code == 400
    assert "employees" in response.content.decode()


def test_park_sees_who_qualifies_with_the_number_of_each_outcome_and_pushes(park, rd_programme):
    client = _client(make_user(ALPHA, role=roles.PARK_ADMIN))
    response = client.get(f"/park/programmes/{rd_programme.pk}/qualifying/")
    assert [(outcome, count) for outcome, _label, count in response.context["tabs"]] == [
        ("qualifies", 1),
        ("cannot_tell", 1),
        ("does_not_qualify", 1),
    ]
    html = response.content.decode()
    assert park["qualifies"].enterprise.name in html
    assert park["does_not"].enterprise.name not in html
    assert park["cannot_tell"].enterprise.name not in html  # on its own tab
    assert client.post(f"/park/programmes/{rd_programme.pk}/push/").status_code == 302


def test_park_sees_which_data_is_missing_and_which_conditions_are_not_met(park, rd_programme):
    client = _client(make_user(ALPHA, role=roles.PARK_ADMIN))
    url = f"/park/programmes/{rd_programme.pk}/qualifying/"
    html = client.get(url, {"outcome": "cannot_tell"}).content.decode()
    assert park["cannot_tell"].enterprise.name in html
    assert park["qualifies"].enterprise.name not in html
    assert '<span class="cond-unknown">2025 年研发投入占营业收入比例 ≥ 3%</span>' in html
    html = client.get(url, {"outcome": "does_not_qualify"}).content.decode()
    assert park["does_not"].enterprise.name in html
    assert '<span class="cond-not_met">2025 年研发投入占营业收入比例 ≥ 3% (1%)</span>' in html


def test_park_pages_through_a_long_list(park, rd_programme, monkeypatch):
    monkeypatch.setattr("tenant_schema.eligibility.views.QUALIFYING_PAGE_SIZE", 2)
    programme_rules_set(programme=rd_programme, rules={})  # open to every enterprise
    client = _client(make_user(ALPHA, role=roles.PARK_ADMIN))
    url = f"/park/programmes/{rd_programme.pk}/qualifying/"
    first, second = client.get(url), client.get(url, {"page": 2})
    shown = [[m.enterprise.name for m, _pushed in r.context["rows"]] for r in (first, second)]
    assert [len(names) for names in shown] == [2, 1]
    assert shown[0] + shown[1] == list(
        Enterprise.objects.filter(pk__in=[r.enterprise.pk for r in park.values()])
        .order_by("name", "pk")
        .values_list("name", flat=True)
    )
    assert "?page=2" in first.content.decode()


def test_park_overview_counts_who_qualifies_for_each_open_programme(park, rd_programme):
    client = _client(make_user(ALPHA, role=roles.REVIEWER))
    response = client.get("/park/matching/")
    assert response.status_code == 200
    (counts,) = [c for programme, c in response.context["rows"] if programme == rd_programme]
    assert counts == {"qualifies": 1, "cannot_tell": 1, "does_not_qualify": 1}
    html = response.content.decode()
    assert f'/park/programmes/{rd_programme.pk}/qualifying/?outcome=cannot_tell">1</a>' in html
    assert _client(park["qualifies"].user).get("/park/matching/").status_code == 404


def test_enterprise_gets_404_for_the_park_pages(park, rd_programme):
    client = _client(park["qualifies"].user)
    for path in ("eligibility/", "qualifying/"):
        assert client.get(f"/park/programmes/{rd_programme.pk}/{path}").status_code == 404
    assert client.post(f"/park/programmes/{rd_programme.pk}/push/").status_code == 404
