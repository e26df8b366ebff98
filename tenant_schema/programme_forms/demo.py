"""Demo data: every demo programme's guide (申兑指南), and a full application form on one programme."""

from decimal import Decimal

from . import schema as sch


def demo_guide(title: str = "", *, cap: Decimal | None = None) -> dict:
    """A plausible 申兑指南 for a demo or test programme."""
    amounts = f"单个企业最高{cap:,.0f}元, 按审核结果核定。" if cap else "按审核结果核定, 以公示金额为准。"
    return {
        "eligible_applicants": "在本园区注册、依法纳税、信用良好的企业" + (f" ({title})" if title else ""),
        "conditions": "近三年无重大安全、环保事故, 未列入失信名单; 申报材料真实完整。",
        "amounts": amounts,
        "payment_time_limit": "公示结束后20个工作日内拨付",
        "contact_office": "园区企业服务中心 (行政服务大厅2楼)",
        "contact_phone": "0532-87200000",
    }


DEMO_SECTIONS = [
    (
        "企业基本情况",
        [
            {"label": "企业名称", "type": sch.TEXT, "required": True, "prefill": "name"},
            {
                "label": "统一社会信用代码",
                "type": sch.TEXT,
                "required": True,
                "prefill": "credit_code",
                "pattern": r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}",
                "pattern_message": "统一社会信用代码为18位。",
            },
            {"label": "从业人数", "type": sch.NUMBER, "required": True, "min": "1", "prefill": "employees"},
            {"label": "上年度营业收入(元)", "type": sch.MONEY, "required": True, "prefill": "revenue"},
            {
                "label": "联系人手机",
                "type": sch.TEXT,
                "required": True,
                "pattern": r"1[3-9]\d{9}",
                "pattern_message": "请填写11位手机号码。",
            },
        ],
    ),
    (
        "项目情况",
        [
            {"label": "项目名称", "type": sch.TEXT, "required": True, "max_length": 100},
            {
                "label": "项目类别",
                "type": sch.CHOICE,
                "required": True,
                "choices": ["技术改造", "研发创新", "数字化转型"],
            },
            {
                "label": "计划完成日期",
                "type": sch.DATE,
                "required": True,
                "min": "2026-01-01",
                "max": "2028-12-31",
            },
            {"label": "是否获得过其他财政资金支持", "type": sch.YESNO, "required": True},
            {
                "label": "已获支持的项目及金额",
                "type": sch.TEXTAREA,
                "required": True,
                "show_if": {"field": "f9", "equals": "yes"},
            },
            {
                "label": "项目预算",
                "type": sch.TABLE,
                "required": True,
                "columns": [
                    {"key": "c1", "label": "支出科目", "type": sch.TEXT},
                    {"key": "c2", "label": "金额(元)", "type": sch.MONEY},
                ],
                "help": "设备购置、软件、研发人员等每项一行。",
            },
        ],
    ),
]


def demo_form_publish(programme) -> None:
    """Build and publish a two-section form (every field type) on `programme`, as an administrator would."""
    from .services import form_field_save, form_publish, form_section_save

    for title, fields in DEMO_SECTIONS:
        draft = form_section_save(programme=programme, actor=None, title=title)
        section = draft.schema["sections"][-1]["key"]
        for field in fields:
            form_field_save(programme=programme, actor=None, section=section, field=dict(field))
    documents = [d for d in programme.required_documents or [] if d]
    if documents:
        draft = form_section_save(programme=programme, actor=None, title="证明材料")
        section = draft.schema["sections"][-1]["key"]
        for document in documents:
            form_field_save(
                programme=programme,
                actor=None,
                section=section,
                field={"label": document, "type": sch.FILE, "document": document, "required": True},
            )
    form_publish(programme=programme, actor=None)


def demo_form_minimal(programme) -> None:
    """A one-question optional form (the route matrix's programmes: every form page has something to show)."""
    from .services import form_field_save, form_publish, form_section_save

    draft = form_section_save(programme=programme, actor=None, title="项目简介")
    form_field_save(
        programme=programme,
        actor=None,
        section=draft.schema["sections"][-1]["key"],
        field={"label": "项目名称", "type": sch.TEXT},
    )
    form_publish(programme=programme, actor=None)


DEMO_FORM_PROGRAMME = "2026年度技术改造项目补助"


def _answers(enterprise, *, supported: bool) -> dict:
    """A full set of answers to DEMO_SECTIONS (keys f1..f11 as the builder numbers them)."""
    answers = {
        "f1": enterprise.name,
        "f2": enterprise.credit_code,
        "f3": str(enterprise.employees or 48),
        "f4": "12600000.00",
        "f5": "13800000000",
        "f6": "智能化生产线技术改造",
        "f7": "技术改造",
        "f8": "2026-12-31",
        "f9": supported,
        "f11": [
            {"c1": "设备购置", "c2": "820000.00"},
            {"c1": "工业软件", "c2": "160000.00"},
            {"c1": "安装调试", "c2": "45000.00"},
        ],
    }
    if supported:
        answers["f10"] = "2024年度市级技术改造专项, 30万元"
    return answers


def programme_forms_seed_demo() -> int:
    """A programme with its own application form (every field type), filled in by three enterprises:
    one in review, one returned with the fields to correct ticked (the demo login qiye1 when it
    exists), one draft half done; then a second version published, which they keep out of.

    Runs after applications_seed_demo in the current schema; does nothing when the programme exists
    or nobody is there to act. Returns how many applications it made.
    """
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from every_schema.accounts import roles
    from tenant_schema.applications.services import application_create, application_transition
    from tenant_schema.enterprises.models import Enterprise, Membership
    from tenant_schema.funding.models import Programme
    from tenant_schema.funding.services import programme_create, programme_open

    from .services import filed_form_mark_to_fix, filed_form_save, filed_form_start, form_field_save

    if Programme.objects.filter(title=DEMO_FORM_PROGRAMME).exists():
        return 0
    User = get_user_model()
    reviewer = User.objects.filter(groups__name=roles.REVIEWER, is_active=True).order_by("pk").first()
    schema = connection.schema_name
    owned = (
        Membership.objects.filter(enterprise__status=Enterprise.Status.VERIFIED, role=Membership.Role.OWNER)
        .select_related("enterprise", "user")
        .order_by("pk")
    )
    qiye1 = owned.filter(user__email=f"qiye1@{schema}.demo").first()
    members = ([qiye1] if qiye1 else []) + [m for m in owned[:10] if qiye1 is None or m.pk != qiye1.pk]
    if reviewer is None or len(members) < 3:
        return 0
    now = timezone.now()
    with transaction.atomic():
        programme = programme_open(
            programme=programme_create(
                actor=None,
                guide={
                    **demo_guide(cap=Decimal("1000000")),
                    "eligible_applicants": "在本园区注册、纳税的规模以上工业企业",
                    "conditions": "项目已备案, 2026年内开工; 设备投资不低于50万元; 近三年无重大安全、环保事故。",
                    "amounts": "按设备投资额的10%给予补助, 单个项目最高100万元。",
                },
                title=DEMO_FORM_PROGRAMME,
                category=Programme.Category.SUBSIDY,
                description="支持企业实施智能化、数字化、绿色化技术改造。申报表按项目填写, 含项目预算。",
                policy_document="胶工信发〔2026〕6号",
                budget=Decimal("4000000.00"),
                per_enterprise_cap=Decimal("1000000.00"),
                opens_at=now - dt.timedelta(days=20),
                closes_at=now + dt.timedelta(days=40),
                required_documents=[],
            )
        )
        demo_form_publish(programme)
        for index, member in enumerate(members[:3]):
            application = application_create(
                programme_id=programme.pk,
                enterprise=member.enterprise,
                applicant=member.user,
                requested_amount="102500.00",
            )
            filed_form_start(application=application)
            if index == 2:  # a draft half done: saved without the project part
                answers = {k: v for k, v in _answers(member.enterprise, supported=False).items() if k <= "f5"}
                filed_form_save(application=application, actor=member.user, answers=answers)
                continue
            filed_form_save(
                application=application,
                actor=member.user,
                answers=_answers(member.enterprise, supported=index == 1),
            )
            application_transition(application_id=application.pk, action="submit", actor=member.user)
            if index == 0:  # returned: the staff count and the budget to correct
                application_transition(
                    application_id=application.pk,
                    action="return",
                    actor=reviewer,
                    comment="申报表中的从业人数与社保缴纳人数不一致, 项目预算缺少明细, 请核对后修改。",
                )
                filed_form_mark_to_fix(application=application, fields=["f3", "f11"], documents=[])
        # Version 2 asks one more question; the three above keep version 1.
        form_field_save(
            programme=programme,
            actor=None,
            section="s2",
            field={"label": "预计新增产值(元)", "type": sch.MONEY, "help": "项目达产后一年。"},
        )
        from .services import form_publish

        form_publish(programme=programme, actor=None)
    return 3
