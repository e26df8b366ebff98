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
