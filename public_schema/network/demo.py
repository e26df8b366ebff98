"""The demo's service institutions (the X of 1+12+X): 32 tenants in the seeds' categories, with products.

Illustrative names only. Most are admitted to the pool; a few wait at each other stage so
the hub's pool list and the institutions' timelines show every state. Every step goes
through the services (provisioning, profile, pool workflow, products), so the demo is what
people would have made. Idempotent: an institution that exists is left as it is.

Provisioning takes a spare schema or clones the template (public_schema.tenants.services):
about half a second each, so the 32 add some 15 to 20 seconds to seed_demo.
"""

import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import schema_context

from every_schema.accounts import roles
from public_schema.tenants.models import Tenant
from public_schema.tenants.services import tenant_provision, tenant_site_url

from . import workflow as wf
from .models import InstitutionProfile
from .selectors import institution_profile_of
from .services import (
    admission_transition,
    institution_profile_update,
    network_product_create,
    servable_tenants,
)

# (category, institution names) after the seeds' kinds: training, entrepreneurship,
# innovation, financing, informatisation (seeds 002), and the catalogue's other categories.
INSTITUTIONS = [
    (
        "training",
        [
            "胶州启航职业技能培训学校",
            "青岛蓝海企业管理培训中心",
            "胶州匠心数字技能学院",
            "青岛海纳安全生产培训中心",
        ],
    ),
    ("entrepreneurship", ["胶州创客空间孵化器", "青岛少海创业服务中心", "胶州湾青年创业园服务公司"]),
    (
        "innovation",
        [
            "青岛智创知识产权代理有限公司",
            "胶州科创技术转移中心",
            "青岛海科高企认定咨询有限公司",
            "胶州工业设计服务中心",
        ],
    ),
    (
        "financing",
        [
            "青岛汇金融资服务有限公司",
            "胶州普惠金融服务中心",
            "青岛信合财务咨询有限公司",
            "胶州上合供应链金融服务公司",
        ],
    ),
    (
        "informatisation",
        [
            "青岛云帆信息技术有限公司",
            "胶州数联工业互联网服务公司",
            "青岛慧企云软件有限公司",
            "胶州网安信息安全评估中心",
            "青岛易企通协同办公服务公司",
        ],
    ),
    ("legal", ["山东胶州明德律师事务所", "青岛正衡企业法律服务中心"]),
    ("talent", ["胶州人才发展服务有限公司", "青岛英才人力资源服务公司"]),
    ("testing", ["青岛质衡检验检测有限公司", "胶州产品认证服务中心"]),
    ("consulting", ["青岛精益管理咨询有限公司", "胶州智造转型咨询中心", "青岛卓远企业管理咨询公司"]),
    ("marketing", ["胶州跨境电商服务中心", "青岛品牌策划推广有限公司", "胶州会展商贸服务公司"]),
]

# (name, price, term in months or None, delivery working days) per category: some free
# (public welfare), some time-limited rentals of cloud tools and workspaces.
PRODUCTS = {
    "training": [
        ("企业中高层管理培训", "1200.00", None, 10),
        ("安全生产公益培训", "0", None, 5),
        ("数字技能提升班", "800.00", None, 15),
    ],
    "entrepreneurship": [
        ("创业辅导（公益）", "0", None, 5),
        ("工商注册代办", "300.00", None, 3),
        ("孵化工位租用", "1800.00", 6, 2),
    ],
    "innovation": [
        ("高新技术企业认定辅导", "5000.00", None, 20),
        ("发明专利申请代理", "2500.00", None, 15),
        ("科技成果评价", "3000.00", None, 20),
    ],
    "financing": [
        ("融资对接路演（公益）", "0", None, 10),
        ("知识产权质押融资咨询", "1000.00", None, 7),
        ("财务规范化辅导", "2000.00", None, 15),
    ],
    "informatisation": [
        ("云ERP年度租用", "3600.00", 12, 3),
        ("协同办公平台季度租用", "600.00", 3, 2),
        ("企业上云诊断（免费）", "0", None, 5),
        ("网络安全等级保护测评", "4000.00", None, 20),
        ("工业设备联网半年租用", "1500.00", 6, 5),
    ],
    "legal": [
        ("常年法律顾问", "6000.00", 12, 3),
        ("合同审查", "500.00", None, 3),
        ("劳动用工合规体检", "0", None, 5),
    ],
    "talent": [
        ("中高端人才寻访", "3000.00", None, 20),
        ("校园招聘专场", "800.00", None, 10),
        ("人才政策申报辅导", "0", None, 5),
    ],
    "testing": [("产品质量检测", "1500.00", None, 10), ("ISO9001认证辅导", "4500.00", None, 30)],
    "consulting": [
        ("精益生产诊断", "8000.00", None, 20),
        ("智能化改造咨询", "5000.00", None, 20),
        ("专精特新申报辅导", "0", None, 10),
    ],
    "marketing": [
        ("跨境电商入门培训", "0", None, 5),
        ("品牌策划方案", "6000.00", None, 20),
        ("展会参展服务", "2000.00", None, 10),
    ],
}

# The pool's states shown in the demo, by position in the list (the rest are admitted).
# The first six show every state (a short demo, or a test, still has them all); most of the rest are admitted.
STATES = {
    1: "submitted",
    2: "reviewing",
    3: "refused",
    4: "suspended",
    5: "removed",
    13: "submitted",
    17: "reviewing",
    22: "refused",
    27: "suspended",
}
REASONS = {
    "refused": "资质证明材料不全，请补充近三年服务案例后重新提交。",
    "suspended": "收到企业投诉，核查期间暂停服务。",
    "removed": "连续两年绩效评价不合格，予以出库。",
}
SLUG_PREFIX = "jigou"


def _serves(rng: random.Random, platforms: list[Tenant]) -> list[Tenant]:
    """A third serve the whole network (empty), the others three to eight sub-platforms."""
    if rng.random() < 0.33 or not platforms:
        return []
    return rng.sample(
        platforms, rng.randint(min(3, len(platforms) - 1) or 1, min(8, len(platforms) - 1) or 1)
    )


def _credit_code(index: int) -> str:
    return f"91370281MA3D{index:05d}X"


def network_seed_demo(*, password: str, password_hash: str, count: int | None = None) -> str:
    """Provision the demo institutions, walk their pool entries and add their products; returns the lines to print.

    `count`: only the first so many (tests: each provisioning in one transaction holds its
    schema's locks until the end, and a test is one transaction).
    """
    User = get_user_model()
    operator = User.objects.filter(groups__name=roles.HUB_OPERATOR).order_by("pk").first()
    platforms = list(servable_tenants().order_by("pk"))
    rng = random.Random("parkhub-demo-network")
    made = 0
    index = 0
    first_login = None
    for category, names in INSTITUTIONS:
        for name in names:
            if count is not None and index >= count:
                break
            slug = f"{SLUG_PREFIX}{index + 1:02d}"
            email = f"admin@{slug}.demo"
            state = STATES.get(index, "admitted")
            serves = _serves(rng, platforms)
            tenant = Tenant.objects.filter(schema_name=slug).first()
            if tenant is None:
                tenant = tenant_provision(
                    name=name,
                    slug=slug,
                    kind=Tenant.Kind.INSTITUTION,
                    admin_email=email,
                    admin_name="机构管理员",
                ).tenant
                _build(tenant, index, category, state, serves, email, password_hash, operator, rng)
                made += 1
            if first_login is None:
                first_login = (name, tenant_site_url(tenant=tenant), email)
            index += 1
    connection.set_schema_to_public()
    counts = {status: 0 for status in InstitutionProfile.Status.values}
    for profile in InstitutionProfile.objects.filter(tenant__schema_name__startswith=SLUG_PREFIX):
        counts[profile.status] += 1
    name, url, email = first_login
    summary = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
    return (
        f"  Institutions {index} in the pool ({summary}; {made} created now)\n"
        f"  {name:<16} {url}   login {email} / {password}  (institution administrator)"
    )


def _build(tenant, index, category, state, serves, email, password_hash, operator, rng) -> None:
    User = get_user_model()
    with schema_context(tenant.schema_name):
        admin = User.objects.get(email=email)
        admin.password = password_hash  # one hash for every demo account: hashing is slow on purpose
        admin.save(update_fields=["password"])
        other = [c for c in PRODUCTS if c != category]
        institution_profile_update(
            profile=institution_profile_of(tenant=tenant),
            actor=admin,
            serves=serves,
            credit_code=_credit_code(index + 1),
            introduction=f"{tenant.name}是入驻本市企业公共服务平台网络的专业服务机构，面向中小企业提供专业化服务。",
            qualifications="营业执照；相关行业资质证书；近三年服务案例20项以上。",
            categories=[category, rng.choice(other)],
            contact_name="服务专员",
            contact_phone=f"0532-8{index + 1:03d}0000",
            contact_email=f"service@{tenant.schema_name}.demo",
            address="山东省青岛市胶州市",
        )
        if state != "draft":
            _step(tenant, wf.SUBMIT, admin)
    for action in _hub_steps(state):
        _step(
            tenant,
            action,
            operator,
            comment=REASONS.get(state, "") if action in (wf.REFUSE, wf.SUSPEND, wf.REMOVE) else "",
        )
        if action == wf.ADMIT:
            _products(tenant, admin, category, serves, rng)


def _hub_steps(state: str) -> list[str]:
    return {
        "submitted": [],
        "reviewing": [wf.REVIEW],
        "refused": [wf.REVIEW, wf.REFUSE],
        "admitted": [wf.REVIEW, wf.ADMIT],
        "suspended": [wf.REVIEW, wf.ADMIT, wf.SUSPEND],
        "removed": [wf.REVIEW, wf.ADMIT, wf.REMOVE],
    }.get(state, [])


def _step(tenant, action, actor, *, comment: str = "") -> None:
    schema = tenant.schema_name if action == wf.SUBMIT else "public"
    with schema_context(schema):
        admission_transition(
            profile_id=institution_profile_of(tenant=tenant).pk, action=action, actor=actor, comment=comment
        )


def _products(tenant, admin, category, serves, rng) -> None:
    """Two to four products of the institution's category, some offered to a part of what it serves."""
    offers = PRODUCTS[category]
    chosen = rng.sample(offers, rng.randint(2, min(4, len(offers))))
    with schema_context(tenant.schema_name):
        for name, price, term, days in chosen:
            narrower = rng.sample(serves, max(1, len(serves) // 2)) if serves and rng.random() < 0.3 else []
            network_product_create(
                institution=tenant,
                actor=admin,
                serves=narrower,
                name=name,
                category=category,
                description=f"{tenant.name}提供的{name}服务。",
                price=Decimal(price),
                term_months=term,
                delivery_days=days,
                is_published=True,
            )
