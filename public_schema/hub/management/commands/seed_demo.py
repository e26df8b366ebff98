"""Build the Jiaozhou "1+12+X" demo network: the hub, 12 town sub-platforms, 3 featured parks.

Each tenant also gets its illustrative enterprises (7,000 over the network by default,
985 of them above designated size, as in Jiaozhou) and demo enterprise and reviewer logins.
Names are illustrative. Safe to run again: existing tenants, enterprises and accounts are kept.
"""

import random
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from every_schema.accounts.services import roles_sync, user_create
from every_schema.network_demands.demo import network_demands_seed_demo
from public_schema.hub.rollups import rollup_refresh_all
from public_schema.installation.selectors import installation_row
from public_schema.installation.services import installation_update
from public_schema.network.demo import network_seed_demo
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import hub_ensure, tenant_provision, tenant_site_url
from public_schema.voucher_schemes.demo import vouchers_seed_demo
from tenant_schema.applications.demo import applications_seed_demo
from tenant_schema.awards.demo import awards_seed_demo
from tenant_schema.billing.demo import billing_seed_demo, billing_summary
from tenant_schema.demands.demo import demands_seed_demo
from tenant_schema.eligibility.demo import eligibility_seed_demo
from tenant_schema.enterprises.demo import demo_accounts_ensure, enterprises_seed_demo, network_allocation
from tenant_schema.enterprises.models import Enterprise
from tenant_schema.expert_review.demo import expert_review_seed_demo
from tenant_schema.network_orders.demo import network_orders_seed_demo
from tenant_schema.programme_forms.demo import programme_forms_seed_demo

DEMO_PASSWORD = "parkhub-demo-2026"
JIAOZHOU_HUB_NAME = "胶州市企业公共服务平台"
HUB_OPERATOR_EMAIL = "hub@parkhub.demo"

# (slug, name, kind)
JIAOZHOU_NETWORK = [
    ("fuan", "阜安街道企业服务分平台", Tenant.Kind.DISTRICT),
    ("zhongyun", "中云街道企业服务分平台", Tenant.Kind.DISTRICT),
    ("sanlihe", "三里河街道企业服务分平台", Tenant.Kind.DISTRICT),
    ("jiulong", "九龙街道企业服务分平台", Tenant.Kind.DISTRICT),
    ("jiaodong", "胶东街道企业服务分平台", Tenant.Kind.DISTRICT),
    ("jiaobei", "胶北街道企业服务分平台", Tenant.Kind.DISTRICT),
    ("jiaolai", "胶莱街道企业服务分平台", Tenant.Kind.DISTRICT),
    ("jiaoxi", "胶西街道企业服务分平台", Tenant.Kind.DISTRICT),
    ("ligezhuang", "李哥庄镇企业服务分平台", Tenant.Kind.DISTRICT),
    ("puji", "铺集镇企业服务分平台", Tenant.Kind.DISTRICT),
    ("licha", "里岔镇企业服务分平台", Tenant.Kind.DISTRICT),
    ("yanghe", "洋河镇企业服务分平台", Tenant.Kind.DISTRICT),
    ("kaifaqu", "胶州经济技术开发区", Tenant.Kind.PARK),
    ("shanghe", "上合示范区产业园", Tenant.Kind.PARK),
    ("gaoxinqu", "胶州湾高新技术产业园", Tenant.Kind.PARK),
]

# slug -> (relative number of enterprises, relative share of them above designated size).
# At the defaults the towns get 350–800 enterprises each and the parks 210–320, with the
# industrial towns and the parks holding more of the 规上 ones.
DEMO_ENTERPRISE_WEIGHTS = {
    "fuan": (720, 0.09),
    "zhongyun": (660, 0.10),
    "sanlihe": (540, 0.10),
    "jiulong": (500, 0.14),
    "jiaodong": (800, 0.15),
    "jiaobei": (600, 0.17),
    "jiaolai": (370, 0.12),
    "jiaoxi": (420, 0.13),
    "ligezhuang": (540, 0.16),
    "puji": (350, 0.11),
    "licha": (355, 0.12),
    "yanghe": (365, 0.11),
    "kaifaqu": (320, 0.30),
    "shanghe": (250, 0.25),
    "gaoxinqu": (210, 0.22),
}
DEMO_ENTERPRISES = 7000  # Jiaozhou: 7,000+ SMEs ...
DEMO_ABOVE_SIZE = 985  # ... and 985 above designated size (seeds/002)
DEMO_LOGIN_TENANTS = 1  # tenants whose enterprise and reviewer logins are printed in full


class Command(BaseCommand):
    help = "Seed the Jiaozhou demo network (hub, 12 sub-platforms, 3 featured parks) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enterprises",
            type=int,
            default=DEMO_ENTERPRISES,
            help=f"Enterprises over the whole network (default {DEMO_ENTERPRISES}); 0 for none.",
        )
        parser.add_argument(
            "--above-size",
            type=int,
            default=None,
            help=f"How many of them are above designated size (default {DEMO_ABOVE_SIZE}, scaled down with "
            "--enterprises).",
        )
        parser.add_argument(
            "--institutions",
            type=int,
            default=None,
            help="Service institutions to seed (default: every one of the demo's 30+).",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with production settings (a public demo installation). The demo accounts' "
            "password is published; change it before anyone else signs in.",
        )

    def handle(self, *args, **options):
        # Before anything touches the database: a production installation gets no demo accounts
        # with a password anyone can read in the README, unless its operator says so.
        if settings.PARKHUB_PRODUCTION:
            if not options["allow_production"]:
                raise CommandError(
                    "seed_demo refuses to run with production settings: it creates demo tenants and accounts "
                    f"whose password ({DEMO_PASSWORD}) is published. For a public demo installation, run it "
                    "again with --allow-production."
                )
            self.stderr.write(
                self.style.WARNING(
                    f"WARNING: seeding the demo with production settings. Every demo account signs in with the "
                    f"published password {DEMO_PASSWORD}: change or deactivate them before real users arrive."
                )
            )
        total = options["enterprises"]
        above_size = options["above_size"]
        if above_size is None:
            above_size = round(total * DEMO_ABOVE_SIZE / DEMO_ENTERPRISES)
        if not 0 <= above_size <= total:
            raise CommandError("--above-size must be between 0 and --enterprises.")
        User = get_user_model()
        hub = hub_ensure(name=JIAOZHOU_HUB_NAME)
        identity = installation_row()
        if not identity.hub_name:  # the demo is Jiaozhou's, unless the hub named itself already
            installation_update(
                actor=None,
                hub_name=JIAOZHOU_HUB_NAME,
                platform_name=identity.platform_name,
                contact_email=identity.contact_email,
                contact_phone=identity.contact_phone,
            )
        if not User.objects.filter(email=HUB_OPERATOR_EMAIL).exists():
            user_create(
                email=HUB_OPERATOR_EMAIL,
                full_name="市级平台运营",
                password=DEMO_PASSWORD,
                role=roles.HUB_OPERATOR,
                is_staff=True,
            )
        rows = []
        # One hash for every demo administrator: hashing is deliberately slow (~0.5 s each).
        demo_password_hash = make_password(DEMO_PASSWORD)
        for slug, name, kind in JIAOZHOU_NETWORK:
            email = f"admin@{slug}.demo"
            tenant = Tenant.objects.filter(schema_name=slug).first()
            if tenant is None:
                provisioned = tenant_provision(name=name, slug=slug, kind=kind, admin_email=email, parent=hub)
                tenant = provisioned.tenant
                self.stdout.write(f"  created {slug} ({provisioned.method})")
            with schema_context(slug):
                roles_sync()
                admin = User.objects.filter(email=email).first()
                if admin is not None and not admin.has_usable_password():
                    admin.password = demo_password_hash
                    admin.save(update_fields=["password"])
            rows.append((tenant.name, tenant_site_url(tenant=tenant), email))

        # Enterprises and the demo enterprise / reviewer logins, now that every tenant exists.
        started = time.monotonic()
        allocation = network_allocation(
            {slug: DEMO_ENTERPRISE_WEIGHTS.get(slug, (300, 0.12)) for slug, _name, _kind in JIAOZHOU_NETWORK},
            total=total,
            above_size=above_size,
        )
        created = enterprises_total = above_total = 0
        demo_logins = []
        billing_totals = []
        for slug, _name, _kind in JIAOZHOU_NETWORK:
            count, above = allocation[slug]
            with schema_context(slug):
                # Seeded from the slug, so a tenant's demo data is the same on every machine.
                created += enterprises_seed_demo(
                    count=count, above_size=above, rng=random.Random(f"parkhub-demo:{slug}")
                )
                demo_logins.append(demo_accounts_ensure(password=DEMO_PASSWORD))
                demands_seed_demo(rng=random.Random(f"parkhub-demo-demands:{slug}"))
                applications_seed_demo(
                    rng=random.Random(f"parkhub-demo-applications:{slug}")
                )  # programmes too
                programme_forms_seed_demo()  # a programme's own form: in review, returned with marks, draft
                awards_seed_demo()  # tranches paid and pending, a report overdue, accepted, failed, a recovery
                # A programme scored by an expert panel, with a recusal (回避) and a confirmed outcome.
                expert_review_seed_demo(
                    rng=random.Random(f"parkhub-demo-experts:{slug}"), password=DEMO_PASSWORD
                )
                eligibility_seed_demo()  # rules (qualifies / not / cannot tell), programmes not applied to
                billing_totals.append(billing_seed_demo(rng=random.Random(f"parkhub-demo-billing:{slug}")))
                enterprises_total += Enterprise.objects.count()
                above_total += Enterprise.objects.filter(above_designated_size=True).count()
        rollup_refresh_all()  # the dashboard reads the hub rollups: fill them now, not at the nightly run

        hub_url = tenant_site_url(tenant=hub)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("ParkHub demo — Jiaozhou 1+12+X"))
        self.stdout.write(f"  City hub   {hub_url}   login {HUB_OPERATOR_EMAIL} / {DEMO_PASSWORD}")
        for index, (name, url, email) in enumerate(rows):
            self.stdout.write(f"  {name:<16} {url}   login {email} / {DEMO_PASSWORD}")
            if index < DEMO_LOGIN_TENANTS:
                for login in demo_logins[index]:
                    self.stdout.write(
                        f"  {'':<16} {'':<{len(url)}}   login {login.email} / {DEMO_PASSWORD}  ({login.what})"
                    )
        self.stdout.write(
            "  Every sub-platform and park has the same demo logins: qiye1@<slug>.demo (owner of a verified "
            "enterprise), qiye2@<slug>.demo (owner of a pending one), reviewer@<slug>.demo (reviewer)."
        )
        self.stdout.write(
            f"  Enterprises: {enterprises_total:,} over {len(JIAOZHOU_NETWORK)} sites, {above_total:,} above "
            f"designated size (规上); {created:,} added in {time.monotonic() - started:.1f}s"
        )
        self.stdout.write(billing_summary(billing_totals))
        self.stdout.write(
            network_seed_demo(
                password=DEMO_PASSWORD, password_hash=demo_password_hash, count=options["institutions"]
            )
        )
        placed = network_orders_seed_demo(
            rng=random.Random("parkhub-demo-network-orders")
        )  # needs institutions
        self.stdout.write(f"  Network orders: {placed:,} placed by enterprises of several sub-platforms")
        network_demands_seed_demo(password=DEMO_PASSWORD)  # dispatched, transferred, supervised, reopened
        self.stdout.write(vouchers_seed_demo(rng=random.Random("parkhub-demo-vouchers")))
        self.stdout.write(f"  API docs   {hub_url}api/v1/docs/  (each site also has /api/v1/docs/)")
        self.stdout.write(f"  Base domain: {settings.PARKHUB_BASE_DOMAIN} (*.localhost needs no DNS set-up)")
