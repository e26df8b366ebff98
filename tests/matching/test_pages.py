"""Match report (and PDF) for an enterprise; rules editor, qualifying list and push for the park."""

import pytest

from accounts import roles
from matching.services import programme_rules_set

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


def test_park_lists_qualifying_enterprises_and_pushes(park, rd_programme):
    admin = make_user(ALPHA, role=roles.PARK_ADMIN)
    client = _client(admin)
    html = client.get(f"/park/programmes/{rd_programme.pk}/qualifying/").content.decode()
    assert park["qualifies"].enterprise.name in html
    assert park["does_not"].enterprise.name not in html
    assert park["cannot_tell"].enterprise.name in html  # listed apart, with what is missing
    assert client.post(f"/park/programmes/{rd_programme.pk}/push/").status_code == 302


def test_enterprise_gets_404_for_the_park_pages(park, rd_programme):
    client = _client(park["qualifies"].user)
    for path in ("eligibility/", "qualifying/"):
        assert client.get(f"/park/programmes/{rd_programme.pk}/{path}").status_code == 404
    assert client.post(f"/park/programmes/{rd_programme.pk}/push/").status_code == 404
