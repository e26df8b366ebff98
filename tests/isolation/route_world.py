"""The people and objects the route matrix is checked with: made once for the module, rolled back after.

Park A (alpha) holds enterprise X (verified, the "member"), enterprise Y (verified, the
"other" enterprise) and enterprise P (registered, not yet verified: "pending"), a reviewer
and an administrator. Park B (beta) holds the same kinds of object; every sequence of park B
is first moved far past park A's, so an id of park B names nothing in park A and a 404
there proves the lookup stayed in its own schema rather than finding a neighbour's row by
chance. The hub holds the operator.

Every object is kept as {"x": ..., "y": ..., "b": ...}: X's own, Y's (a sibling in the same
park) and park B's. Objects that belong to the park rather than to an enterprise
(programmes, services) have no "y".
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from every_schema.accounts.services import api_token_create
from public_schema.city_programmes.services import city_programme_publish
from public_schema.network.models import InstitutionProfile, NetworkProduct
from public_schema.network.services import network_product_create
from public_schema.tenants.models import Tenant
from tenant_schema.applications.attachments import attachment_add
from tenant_schema.applications.services import application_create, application_transition
from tenant_schema.billing.services import service_create, subscription_checkout, voucher_issue
from tenant_schema.demands.services import demand_file
from tenant_schema.enterprises.services import enterprise_verify
from tenant_schema.funding.services import programme_create, programme_open
from tenant_schema.network_orders.services import order_place
from tenant_schema.notifications.services import notification_send
from tenant_schema.programme_forms.demo import demo_form_minimal, demo_guide

from ..conftest import ALPHA, BETA, HUB_HOST, INST_A, INST_B, HostClient, host_of, make_user
from ..enterprises.conftest import register

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
# Ids no schema holds: the "object" of routes whose objects the matrix does not build.
MISSING_ID = 987654321
MISSING_UUID = "00000000-0000-4000-8000-00000000dead"

# The roles, in the order the matrix reports them. "hub" and "beta" are signed in on their
# own sites (the hub, park B) and present that session to park A's host.
# "iadmin" and "istaff" are institution A's administrator and staff, signed in on its own site.
ROLES = ("anon", "member", "other", "pending", "reviewer", "admin", "hub", "beta", "iadmin", "istaff")
TENANT_ROLES = ("anon", "member", "other", "pending", "reviewer", "admin")
# Who is at home on each site; every other role is a stranger there and gets what "anon" gets.
HOME_ROLES = {"tenant": TENANT_ROLES, "hub": ("anon", "hub"), "institution": ("anon", "iadmin", "istaff")}


@dataclass
class World:
    clients: dict[str, HostClient]
    users: dict[str, object]
    objects: dict[str, dict[str, object]] = field(default_factory=dict)
    hosts: dict[str, str] = field(default_factory=dict)


def _pdf(name="证明材料.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _move_sequences_past(schema: str, start: int) -> None:
    """Every id sequence of `schema` continues from `start`, so its ids are unknown to other parks."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(c.oid, GREATEST(%s, pg_sequence_last_value(c.oid))) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = %s",
            [start, schema],
        )


def _verified(registration, admin):
    enterprise_verify(enterprise=registration.enterprise, actor=admin)
    registration.enterprise.refresh_from_db()
    return registration


def _park_objects(schema: str, *, admin, owners: dict) -> dict[str, dict[str, object]]:
    """One of each object kind in `schema`; `owners` maps a label ("x", "y" or "b") to a registration."""
    objects: dict[str, dict[str, object]] = {}
    now = timezone.now()
    with schema_context(schema):
        programme = programme_open(
            programme=programme_create(
                actor=admin,
                guide=demo_guide(),
                title=f"{schema} 专精特新企业奖励",
                category="award",
                budget=Decimal("1000000.00"),
                per_enterprise_cap=Decimal("200000.00"),
                opens_at=now - dt.timedelta(days=1),
                closes_at=now + dt.timedelta(days=30),
                required_documents=[],
            )
        )
        demo_form_minimal(programme)  # its form pages and API have a form to show (key f1)
        service = service_create(
            actor=admin,
            name=f"{schema} 企业法律顾问",
            price=Decimal("100.00"),
            category="legal",
            description="合同审查",
            term_options=[3, 6, 12],
        )
        label_of_park = "x" if schema == ALPHA else "b"
        objects["programme"] = {label_of_park: programme}
        objects["service"] = {label_of_park: service}
        for label, registration in owners.items():
            user, enterprise = registration.user, registration.enterprise
            application = application_create(
                programme_id=programme.pk, enterprise=enterprise, applicant=user, requested_amount="100000.00"
            )
            attachment = attachment_add(
                application=application, actor=user, upload=_pdf(), document="营业执照"
            )
            application_transition(application_id=application.pk, action="submit", actor=user)
            demand = demand_file(
                enterprise=enterprise,
                filer=user,
                category="utilities",
                title="厂区道路积水影响物流车辆通行",
                description="雨后厂区门口道路积水严重，货车无法进出。",
                uploads=[_pdf("现场照片.pdf")],
            )
            subscription = subscription_checkout(
                actor=user, service=service, term_months=3, method="offline"
            ).subscription
            voucher = voucher_issue(
                actor=admin,
                enterprise=enterprise,
                kind="amount",
                value=Decimal("30.00"),
                expires_on=timezone.localdate() + dt.timedelta(days=30),
            )
            notification_send(
                user_ids=[user.pk], title="测试通知", link="/", dedupe_key=f"matrix-{uuid.uuid4().hex}"
            )
            token, _secret = api_token_create(user=user, name="matrix")
            rows = {
                "enterprise": enterprise,
                "membership": user.membership,
                "application": application,
                "application_attachment": attachment,
                "demand": demand,
                "demand_attachment": demand.attachments.get(),
                "subscription": subscription,
                "voucher": voucher,
                "notification": user.notifications.get(title="测试通知"),
                "token": token,
            }
            for kind, row in rows.items():
                objects.setdefault(kind, {})[label] = row
        # An award under public notice (another programme: one live application per programme),
        # the only kind anyone may object to.
        first_label, first = next(iter(owners.items()))
        reviewer = make_user(schema, role=roles.REVIEWER)
        noticed_programme = programme_open(
            programme=programme_create(
                actor=admin,
                guide=demo_guide(),
                title=f"{schema} 技术改造补助",
                category="award",
                budget=Decimal("1000000.00"),
                per_enterprise_cap=Decimal("200000.00"),
                opens_at=now - dt.timedelta(days=1),
                closes_at=now + dt.timedelta(days=30),
                required_documents=[],
            )
        )
        noticed = application_create(
            programme_id=noticed_programme.pk,
            enterprise=first.enterprise,
            applicant=first.user,
            requested_amount="100000.00",
        )
        for action, actor in (("submit", first.user), ("advance", reviewer), ("advance", reviewer)):
            application_transition(application_id=noticed.pk, action=action, actor=actor)
        noticed = application_transition(
            application_id=noticed.pk, action="approve", actor=admin, amount="80000.00"
        )
        objects["noticed_application"] = {first_label: noticed}
        award = _award(schema, first, reviewer, admin, now)
        objects["award"] = {first_label: award}
        objects["award_file"] = {first_label: _award_file(award, first.user)}
        shared = default_storage.save(
            f"shared/matrix-{schema}.txt", ContentFile(f"{schema} circular".encode())
        )
        objects["media"] = {label_of_park: shared}
        objects["tenant"] = {label_of_park: schema}
    return objects


def _award(schema, owner, reviewer, admin, now):
    """An award at 拨付 planned in two tranches with a mid-term report (tenant_schema/awards)."""
    from tenant_schema.awards.services import award_plan

    programme = programme_open(
        programme=programme_create(
            actor=admin,
            title=f"{schema} 技改项目分期补助",
            category="subsidy",
            budget=Decimal("1000000.00"),
            per_enterprise_cap=Decimal("200000.00"),
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=30),
            required_documents=[],
            guide=demo_guide(),
        )
    )
    application = application_create(
        programme_id=programme.pk,
        enterprise=owner.enterprise,
        applicant=owner.user,
        requested_amount="100000.00",
    )
    steps = [("submit", owner.user), ("advance", reviewer), ("advance", reviewer)]
    for action, actor in steps:
        application_transition(application_id=application.pk, action=action, actor=actor)
    application_transition(application_id=application.pk, action="approve", actor=admin, amount="100000.00")
    application_transition(application_id=application.pk, action="advance", actor=admin)
    soon = timezone.localdate() + dt.timedelta(days=10)
    return award_plan(
        application_id=application.pk,
        actor=admin,
        tranches=[
            {"amount": "40000", "condition": "signing", "due_on": soon},
            {"amount": "60000", "condition": "acceptance", "due_on": soon},
        ],
        reports=[{"kind": "midterm", "due_on": soon}],
    )


def _award_file(award, owner):
    from tenant_schema.awards.services import report_attachment_add

    return report_attachment_add(report=award.reports.get(), actor=owner, upload=_pdf("中期报告.pdf"))


def _institution_objects() -> tuple[dict, dict]:
    """Institution A's people and product, and institution B's product (the one A must never see)."""
    people = {
        "iadmin": make_user(INST_A, role=roles.INSTITUTION_ADMIN),
        "istaff": make_user(INST_A, role=roles.INSTITUTION_STAFF),
    }
    products = {}
    for label, slug, admin in (("x", INST_A, people["iadmin"]), ("b", INST_B, None)):
        institution = Tenant.objects.get(schema_name=slug)
        with schema_context(slug):
            admin = admin or make_user(slug, role=roles.INSTITUTION_ADMIN)
            products[label] = network_product_create(
                institution=institution,
                actor=admin,
                name=f"{slug} 企业管理培训",
                category="training",
                price=Decimal("500.00"),
                delivery_days=5,
                is_published=False,
            )
    with schema_context(INST_A):
        token, _secret = api_token_create(user=people["iadmin"], name="matrix")
    objects = {"product": products, "institution": {"x": INST_A}, "institution_token": {"x": token}}
    return people, objects


def _network_orders(objects: dict, owners: dict) -> None:
    """An institution's products on the network catalogue and an order of each owner.

    The institution is only a registry row (no schema): the orders' envelopes are queued on
    commit, so never delivered from this rolled-back transaction. One product is offered to
    every sub-platform, the other to park B only (park A's enterprises get a 404 for it).
    """
    institution = Tenant.objects.create(
        schema_name="matrixinstitution", name="矩阵测试服务机构", kind=Tenant.Kind.INSTITUTION
    )
    InstitutionProfile.objects.create(tenant=institution, status=InstitutionProfile.Status.ADMITTED)
    everywhere, beta_only = (
        NetworkProduct.objects.create(
            institution=institution, name=name, category="consulting", price=Decimal("800.00")
        )
        for name in ("管理咨询", "乙园专享咨询")
    )
    beta_only.serves.set([Tenant.objects.get(schema_name=BETA)])
    objects["network_product"] = {"x": everywhere, "b": beta_only}
    for label, registration in owners.items():
        schema = BETA if label == "b" else ALPHA
        with schema_context(schema):
            order = order_place(actor=registration.user, product_id=everywhere.pk)
        objects.setdefault("network_order", {})[label] = order


def _network_demands(objects: dict, owners: dict) -> None:
    """A network demand filed online by each owner (its envelope to the hub is queued on commit, never sent)."""
    from every_schema.network_demands.services import demand_file

    for label, registration in owners.items():
        with schema_context(BETA if label == "b" else ALPHA):
            demand = demand_file(actor=registration.user, title="用地规划咨询", description="跨部门诉求")
        objects.setdefault("network_demand", {})[label] = demand


def world_build() -> World:
    hosts = {"tenant": host_of(ALPHA), "hub": HUB_HOST, "beta": host_of(BETA), "institution": host_of(INST_A)}
    with schema_context(ALPHA):
        admin = make_user(ALPHA, role=roles.PARK_ADMIN)
        reviewer = make_user(ALPHA, role=roles.REVIEWER)
        x = _verified(register(ALPHA, name="青岛星海机械有限公司"), admin)
        y = _verified(register(ALPHA, name="青岛远洋食品有限公司"), admin)
        pending = register(ALPHA, name="青岛待审科技有限公司")
    alpha_objects = _park_objects(ALPHA, admin=admin, owners={"x": x, "y": y})
    _move_sequences_past(BETA, 500_000_000)
    with schema_context(BETA):
        beta_admin = make_user(BETA, role=roles.PARK_ADMIN)
        b = _verified(register(BETA, name="胶州乙园科技有限公司"), beta_admin)
    beta_objects = _park_objects(BETA, admin=beta_admin, owners={"b": b})
    hub_operator = make_user("public", role=roles.HUB_OPERATOR)
    # The hub's own objects: a city-wide programme (its fan-out is queued on commit, so never
    # sent from this rolled-back transaction) and the operator's API token.
    now = timezone.now()
    city_programme = city_programme_publish(
        actor=hub_operator,
        tenants=[Tenant.objects.get(schema_name=BETA)],
        budget="600000",
        title="2026年度全市规上企业稳增长奖励",
        category="award",
        per_enterprise_cap=Decimal("100000.00"),
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=30),
    )
    hub_token, _secret = api_token_create(user=hub_operator, name="matrix")

    institution_people, institution_objects = _institution_objects()
    objects = alpha_objects
    objects.update(institution_objects)
    _network_orders(objects, {"x": x, "y": y, "b": b})
    _network_demands(objects, {"x": x, "y": y, "b": b})
    objects["city_programme"] = {"x": city_programme}
    objects["handoff"] = {"x": city_programme.shares.get().handoff}  # its envelope to beta, pending
    objects["hub_token"] = {"x": hub_token}
    for kind, rows in beta_objects.items():
        objects.setdefault(kind, {}).update(rows)
    users = {
        "member": x.user,
        "other": y.user,
        "pending": pending.user,
        "reviewer": reviewer,
        "admin": admin,
        "hub": hub_operator,
        "beta": beta_admin,
        **institution_people,
    }
    home = {"hub": HUB_HOST, "beta": host_of(BETA), "iadmin": host_of(INST_A), "istaff": host_of(INST_A)}
    clients = {"anon": HostClient(hosts["tenant"])}
    for role, user in users.items():
        client = HostClient(home.get(role, hosts["tenant"]))
        client.force_login(user)
        clients[role] = client
    return World(clients=clients, users=users, objects=objects, hosts=hosts)
