"""The awards API and pages: the enterprise sees paid and next, staff pay, outsiders get 404."""

from tenant_schema.awards.models import Report

from ..conftest import ALPHA, BETA, make_user
from ..enterprises.conftest import register
from ..factories import verified
from .conftest import approved_at_disbursement, days


def test_enterprise_sees_paid_and_next_on_the_api_and_the_page(award, client_a, enterprise_x, park_admin):
    client_a.force_login(park_admin)
    answer = client_a.post(
        f"/api/v1/awards/{award.pk}/tranches/1/pay/", {"reference": "BANK-9"}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["paid"] == "30000.00"
    client_a.force_login(enterprise_x.user)
    detail = client_a.get(f"/api/v1/awards/{award.pk}/").json()
    assert (detail["paid"], detail["next_tranche"], detail["next_tranche_held"]) == ("30000.00", 2, "")
    assert [t["status"] for t in detail["tranches"]] == ["paid", "planned", "planned"]
    page = client_a.get(f"/awards/{award.pk}/").content.decode()
    assert "30000.00" in page and "50000.00" in page
    assert client_a.get("/awards/").status_code == 200


def test_paying_a_held_tranche_is_a_409_with_the_reason(award, client_a, park_admin):
    client_a.force_login(park_admin)
    client_a.post(
        f"/api/v1/awards/{award.pk}/tranches/1/pay/", {"reference": "B1"}, content_type="application/json"
    )
    Report.objects.filter(award=award, kind="midterm").update(due_on=days(-3))
    answer = client_a.post(
        f"/api/v1/awards/{award.pk}/tranches/2/pay/", {"reference": "B2"}, content_type="application/json"
    )
    assert answer.status_code == 409 and answer.json()["code"] == "transition_refused"
    page = client_a.post(
        f"/awards/{award.pk}/act/",
        {"target": "tranche", "id": award.tranches.get(position=2).pk, "action": "pay", "reference": "B2"},
    )
    assert page.status_code == 409


def test_bad_input_is_a_400_with_field_errors(award, client_a, park_admin):
    client_a.force_login(park_admin)
    answer = client_a.post(
        f"/api/v1/awards/{award.pk}/recoveries/",
        {"reason": "x", "amount_due": "lots", "deadline": "tomorrow"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert {"reason", "amount_due", "deadline", "explanation"} <= set(answer.json()["fields"])


def test_the_enterprise_sends_its_report_from_the_page(award, client_a, enterprise_x):
    client_a.force_login(enterprise_x.user)
    report = award.reports.get(kind="midterm")
    empty = client_a.post(
        f"/awards/{award.pk}/act/", {"target": "report", "id": report.pk, "action": "submit", "text": ""}
    )
    assert empty.status_code == 400
    sent = client_a.post(
        f"/awards/{award.pk}/act/",
        {
            "target": "report",
            "id": report.pk,
            "action": "submit",
            "text": "设备安装完成",
            "expected_status": "due",
        },
    )
    assert sent.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


def test_outsider_gets_404(award, client_a, client_b, enterprise_x):
    other = verified(register(ALPHA, name="青岛远洋食品有限公司"))
    client_a.force_login(other.user)
    assert client_a.get(f"/api/v1/awards/{award.pk}/").status_code == 404
    assert client_a.get(f"/awards/{award.pk}/").status_code == 404
    assert (
        client_a.post(
            f"/api/v1/awards/{award.pk}/reports/midterm/actions/submit/",
            {"text": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert client_a.get("/api/v1/awards/").json()["results"] == []
    # Park B's administrator on park B's site: the award of park A does not exist there.
    beta_admin = make_user(BETA, role="park_admin")
    client_b.force_login(beta_admin)
    assert client_b.get(f"/api/v1/awards/{award.pk}/").status_code == 404


def test_the_park_plans_an_award_from_its_page(
    in_alpha, client_a, enterprise_x, programme, reviewer, park_admin
):
    application = approved_at_disbursement(enterprise_x, programme, reviewer, park_admin)
    client_a.force_login(park_admin)
    assert application.programme.title in client_a.get("/park/awards/").content.decode()
    form = {"amount_1": "60000", "condition_1": "signing", "due_on_1": days(3).isoformat()}
    short = client_a.post(f"/park/awards/plan/{application.pk}/", form)
    assert short.status_code == 400 and "60000.00" in short.content.decode()
    form |= {
        "amount_2": "40000",
        "condition_2": "acceptance",
        "due_on_2": days(90).isoformat(),
        "report_final": days(80).isoformat(),
    }
    assert client_a.post(f"/park/awards/plan/{application.pk}/", form).status_code == 302
    assert application.award.tranches.count() == 2 and application.award.reports.get().kind == "final"


def test_a_reviewer_sees_the_enterprises_open_recovery_before_approving(
    award, client_a, enterprise_x, reviewer, park_admin
):
    from tenant_schema.awards.services import recovery_open, tranche_pay

    from ..applications.conftest import act, draft_for, make_programme

    tranche_pay(tranche_id=award.tranches.get(position=1).pk, actor=park_admin, reference="B1")
    recovery_open(
        award_id=award.pk,
        actor=park_admin,
        reason="relocation",
        explanation="迁出",
        amount_due="30000",
        deadline=days(30),
    )
    application = draft_for(enterprise_x, make_programme(title="2026年度数字化改造奖励"))
    act(application, "submit", enterprise_x.user)
    client_a.force_login(reviewer)
    page = client_a.get(f"/park/applications/{application.pk}/").content.decode()
    assert "open-recoveries" in page and award.application.programme.title in page
