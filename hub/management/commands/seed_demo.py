"""Build the Jiaozhou "1+12+X" demo network: the hub, 12 town sub-platforms, 3 featured parks.

Names are illustrative. Safe to run again: existing tenants and accounts are kept.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from accounts import roles
from accounts.services import roles_sync, user_create
from tenants.models import Tenant
from tenants.services import hub_ensure, tenant_provision, tenant_site_url

DEMO_PASSWORD = "parkhub-demo-2026"
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


class Command(BaseCommand):
    help = "Seed the Jiaozhou demo network (hub, 12 sub-platforms, 3 featured parks) and print the logins."

    def handle(self, *args, **options):
        User = get_user_model()
        hub = hub_ensure()
        if not User.objects.filter(email=HUB_OPERATOR_EMAIL).exists():
            user_create(
                email=HUB_OPERATOR_EMAIL,
                full_name="市级平台运营",
                password=DEMO_PASSWORD,
                role=roles.HUB_OPERATOR,
                is_staff=True,
            )
        rows = []
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
                    admin.set_password(DEMO_PASSWORD)
                    admin.save(update_fields=["password"])
            rows.append((tenant.name, tenant_site_url(tenant=tenant), email))

        hub_url = tenant_site_url(tenant=hub)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("ParkHub demo — Jiaozhou 1+12+X"))
        self.stdout.write(f"  City hub   {hub_url}   login {HUB_OPERATOR_EMAIL} / {DEMO_PASSWORD}")
        for name, url, email in rows:
            self.stdout.write(f"  {name:<16} {url}   login {email} / {DEMO_PASSWORD}")
        self.stdout.write(f"  API docs   {hub_url}api/docs/  (each site also has /api/docs/)")
        self.stdout.write(f"  Base domain: {settings.PARKHUB_BASE_DOMAIN} (*.localhost needs no DNS set-up)")
