"""Double-clicks, second tabs and retries, for real: N requests at once against gunicorn.

For every create, one request wins (2xx) and the others are refused with the same clear
400 (a partial unique index decides, not an `.exists()` check); for every workflow action,
one wins and the others are a 409 that says what the item moved on to; the history table
shows exactly one event. Issue 14: ten concurrent creates made six applications, and two
concurrent advances at 受理 passed 初审 without review.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tenant_schema.applications.models import Application, ApplicationEvent
from tenant_schema.applications.services import application_create, application_transition
from tenant_schema.billing.models import Payment, Rating, Subscription, SubscriptionHistory, Voucher
from tenant_schema.billing.services import (
    service_create,
    subscription_checkout,
    subscription_request_transfer,
    voucher_issue,
)
from tenant_schema.demands.models import Demand, DemandEvent
from tenant_schema.demands.services import demand_file, demand_transition
from tenant_schema.enterprises.models import Membership
from tenant_schema.funding.services import programme_create, programme_open
from tenant_schema.programme_forms.demo import demo_guide

from .conftest import hidden

N = 10
pytestmark = pytest.mark.usefixtures("committed_db")


def programme(park):
    now = timezone.now()
    with schema_context(park.slug):
        created = programme_create(
            actor=None,
            guide=demo_guide(),
            title=f"并发测试专项 {now.timestamp()}",
            category="award",
            budget=Decimal("10000000.00"),
            per_enterprise_cap=Decimal("500000.00"),
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=30),
            required_documents=[],
        )
        return programme_open(programme=created)


def application_at(park, steps: list[tuple[str, str]]):
    """A new enterprise's application moved through `steps` [(action, who)] by the services."""
    registration, token = park.enterprise()
    actors = {"owner": registration.user, "reviewer": park.reviewer, "admin": park.admin}
    with schema_context(park.slug):
        application = application_create(
            programme_id=programme(park).pk,
            enterprise=registration.enterprise,
            applicant=registration.user,
            requested_amount="100000.00",
        )
        for action, who in steps:
            extra = {"amount": "80000.00"} if action == "approve" else {}
            application = application_transition(
                application_id=application.pk, action=action, actor=actors[who], **extra
            )
        application = Application.objects.select_related("current_stage").get(pk=application.pk)
    return application, registration, token


def events(park, application, action: str) -> int:
    with schema_context(park.slug):
        return ApplicationEvent.objects.filter(application=application, action=action).count()


def expected(application) -> dict:
    return {"expected_status": application.status, "expected_stage": application.current_stage_id}


def one_winner(race, ok: int, refused: set[int]):
    print(race)
    assert race.statuses[ok] == 1, race
    assert set(race.statuses) - {ok} <= refused, race
    return race


# ---------------------------------------------------------------------------
# Creates
# ---------------------------------------------------------------------------


def test_twenty_concurrent_application_creates_make_one_application(race_park):
    registration, token = race_park.enterprise()
    target = programme(race_park)
    race = race_park.site.api_race(
        20, token, "/applications/", {"programme": target.pk, "requested_amount": "1000.00"}
    )
    one_winner(race, 201, {400})
    refusal = next(answer for answer in race.answers if answer.status == 400).json()
    assert refusal["fields"]["programme"][0]
    with schema_context(race_park.slug):
        assert Application.objects.filter(enterprise=registration.enterprise, programme=target).count() == 1


def test_concurrent_application_form_posts_make_one_application(race_park):
    registration, _token = race_park.enterprise()
    target = programme(race_park)
    browser = race_park.site.browser(registration.user.email)
    path = f"/applications/new/{target.pk}/"
    race = race_park.site.page_race(N, browser, path, {"requested_amount": "1000.00"}, token_from=path)
    print(race)
    # The winner and any request arriving after it commits go to the (one) application; the rest get the form's 400.
    assert set(race.statuses) <= {302, 400}, race
    with schema_context(race_park.slug):
        assert Application.objects.filter(enterprise=registration.enterprise, programme=target).count() == 1


def test_concurrent_checkouts_make_one_order(race_park):
    registration, token = race_park.enterprise()
    with schema_context(race_park.slug):
        service = service_create(
            actor=race_park.admin, name=f"并发代账 {timezone.now().timestamp()}", price=Decimal("100.00")
        )
    race = race_park.site.api_race(
        N, token, "/billing/subscriptions/", {"service": service.pk, "term_months": 3, "method": "offline"}
    )
    one_winner(race, 201, {400})
    with schema_context(race_park.slug):
        orders = Subscription.objects.filter(enterprise=registration.enterprise, service=service)
        assert orders.count() == 1
        assert SubscriptionHistory.objects.filter(subscription__in=orders).count() == 1


def test_concurrent_invitations_of_one_colleague_make_one_membership(race_park):
    registration, _token = race_park.enterprise()
    browser = race_park.site.browser(registration.user.email)
    email = f"colleague-{timezone.now().timestamp()}@example.cn"
    race = race_park.site.page_race(
        N, browser, "/enterprise/members/", {"email": email}, token_from="/enterprise/members/"
    )
    one_winner(race, 302, {400})
    refused = next(answer for answer in race.answers if answer.status == 400)
    assert "errorlist" in refused.body or "error" in refused.body
    with schema_context(race_park.slug):
        assert Membership.objects.filter(user__email=email).count() == 1


def test_concurrent_ratings_of_a_service_keep_one_rating(race_park):
    registration, token = race_park.enterprise()
    with schema_context(race_park.slug):
        service = service_create(
            actor=race_park.admin, name=f"公益培训 {timezone.now().timestamp()}", price=Decimal("0")
        )
        subscription_checkout(actor=registration.user, service=service, term_months=3)  # free: active at once
    race = race_park.site.api_race(
        N, token, f"/billing/services/{service.pk}/ratings/", {"score": 4, "comment": "好"}
    )
    print(race)
    assert set(race.statuses) <= {200, 201}, race  # rating again replaces the rating: every answer is fine
    with schema_context(race_park.slug):
        assert Rating.objects.filter(enterprise=registration.enterprise, service=service).count() == 1


def test_one_voucher_sent_with_concurrent_orders_pays_for_one(race_park):
    registration, token = race_park.enterprise()
    with schema_context(race_park.slug):
        voucher = voucher_issue(
            actor=race_park.admin,
            enterprise=registration.enterprise,
            kind=Voucher.Kind.AMOUNT,
            value=Decimal("50.00"),
            expires_on=timezone.localdate() + dt.timedelta(days=30),
        )
        services = [
            service_create(
                actor=race_park.admin,
                name=f"券测服务{i} {timezone.now().timestamp()}",
                price=Decimal("100.00"),
            )
            for i in range(N)
        ]
    # Ten different services (so the one-waiting-order rule is not what stops them), one voucher.
    payloads = iter(
        {"service": service.pk, "term_months": 3, "method": "offline", "voucher_code": voucher.code}
        for service in services
    )
    race = race_park.site.api_race_each(N, token, "/billing/subscriptions/", lambda: next(payloads))
    one_winner(race, 201, {400})
    with schema_context(race_park.slug):
        assert Subscription.objects.filter(voucher=voucher).count() == 1
        assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.USED


def test_concurrent_withdrawals_of_a_voucher_withdraw_it_once(race_park):
    registration, _token = race_park.enterprise()
    with schema_context(race_park.slug):
        voucher = voucher_issue(
            actor=race_park.admin,
            enterprise=registration.enterprise,
            kind=Voucher.Kind.PERCENT,
            value=Decimal("20"),
            expires_on=timezone.localdate() + dt.timedelta(days=30),
        )
    race = race_park.site.api_race(N, race_park.admin_token, f"/billing/vouchers/{voucher.pk}/void/")
    one_winner(race, 200, {400})


# ---------------------------------------------------------------------------
# Application transitions
# ---------------------------------------------------------------------------


def test_twenty_concurrent_advances_at_the_first_stage_pass_one_stage(race_park):
    application, _registration, _token = application_at(race_park, [("submit", "owner")])
    first_stage = application.current_stage
    race = race_park.site.api_race(
        20,
        race_park.reviewer_token,
        f"/applications/{application.pk}/actions/advance/",
        expected(application),
    )
    one_winner(race, 200, {409})
    refusal = next(answer for answer in race.answers if answer.status == 409).json()
    assert refusal["code"] == "stale_action" and refusal["message"]
    with schema_context(race_park.slug):
        application = Application.objects.select_related("current_stage").get(pk=application.pk)
        assert application.current_stage.position == first_stage.position + 1
    assert events(race_park, application, "advance") == 1


def test_concurrent_advances_from_the_reviewers_page_pass_one_stage(race_park):
    application, _registration, _token = application_at(race_park, [("submit", "owner")])
    browser = race_park.site.browser(race_park.reviewer.email)
    path = f"/park/applications/{application.pk}/"
    _status, page, _headers = browser.request("GET", path)
    fields = {
        "expected_status": hidden(page, "expected_status"),
        "expected_stage": hidden(page, "expected_stage"),
    }
    race = race_park.site.page_race(N, browser, f"{path}act/advance/", fields, token_from=path)
    one_winner(race, 302, {409})
    refused = next(answer for answer in race.answers if answer.status == 409)
    assert 'class="refused"' in refused.body  # the page with the reason, not an error page
    assert events(race_park, application, "advance") == 1


@pytest.mark.parametrize(
    "steps, action, who, payload, ok",
    [
        ([], "submit", "owner", {}, 200),
        ([("submit", "owner")], "return", "reviewer", {"comment": "请补充营业执照"}, 200),
        ([("submit", "owner")], "reject", "reviewer", {"comment": "不符合申报条件"}, 200),
        ([("submit", "owner")], "withdraw", "owner", {}, 200),
        (
            [("submit", "owner"), ("advance", "reviewer"), ("advance", "reviewer")],
            "approve",
            "admin",
            {"amount": "80000.00"},
            200,
        ),
        (
            [
                ("submit", "owner"),
                ("advance", "reviewer"),
                ("advance", "reviewer"),
                ("approve", "admin"),
                ("advance", "admin"),
            ],
            "disburse",
            "admin",
            {"amount": "80000.00"},
            200,
        ),
    ],
    ids=["submit", "return", "reject", "withdraw", "approve", "disburse"],
)
def test_concurrent_application_actions_take_effect_once(race_park, steps, action, who, payload, ok):
    application, _registration, owner_token = application_at(race_park, steps)
    token = {"owner": owner_token, "reviewer": race_park.reviewer_token, "admin": race_park.admin_token}[who]
    race = race_park.site.api_race(
        N, token, f"/applications/{application.pk}/actions/{action}/", {**payload, **expected(application)}
    )
    one_winner(race, ok, {409})
    assert events(race_park, application, action) == 1


def test_concurrent_submits_from_the_enterprise_page_submit_once(race_park):
    application, registration, _token = application_at(race_park, [])
    browser = race_park.site.browser(registration.user.email)
    path = f"/applications/{application.pk}/"
    _status, page, _headers = browser.request("GET", path)
    fields = {
        "expected_status": hidden(page, "expected_status"),
        "expected_stage": hidden(page, "expected_stage"),
    }
    race = race_park.site.page_race(N, browser, f"{path}submit/", fields, token_from=path)
    one_winner(race, 302, {409})
    assert events(race_park, application, "submit") == 1


# ---------------------------------------------------------------------------
# Demand transitions
# ---------------------------------------------------------------------------


def demand_at(park, steps: list[tuple[str, dict]]):
    registration, token = park.enterprise()
    with schema_context(park.slug):
        demand = demand_file(
            enterprise=registration.enterprise,
            filer=registration.user,
            category="other",
            title="并发诉求",
            description="想了解研发费用加计扣除政策",
        )
        for action, extra in steps:
            actor = registration.user if action == "rate" else park.admin
            demand = demand_transition(demand_id=demand.pk, action=action, actor=actor, **extra)
        demand.refresh_from_db()
    return demand, token


@pytest.mark.parametrize(
    "steps, action, payload, by_owner",
    [
        ([], "accept", {}, False),
        ([("accept", {})], "reply", {"comment": "已收到，正在办理"}, False),
        ([("accept", {})], "answer", {"comment": "可享受加计扣除"}, False),
        ([("accept", {})], "extend", {"comment": "需会商税务部门", "extension_days": 3}, False),
        ([("accept", {})], "assign", {"department": "经济发展部"}, False),
        ([("accept", {}), ("answer", {"comment": "可享受加计扣除"})], "rate", {"rating": "satisfied"}, True),
    ],
    ids=["accept", "reply", "answer", "extend", "assign", "rate"],
)
def test_concurrent_demand_actions_take_effect_once(race_park, steps, action, payload, by_owner):
    demand, owner_token = demand_at(race_park, steps)
    token = owner_token if by_owner else race_park.admin_token
    race = race_park.site.api_race(
        N, token, f"/demands/{demand.pk}/{action}/", {**payload, "expected_status": demand.status}
    )
    one_winner(race, 200, {400, 409})
    with schema_context(race_park.slug):
        assert DemandEvent.objects.filter(demand=demand, action=action).count() == 1
        assert Demand.objects.get(pk=demand.pk).status != demand.status or action in ("assign", "extend")


def test_concurrent_accepts_from_the_park_page_accept_once(race_park):
    demand, _token = demand_at(race_park, [])
    browser = race_park.site.browser(race_park.admin.email)
    path = f"/park/demands/{demand.pk}/"
    _status, page, _headers = browser.request("GET", path)
    fields = {"expected_status": hidden(page, "expected_status"), "department": "经济发展部"}
    race = race_park.site.page_race(N, browser, f"/demands/{demand.pk}/act/accept/", fields, token_from=path)
    one_winner(race, 302, {409})
    assert (
        "刷新" in next(answer for answer in race.answers if answer.status == 409).body
    )  # "reload", in Chinese
    with schema_context(race_park.slug):
        assert DemandEvent.objects.filter(demand=demand, action="accept").count() == 1


# ---------------------------------------------------------------------------
# Order transitions
# ---------------------------------------------------------------------------


def waiting_order(park, *, transfer: bool = False):
    registration, token = park.enterprise()
    with schema_context(park.slug):
        service = service_create(
            actor=park.admin, name=f"并发审计 {timezone.now().timestamp()}", price=Decimal("100.00")
        )
        subscription = subscription_checkout(
            actor=registration.user, service=service, term_months=3, method=Payment.Method.OFFLINE
        ).subscription
        if transfer:
            subscription_request_transfer(
                actor=registration.user, subscription=subscription, reference="BANK-1"
            )
    return subscription, token


def history(park, subscription, to_status: str) -> int:
    with schema_context(park.slug):
        return SubscriptionHistory.objects.filter(subscription=subscription, to_status=to_status).count()


def test_concurrent_cancels_of_an_order_cancel_it_once(race_park):
    subscription, token = waiting_order(race_park)
    race = race_park.site.api_race(N, token, f"/billing/subscriptions/{subscription.pk}/cancel/")
    one_winner(race, 200, {400})
    assert history(race_park, subscription, Subscription.Status.CANCELLED) == 1


def test_concurrent_confirmations_of_a_transfer_start_the_term_once(race_park):
    subscription, _token = waiting_order(race_park, transfer=True)
    race = race_park.site.api_race(
        N, race_park.admin_token, f"/billing/subscriptions/{subscription.pk}/confirm-transfer/"
    )
    one_winner(race, 200, {400})
    assert history(race_park, subscription, Subscription.Status.ACTIVE) == 1
    with schema_context(race_park.slug):
        assert subscription.payments.filter(status=Payment.Status.SUCCEEDED).count() == 1


def test_concurrent_transfer_announcements_make_one_payment(race_park):
    subscription, token = waiting_order(race_park)
    race = race_park.site.api_race(
        N, token, f"/billing/subscriptions/{subscription.pk}/transfer/", {"reference": "B-7"}
    )
    print(race)
    assert set(race.statuses) == {200}, race  # announcing the transfer again is the same announcement
    with schema_context(race_park.slug):
        assert (
            subscription.payments.filter(method=Payment.Method.OFFLINE, status=Payment.Status.PENDING).count()
            == 1
        )
