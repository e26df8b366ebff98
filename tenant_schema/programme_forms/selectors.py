"""Reads: a programme's latest form, its guide, what a profile pre-fills, an application's answers as shown."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal

from . import schema as sch
from .models import FiledForm, FormDraft, FormVersion, ProgrammeGuide


def form_latest(programme) -> FormVersion | None:
    return FormVersion.objects.filter(programme=programme).order_by("-number").first()


def form_draft_schema(programme) -> dict:
    """The form being built: the draft, or the latest version when nobody has started changing it."""
    draft = FormDraft.objects.filter(programme=programme).first()
    if draft is not None:
        return draft.schema
    latest = form_latest(programme)
    return latest.schema if latest else {"sections": []}


def guide_of(programme) -> ProgrammeGuide | None:
    return ProgrammeGuide.objects.filter(programme=programme).first()


def prefill_values(enterprise) -> dict:
    """The profile attributes a form may pre-fill (schema.PREFILL_SOURCES), as answers are kept."""
    values: dict = {
        name: getattr(enterprise, name) or None
        for name in (
            "name",
            "credit_code",
            "legal_representative",
            "address",
            "contact_name",
            "contact_phone",
            "contact_email",
        )
    }
    values["employees"] = None if enterprise.employees is None else str(enterprise.employees)
    values["above_designated_size"] = bool(enterprise.above_designated_size)
    latest = enterprise.yearly_figures.order_by("-year").first()
    for name in ("revenue", "tax_paid", "rd_spend", "output_value"):
        amount = getattr(latest, name, None) if latest is not None else None
        values[name] = None if amount is None else str(Decimal(amount).quantize(Decimal("0.01")))
    return values


@dataclass
class ShownField:
    field: dict
    value: object
    display: str
    to_fix: bool = False
    errors: list = dc_field(default_factory=list)
    totals: dict = dc_field(default_factory=dict)


@dataclass
class ShownSection:
    section: dict
    fields: list[ShownField]


def filed_form_get(application) -> FiledForm | None:
    return FiledForm.objects.filter(application=application).select_related("version").first()


def filed_form_sections(filed: FiledForm, *, errors: dict | None = None) -> list[ShownSection]:
    """The filed answers under the version they were filed under, the hidden fields left out."""
    schema = filed.version.schema
    shown_keys: set[str] = set()
    sections = []
    for section in schema.get("sections", []):
        rows = []
        for field in section.get("fields", []):
            if not sch.visible(field, filed.answers, shown_keys):
                continue
            shown_keys.add(field["key"])
            value = filed.answers.get(field["key"])
            rows.append(
                ShownField(
                    field=field,
                    value=value,
                    display=sch.answer_display(field, value),
                    to_fix=field["key"] in filed.to_fix_fields
                    or (field["type"] == sch.FILE and field.get("document") in filed.to_fix_documents),
                    errors=(errors or {}).get(field["key"], []),
                    totals=sch.table_total(field, value) if field["type"] == sch.TABLE else {},
                )
            )
        sections.append(ShownSection(section=section, fields=rows))
    return sections


def application_form_context(application) -> dict:
    """What the application pages show of the programme's form: the answers as filed, and whether
    there is a form to fill in (published, not started yet)."""
    filed = filed_form_get(application)
    return {
        "filed_form": filed,
        "filed_sections": filed_form_sections(filed) if filed is not None else [],
        "form_available": filed is not None or form_latest(application.programme) is not None,
    }
