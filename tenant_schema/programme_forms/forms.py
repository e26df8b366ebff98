"""Forms of the guide and of the form builder. They parse what the administrator types (one option
per line, "label | type" per column, a format picked from a list) into a field; services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import schema as sch
from .models import ProgrammeGuide

FORMATS = {
    "": ("", _("Any text")),
    "mobile": (r"1[3-9]\d{9}", _("Mobile phone number")),
    "phone": (r"[0-9+()\- ]{5,20}", _("Phone number")),
    "email": (r"[^@\s]+@[^@\s]+\.[^@\s]+", _("Email address")),
    "credit_code": (r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}", _("Unified Social Credit Code")),
    "digits": (r"\d+", _("Digits only")),
    "custom": ("", _("Other (regular expression below)")),
}
COLUMN_TYPE_WORDS = {
    "text": sch.TEXT,
    "文本": sch.TEXT,
    "number": sch.NUMBER,
    "数字": sch.NUMBER,
    "数量": sch.NUMBER,
    "money": sch.MONEY,
    "金额": sch.MONEY,
    "amount": sch.MONEY,
    "date": sch.DATE,
    "日期": sch.DATE,
}


class GuideForm(forms.ModelForm):
    class Meta:
        model = ProgrammeGuide
        fields = [
            "eligible_applicants",
            "conditions",
            "amounts",
            "payment_time_limit",
            "contact_office",
            "contact_phone",
        ]
        widgets = {
            "eligible_applicants": forms.Textarea(attrs={"rows": 3}),
            "conditions": forms.Textarea(attrs={"rows": 4}),
            "amounts": forms.Textarea(attrs={"rows": 3}),
            "contact_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }
        help_texts = {
            "eligible_applicants": _("e.g. 在本园区注册、纳税的规模以上工业企业."),
            "amounts": _("e.g. 按研发投入的一定比例给予补助, 单个企业最高50万元."),
            "payment_time_limit": _("e.g. 公示结束后20个工作日内拨付."),
            "contact_office": _("e.g. 园区经济发展部, 行政服务中心2楼203室."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Section title"), max_length=200)
    help = forms.CharField(label=_("Explanation"), required=False, max_length=1000)


class FieldForm(forms.Form):
    """One field of the form, as an administrator describes it."""

    section = forms.ChoiceField(label=_("Section"))
    label = forms.CharField(label=_("Question"), max_length=200)
    type = forms.ChoiceField(label=_("Type of answer"), choices=sch.FIELD_TYPES)
    help = forms.CharField(label=_("Help text"), required=False, max_length=1000)
    required = forms.BooleanField(label=_("Required"), required=False)
    min = forms.CharField(
        label=_("Minimum"),
        required=False,
        max_length=20,
        help_text=_("A number or amount, or a first date (2026-01-01)."),
    )
    max = forms.CharField(
        label=_("Maximum"),
        required=False,
        max_length=20,
        help_text=_("A number or amount, or a last date."),
    )
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[(k, v[1]) for k, v in FORMATS.items()]
    )
    pattern = forms.CharField(label=_("Regular expression"), required=False, max_length=300)
    pattern_message = forms.CharField(
        label=_("Message when the format is wrong"), required=False, max_length=200
    )
    max_length = forms.IntegerField(
        label=_("At most characters"), required=False, min_value=1, max_value=sch.MAX_TEXT
    )
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line."),
    )
    columns = forms.CharField(
        label=_("Table columns"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name | type (文本, 数字, 金额, 日期), e.g. 支出科目 | 文本."),
    )
    max_rows = forms.IntegerField(
        label=_("At most rows"), required=False, min_value=1, max_value=sch.MAX_ROWS
    )
    document = forms.ChoiceField(label=_("Document"), required=False)
    show_if_field = forms.ChoiceField(label=_("Show only when"), required=False)
    show_if_equals = forms.CharField(
        label=_("has the answer"),
        required=False,
        max_length=200,
        help_text=_("For a yes/no question: 是 or 否."),
    )
    prefill = forms.ChoiceField(label=_("Pre-fill from the enterprise's profile"), required=False)

    def __init__(self, *args, schema: dict, documents: list[str], editing: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.schema = schema
        self.fields["section"].choices = [(s["key"], s["title"]) for s in schema.get("sections", [])]
        self.fields["document"].choices = [("", "—")] + [(d, d) for d in documents]
        self.fields["show_if_field"].choices = [("", _("always shown"))] + [
            (f["key"], f["label"])
            for f in sch.fields_of(schema)
            if f["key"] != editing and f["type"] not in (sch.TABLE, sch.FILE)
        ]
        self.fields["prefill"].choices = [("", "—")] + [
            (key, label) for key, (label, _types) in sch.PREFILL_SOURCES.items()
        ]

    @classmethod
    def initial_of(cls, field: dict, section: str) -> dict:
        pattern = field.get("pattern", "")
        fmt = next(
            (k for k, v in FORMATS.items() if k not in ("", "custom") and v[0] == pattern),
            "custom" if pattern else "",
        )
        equals = (field.get("show_if") or {}).get("equals", "")
        return {
            "section": section,
            **{
                name: field.get(name, "")
                for name in ("label", "type", "help", "min", "max", "pattern_message", "document", "prefill")
            },
            "required": field.get("required", False),
            "max_length": field.get("max_length"),
            "max_rows": field.get("max_rows"),
            "format": fmt,
            "pattern": pattern if fmt == "custom" else "",
            "choices": "\n".join(field.get("choices", [])),
            "columns": "\n".join(f"{c['label']} | {c['type']}" for c in field.get("columns", [])),
            "show_if_field": (field.get("show_if") or {}).get("field", ""),
            "show_if_equals": {"yes": "是", "no": "否"}.get(equals, equals),
        }

    def clean_choices(self) -> list[str]:
        options = []
        for line in (self.cleaned_data.get("choices") or "").splitlines():
            option = line.strip()[:200]
            if option and option not in options:
                options.append(option)
        return options

    def clean_columns(self) -> list[dict]:
        columns = []
        for line in (self.cleaned_data.get("columns") or "").splitlines():
            if not line.strip():
                continue
            label, _bar, kind = line.partition("|")
            kind = COLUMN_TYPE_WORDS.get(kind.strip().lower() or "text")
            if kind is None or not label.strip():
                raise forms.ValidationError(_("Write each column as: name | 文本, 数字, 金额 or 日期."))
            columns.append({"key": f"c{len(columns) + 1}", "label": label.strip()[:100], "type": kind})
        return columns

    def field(self) -> dict:
        data = self.cleaned_data
        kind = data["type"]
        pattern = FORMATS[data.get("format") or ""][0] or (data.get("pattern") or "").strip()
        field = {
            "label": data["label"].strip(),
            "type": kind,
            "help": data.get("help", "").strip(),
            "required": data.get("required", False),
        }
        if kind in (sch.NUMBER, sch.MONEY, sch.DATE):
            field.update(min=data.get("min", "").strip(), max=data.get("max", "").strip())
        if kind in (sch.TEXT, sch.TEXTAREA):
            field.update(
                pattern=pattern,
                pattern_message=data.get("pattern_message", "").strip(),
                max_length=data.get("max_length"),
            )
        if kind == sch.CHOICE:
            field["choices"] = data["choices"]
        if kind == sch.TABLE:
            field.update(columns=data["columns"], max_rows=data.get("max_rows"))
        if kind == sch.FILE:
            field["document"] = data.get("document", "")
        if data.get("prefill"):
            field["prefill"] = data["prefill"]
        if data.get("show_if_field"):
            other = sch.field_by_key(self.schema, data["show_if_field"]) or {}
            equals = data.get("show_if_equals", "").strip()
            if other.get("type") == sch.YESNO:
                equals = {"是": "yes", "否": "no", "yes": "yes", "no": "no"}.get(equals.lower(), equals)
            field["show_if"] = {"field": data["show_if_field"], "equals": equals}
        return field


def add_to_fix_fields(form, application) -> None:
    """The return form's ticks: which answers and documents the enterprise must correct."""
    from .selectors import filed_form_get

    filed = filed_form_get(application)
    fields = sch.fields_of(filed.version.schema) if filed else []
    choices = [(f["key"], f["label"]) for f in fields if f["type"] != sch.FILE]
    if choices:
        form.fields["to_fix_fields"] = forms.MultipleChoiceField(
            label=_("Answers to correct"),
            required=False,
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
        )
    documents = [d for d in application.programme.required_documents or [] if d]
    if documents and filed is not None:
        form.fields["to_fix_documents"] = forms.MultipleChoiceField(
            label=_("Documents to correct"),
            required=False,
            choices=[(d, d) for d in documents],
            widget=forms.CheckboxSelectMultiple,
        )
