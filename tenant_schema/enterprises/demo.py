"""Illustrative enterprises for the Jiaozhou demo network (seed_demo).

Everything here is made up: names, people, phone numbers and figures are plausible but
belong to no real enterprise. Credit codes are well formed (GB 32100 check character,
GB 11714 organisation-code check character) with Jiaozhou's region code 370281.

The seed writes rows with bulk_create, so it sets `status` itself instead of going
through tenant_schema.enterprises.services (which would send a notification per enterprise and take
minutes for a network of 7,000). It runs in the current tenant's schema.
"""

import functools
import math
import random
import zlib
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from every_schema.accounts import roles
from every_schema.accounts.services import user_create

from .credit_code import credit_code_make
from .models import Enterprise, Industry, Membership, SizeClass, Tag, YearlyFigures

REGION_CODE = "370281"  # 胶州市
FIGURE_YEARS = (2023, 2024, 2025)
ABOVE_SIZE_REVENUE = 20_000_000  # 规上工业: annual main-business revenue of CNY 20 million
BATCH_SIZE = 1000

# The built-in tags (tenant_schema/enterprises/migrations/0002_builtin_tags.py) and the share of a
# tenant's enterprises that carry them.
TAG_ZJTX = "专精特新"
TAG_LITTLE_GIANT = "专精特新“小巨人”"
TAG_HNTE = "高新技术企业"
TAG_TECH_SME = "科技型中小企业"
TAG_GAZELLE = "瞪羚企业"
TAG_FOREIGN = "外资企业"
TAG_LISTED = "上市企业"
TAG_SHARES = {TAG_ZJTX: 0.05, TAG_HNTE: 0.08, TAG_TECH_SME: 0.15, TAG_GAZELLE: 0.01, TAG_FOREIGN: 0.03}
TECH_TAGS = frozenset({TAG_ZJTX, TAG_LITTLE_GIANT, TAG_HNTE, TAG_TECH_SME})

# Industry weights (GB/T 4754 sections): SMEs, and above-size enterprises (mostly industry).
SME_INDUSTRY_WEIGHTS = {
    "C": 30,
    "F": 22,
    "G": 8,
    "I": 6,
    "L": 8,
    "M": 6,
    "E": 5,
    "A": 3,
    "H": 4,
    "O": 3,
    "K": 1,
    "N": 1,
    "R": 1.5,
    "P": 0.5,
    "Q": 0.5,
    "D": 0.3,
    "J": 0.2,
}
ABOVE_INDUSTRY_WEIGHTS = {
    "C": 68,
    "F": 12,
    "G": 6,
    "E": 4,
    "I": 3,
    "M": 2,
    "D": 2,
    "L": 1.5,
    "K": 1,
    "A": 0.5,
}
INDUSTRIAL = frozenset("BCD")

# Two-character trade names. Well-known brands and place names are left out on purpose.
NAME_WORDS = (
    "海川 瑞丰 鑫源 恒达 宏图 鸿泰 金阳 德润 永盛 嘉禾 鼎盛 博远 天晟 信诚 润泽 嘉联 百川 远航 新锐 众合 "
    "东益 海纳 汇通 金诺 瑞祥 聚源 昌盛 荣达 启航 凯瑞 瑞晟 泰和 金鼎 弘毅 卓越 嘉瑞 华盛 益康 丰源 宏远 "
    "盛邦 恒泰 鑫达 泓远 睿航 锦泰 裕丰 永顺 碧海 青禾 蓝泰 海晟 润达 盛丰 裕隆 坤泰 铭泰 同创 辰宇 "
    "诚泰 峻峰 金桥 佳诺 宏晟 华瑞 恒信 瑞海 永泰 兴业 精诚 博润 明辉 盛元 佳和 和顺 宝丰 富瑞 瀚宇 "
    "鼎力 海盈 志远 鸿运 天源 康达 隆昌 安泰 星辰 锦程 景瑞 汇鑫 通达 广源 泽润 一诺 拓新 信达 科瑞 东晟 "
    "新港 胶瑞 鲁瑞 迈德 优品 晟泰 宏业 金海 顺和 浩瀚 硕达 凯盛 合力 骏马 沃德 恒瑞 森茂 沃丰 雅居"
).split()
INDUSTRY_WORDS = {
    "A": ["农业科技", "农业发展", "生态农业", "种业", "养殖", "果蔬"],
    "B": ["矿业", "石材"],
    "C": [
        "机械",
        "精密机械",
        "机械制造",
        "电子",
        "食品",
        "服饰",
        "纺织",
        "塑料制品",
        "金属制品",
        "橡胶制品",
        "家具",
        "包装",
        "发制品",
        "工艺品",
        "电器",
        "新材料",
        "化工",
        "汽车配件",
        "机电设备",
        "钢结构",
        "模具",
        "铸造",
        "智能装备",
        "制衣",
        "印刷",
        "环保设备",
        "医疗器械",
        "木业",
    ],
    "D": ["热电", "新能源", "燃气", "供水", "光伏电力"],
    "E": ["建筑工程", "建设工程", "装饰工程", "市政工程", "安装工程"],
    "F": ["商贸", "贸易", "国际贸易", "供应链", "农产品", "建材", "医药", "五金", "进出口", "汽车销售"],
    "G": ["物流", "国际物流", "运输", "冷链物流", "仓储", "货运代理", "快递"],
    "H": ["餐饮管理", "酒店管理", "餐饮"],
    "I": ["信息技术", "软件", "网络科技", "数据科技", "智能科技", "电子商务", "物联网科技"],
    "J": ["融资担保", "小额贷款"],
    "K": ["置业", "房地产开发", "物业管理"],
    "L": ["企业管理咨询", "人力资源", "商务服务", "广告", "会展服务", "设备租赁", "知识产权代理"],
    "M": ["检测技术", "工程设计", "技术服务", "环境科技", "生物科技", "工业设计", "科技"],
    "N": ["环保科技", "园林绿化", "环境工程"],
    "O": ["家政服务", "汽车维修", "洗涤服务"],
    "P": ["教育科技", "职业培训"],
    "Q": ["健康管理", "医疗科技"],
    "R": ["文化传媒", "文化传播", "体育发展"],
}
SURNAMES = "王王王张张张李李李刘刘孙孙杨赵姜徐于高宋冷法匡陈周吴郭马林董袁韩薛梁"
GIVEN_CHARS = "伟强磊军勇杰涛明超刚华平建国志峰海波鹏飞静丽娜敏燕红霞婷芳晓宁秀英玉兰春梅文斌"
ROADS = (
    "兰州东路",
    "兰州西路",
    "广州北路",
    "扬州路",
    "常州路",
    "杭州路",
    "福州路",
    "郑州路",
    "香港路",
    "胶州东路",
    "北京东路",
    "上海路",
    "太湖路",
    "淮河路",
    "长江路",
    "黄河路",
    "泰山路",
    "工业一路",
    "工业二路",
    "创新大道",
    "科技路",
    "产业园路",
)
REJECTION_REASONS = (
    "营业执照照片不清晰，请重新上传后再提交。",
    "企业名称与营业执照不一致，请核对后修改。",
    "统一社会信用代码与营业执照不符，请核实。",
    "联系人电话无法接通，请更新联系方式。",
    "经营地址不在本辖区，请向所在镇街分平台申请。",
)

_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # as in stdnum.cn.uscc (no I, O, Z, S, V)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714


def _org_check_character(body: str) -> str:
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def _schema_prefix(schema: str) -> str:
    """Three characters of the organisation code fixed by the schema, so codes differ across tenants."""
    n = zlib.crc32(schema.encode()) % len(_ORG_ALPHABET) ** 3
    return "".join(_ORG_ALPHABET[(n // len(_ORG_ALPHABET) ** i) % len(_ORG_ALPHABET)] for i in range(3))


def demo_credit_codes(*, count: int, schema: str, rng: random.Random) -> list[str]:
    """`count` distinct valid codes 91 370281 MA xxx yyy c k: xxx from the schema, yyy from the rng."""
    space = len(_ORG_ALPHABET) ** 3
    if count > space:
        raise ValueError(f"at most {space} demo credit codes per tenant")
    prefix = "MA" + _schema_prefix(schema)
    codes = []
    for n in rng.sample(range(space), count):
        tail = "".join(_ORG_ALPHABET[(n // len(_ORG_ALPHABET) ** i) % len(_ORG_ALPHABET)] for i in range(3))
        org = prefix + tail
        codes.append(credit_code_make(f"91{REGION_CODE}{org}{_org_check_character(org)}"))
    return codes


def _weighted_choice(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _weighted_sample(rng: random.Random, weights: list[float], k: int) -> set[int]:
    """k indices drawn without replacement with probability proportional to weight (0 = never)."""
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights) if w > 0]
    keyed.sort(reverse=True)
    return {i for _key, i in keyed[:k]}


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _person(rng: random.Random) -> str:
    given = rng.choice(GIVEN_CHARS) + (rng.choice(GIVEN_CHARS) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _money(value: float) -> Decimal:
    return Decimal(round(value)).quantize(Decimal("0.01"))


@dataclass
class _Draft:
    above: bool
    industry: str = ""
    size_class: str = ""
    employees: int = 0
    revenue: dict[int, float] = field(default_factory=dict)
    status: str = Enterprise.Status.VERIFIED
    tags: set[str] = field(default_factory=set)


def _size_and_scale(rng: random.Random, draft: _Draft) -> float:
    """Pick size class and employees; return the latest year's revenue, consistent with both."""
    if draft.above:
        roll = rng.random()
        if roll < 0.04:
            draft.size_class, draft.employees = SizeClass.LARGE, rng.randint(1000, 4000)
            return _log_uniform(rng, 400e6, 2.5e9)
        if roll < 0.34:
            draft.size_class, draft.employees = SizeClass.MEDIUM, rng.randint(300, 999)
            return _log_uniform(rng, 40e6, 400e6)
        draft.size_class, draft.employees = SizeClass.SMALL, rng.randint(40, 299)
        return _log_uniform(rng, 21e6, 120e6)
    if rng.random() < 0.4:
        draft.size_class, draft.employees = SizeClass.SMALL, int(_log_uniform(rng, 20, 200))
        return _log_uniform(rng, 3e6, 19e6)
    draft.size_class, draft.employees = SizeClass.MICRO, rng.randint(2, 19)
    return _log_uniform(rng, 0.15e6, 2.9e6)


def _revenue_path(rng: random.Random, latest: float, *, above: bool, fast: bool) -> dict[int, float]:
    """Three years ending at `latest`; above-size ones stay at or over the threshold, others under."""
    revenue = {FIGURE_YEARS[-1]: latest}
    for year in reversed(FIGURE_YEARS[:-1]):
        growth = rng.uniform(0.2, 0.45) if fast else max(-0.25, min(0.35, rng.gauss(0.06, 0.1)))
        revenue[year] = revenue[year + 1] / (1 + growth)
    for year, value in revenue.items():
        if above and value < ABOVE_SIZE_REVENUE:
            revenue[year] = ABOVE_SIZE_REVENUE + rng.uniform(0.1e6, 2e6)
        elif not above and value >= ABOVE_SIZE_REVENUE:
            revenue[year] = ABOVE_SIZE_REVENUE - rng.uniform(0.5e6, 4e6)
    return revenue


def _rd_share(rng: random.Random, draft: _Draft, revenue: float) -> float:
    if TAG_HNTE in draft.tags:
        # The high-tech enterprise rules: R&D at least 5% / 4% / 3% of revenue by revenue band.
        floor = 0.05 if revenue < 50e6 else 0.04 if revenue < 200e6 else 0.03
        return floor + rng.uniform(0.002, 0.03)
    if draft.tags & TECH_TAGS:
        return rng.uniform(0.03, 0.07)
    if draft.industry in ("C", "I", "M", "D"):
        return rng.uniform(0.0, 0.025)
    return 0.0 if rng.random() < 0.7 else rng.uniform(0.0, 0.008)


def _assign_tags(rng: random.Random, drafts: list[_Draft], count: int) -> None:
    """Built-in tags on realistic shares, only on verified enterprises, where they are plausible."""
    verified = [d.status == Enterprise.Status.VERIFIED for d in drafts]
    tech_affinity = {"C": 1.5, "I": 4.0, "M": 4.0, "D": 1.0}

    def pick(tag: str, weight) -> None:
        weights = [weight(d) if ok else 0.0 for d, ok in zip(drafts, verified, strict=True)]
        for i in _weighted_sample(rng, weights, round(count * TAG_SHARES.get(tag, 0))):
            drafts[i].tags.add(tag)

    def scale(d: _Draft) -> float:
        return {SizeClass.LARGE: 3.0, SizeClass.MEDIUM: 3.0, SizeClass.SMALL: 1.0}.get(d.size_class, 0.3)

    def sme(d: _Draft) -> bool:
        return d.size_class != SizeClass.LARGE and d.employees <= 500 and d.revenue[FIGURE_YEARS[-1]] <= 200e6

    pick(TAG_HNTE, lambda d: tech_affinity.get(d.industry, 0.2) * scale(d))
    # 专精特新 and 科技型中小企业 are for SMEs only; most of them also hold the high-tech title.
    pick(
        TAG_ZJTX,
        lambda d: sme(d)
        * {"C": 4.0, "I": 2.0, "M": 1.5}.get(d.industry, 0.1)
        * scale(d)
        * (4 if TAG_HNTE in d.tags else 1),
    )
    pick(
        TAG_TECH_SME, lambda d: sme(d) * tech_affinity.get(d.industry, 0.3) * (4 if TAG_HNTE in d.tags else 1)
    )
    pick(TAG_GAZELLE, lambda d: tech_affinity.get(d.industry, 0.2) * (2 if d.tags & TECH_TAGS else 1))
    pick(TAG_FOREIGN, lambda d: {"C": 2.0, "F": 1.5}.get(d.industry, 0.5) * scale(d))
    zjtx = [i for i, d in enumerate(drafts) if TAG_ZJTX in d.tags]
    for i in _weighted_sample(rng, [3.0 if drafts[i].above else 1.0 for i in zjtx], round(len(zjtx) * 0.1)):
        drafts[zjtx[i]].tags.add(TAG_LITTLE_GIANT)
    big = [
        1.0 if ok and d.above and d.size_class != SizeClass.SMALL else 0.0
        for d, ok in zip(drafts, verified, strict=True)
    ]
    for i in _weighted_sample(rng, big, round(count * 0.002)):
        drafts[i].tags.add(TAG_LISTED)


def _name(rng: random.Random, draft: _Draft, taken: set[str]) -> str:
    listed = TAG_LISTED in draft.tags
    suffix = (
        "股份有限公司"
        if listed or (draft.size_class == SizeClass.LARGE and rng.random() < 0.5)
        else "有限公司"
    )
    words = INDUSTRY_WORDS.get(draft.industry, ["科技"])
    for attempt in range(200):
        city = "青岛" if rng.random() < 0.75 else "胶州市"
        word = rng.choice(NAME_WORDS)
        if attempt >= 50:  # the common combinations are used up: a third character
            word += rng.choice("达源盛泰隆祥丰瑞")
        name = f"{city}{word}{rng.choice(words)}{suffix}"
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("ran out of demo enterprise names")


def _place() -> str:
    """The town or park of the current schema, for addresses (from the tenant's name)."""
    from public_schema.tenants.models import Tenant

    tenant = Tenant.objects.filter(schema_name=connection.schema_name).only("name").first()
    name = (tenant.name if tenant else "").removesuffix("企业服务分平台")
    return name if name and all("\u4e00" <= ch <= "\u9fff" for ch in name) else ""


def enterprises_seed_demo(*, count: int, above_size: int, rng: random.Random) -> int:
    """Create `count` illustrative enterprises (`above_size` of them 规上) in the current schema.

    Each gets a profile, built-in tags on a realistic share, a verification status and
    figures for 2023–2025. Does nothing and returns 0 when the tenant already has
    enterprises; otherwise returns how many it created. All or nothing (one transaction).
    """
    if not 0 <= above_size <= count:
        raise ValueError("above_size must be between 0 and count")
    schema = connection.schema_name
    User = get_user_model()
    with transaction.atomic():
        with (
            connection.cursor() as cursor
        ):  # two seeds of one tenant at once: the second waits, then sees rows
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"enterprises_seed_demo:{schema}"])
        if count == 0 or Enterprise.objects.exists():
            return 0
        codes = demo_credit_codes(count=count, schema=schema, rng=rng)
        flags = [True] * above_size + [False] * (count - above_size)
        rng.shuffle(flags)

        drafts = []
        for above in flags:
            draft = _Draft(above=above)
            draft.industry = _weighted_choice(rng, ABOVE_INDUSTRY_WEIGHTS if above else SME_INDUSTRY_WEIGHTS)
            latest = _size_and_scale(rng, draft)
            draft.revenue = {FIGURE_YEARS[-1]: latest}
            roll = rng.random()
            if above:
                draft.status = Enterprise.Status.VERIFIED if roll < 0.98 else Enterprise.Status.PENDING
            elif roll < 0.85:
                draft.status = Enterprise.Status.VERIFIED
            elif roll < 0.96:
                draft.status = Enterprise.Status.PENDING
            else:
                draft.status = Enterprise.Status.REJECTED
            drafts.append(draft)
        _assign_tags(rng, drafts, count)

        place = _place()
        now = timezone.now()
        admin = User.objects.filter(groups__name=roles.PARK_ADMIN).order_by("pk").first()
        names: set[str] = set()
        enterprises, registered = [], []
        for i, (draft, code) in enumerate(zip(drafts, codes, strict=True), start=1):
            draft.revenue = _revenue_path(
                rng, draft.revenue[FIGURE_YEARS[-1]], above=draft.above, fast=TAG_GAZELLE in draft.tags
            )
            legal = _person(rng)
            if draft.status == Enterprise.Status.VERIFIED:
                verified_at = now - timedelta(days=rng.randint(1, 900), minutes=rng.randint(0, 600))
                created_at = verified_at - timedelta(days=rng.randint(0, 5), minutes=rng.randint(5, 600))
            else:
                verified_at = None
                created_at = now - timedelta(days=rng.randint(0, 20), minutes=rng.randint(5, 600))
            registered.append(created_at)
            enterprises.append(
                Enterprise(
                    credit_code=code,
                    name=_name(rng, draft, names),
                    legal_representative=legal,
                    industry=draft.industry,
                    size_class=draft.size_class,
                    above_designated_size=draft.above,
                    employees=draft.employees,
                    address=f"山东省青岛市胶州市{place}{rng.choice(ROADS)}{rng.randint(1, 399)}号",
                    contact_name=legal if rng.random() < 0.3 else _person(rng),
                    contact_phone=f"1{rng.choice('35789')}{rng.randint(0, 9)}0000{rng.randint(0, 9999):04d}",
                    contact_email=f"qy{i:04d}@{schema}.demo",
                    status=draft.status,
                    rejection_reason=rng.choice(REJECTION_REASONS)
                    if draft.status == Enterprise.Status.REJECTED
                    else "",
                    verified_at=verified_at,
                    verified_by=admin if verified_at else None,
                )
            )
        Enterprise.objects.bulk_create(enterprises, batch_size=BATCH_SIZE)
        # created_at is auto_now_add, so bulk_create stamped "now"; spread registrations over time
        # (one UPDATE from arrays: bulk_update's CASE per row takes seconds for the network).
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{Enterprise._meta.db_table}" AS e SET created_at = v.created_at '
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, created_at) WHERE e.id = v.id",
                [[e.pk for e in enterprises], registered],
            )
        for enterprise, created_at in zip(enterprises, registered, strict=True):
            enterprise.created_at = created_at

        figures, tag_rows = [], []
        tag_ids = dict(Tag.objects.filter(is_builtin=True).values_list("name", "pk"))
        Through = Enterprise.tags.through
        for enterprise, draft in zip(enterprises, drafts, strict=True):
            for year in FIGURE_YEARS:
                revenue = draft.revenue[year]
                figures.append(
                    YearlyFigures(
                        enterprise=enterprise,
                        year=year,
                        revenue=_money(revenue),
                        output_value=_money(revenue * rng.uniform(1.0, 1.12))
                        if draft.industry in INDUSTRIAL or draft.industry == "E"
                        else None,
                        tax_paid=_money(revenue * rng.uniform(0.01, 0.06)),
                        rd_spend=_money(revenue * _rd_share(rng, draft, revenue)),
                    )
                )
            tag_rows += [
                Through(enterprise_id=enterprise.pk, tag_id=tag_ids[t])
                for t in sorted(draft.tags)
                if t in tag_ids
            ]
        YearlyFigures.objects.bulk_create(figures, batch_size=BATCH_SIZE)
        Through.objects.bulk_create(tag_rows, batch_size=BATCH_SIZE)
    return len(enterprises)


@functools.lru_cache(maxsize=4)
def _password_hash(password: str) -> str:
    # One hash for all demo accounts of a run: PBKDF2 costs ~0.5 s, and there are 45 of them.
    return make_password(password)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    what: str


def demo_accounts_ensure(*, password: str) -> list[DemoLogin]:
    """Demo logins of the current schema: two enterprise owners and a reviewer. Safe to run again.

    qiye1@<schema>.demo owns a verified enterprise (a high-tech one when there is one),
    qiye2@<schema>.demo a pending one; reviewer@<schema>.demo has the reviewer role.
    An account that already exists is left as it is.
    """
    schema = connection.schema_name
    User = get_user_model()
    logins = []
    unowned = Enterprise.objects.filter(memberships__isnull=True).order_by("pk")
    wanted = [
        (f"qiye1@{schema}.demo", Enterprise.Status.VERIFIED, "verified enterprise owner"),
        (f"qiye2@{schema}.demo", Enterprise.Status.PENDING, "pending enterprise owner"),
    ]
    for email, status, what in wanted:
        user = User.objects.filter(email=email).first()
        if user is None:
            candidates = unowned.filter(status=status)
            enterprise = (
                candidates.filter(tags__name=TAG_HNTE, industry=Industry.C).first() or candidates.first()
            )
            if enterprise is None:
                continue
            with transaction.atomic():
                user = user_create(email=email, full_name=enterprise.contact_name, role=roles.ENTERPRISE_USER)
                user.password = _password_hash(password)
                user.save(update_fields=["password"])
                Membership.objects.create(user=user, enterprise=enterprise, role=Membership.Role.OWNER)
                Enterprise.objects.filter(pk=enterprise.pk).update(contact_email=email)
        membership = getattr(user, "membership", None)
        if membership is not None:
            logins.append(DemoLogin(email, f"{what}: {membership.enterprise.name}"))
    email = f"reviewer@{schema}.demo"
    if not User.objects.filter(email=email).exists():
        with transaction.atomic():
            user = user_create(email=email, full_name="审核员", role=roles.REVIEWER)
            user.password = _password_hash(password)
            user.save(update_fields=["password"])
    logins.append(DemoLogin(email, "reviewer"))
    return logins


def network_allocation(
    weights: dict[str, tuple[float, float]], *, total: int, above_size: int
) -> dict[str, tuple[int, int]]:
    """Split `total` enterprises and `above_size` 规上 ones over tenants, exactly.

    `weights` maps a slug to (share of enterprises, rate of above-size among them); both
    are relative. Largest-remainder rounding, so the parts add up to the totals.
    """
    if not 0 <= above_size <= total:
        raise ValueError("above_size must be between 0 and total")
    counts = _largest_remainder({slug: w for slug, (w, _rate) in weights.items()}, total)
    above = _largest_remainder(
        {slug: counts[slug] * rate for slug, (_w, rate) in weights.items()}, above_size
    )
    # A tenant cannot have more 规上 enterprises than enterprises: move any excess elsewhere.
    excess = sum(max(0, above[s] - counts[s]) for s in weights)
    above = {s: min(above[s], counts[s]) for s in weights}
    for slug in sorted(weights, key=lambda s: counts[s] - above[s], reverse=True):
        room = min(excess, counts[slug] - above[slug])
        above[slug] += room
        excess -= room
    return {slug: (counts[slug], above[slug]) for slug in weights}


def _largest_remainder(weights: dict[str, float], total: int) -> dict[str, int]:
    whole = sum(weights.values())
    if not whole:
        return {slug: 0 for slug in weights}
    exact = {slug: total * w / whole for slug, w in weights.items()}
    parts = {slug: math.floor(x) for slug, x in exact.items()}
    short = total - sum(parts.values())
    for slug in sorted(exact, key=lambda s: exact[s] - parts[s], reverse=True)[:short]:
        parts[slug] += 1
    return parts
