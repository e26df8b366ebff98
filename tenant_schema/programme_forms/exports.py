"""The programme's answers as an Excel workbook (openpyxl, as the enterprise import template)."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from . import schema as sch
from .models import FiledForm, FormVersion


def _columns(programme) -> list[dict]:
    """Every answered field of every version, the latest version's order first; a key is one field for good."""
    columns: dict[str, dict] = {}
    for version in FormVersion.objects.filter(programme=programme).order_by("-number"):
        for field in sch.fields_of(version.schema):
            if field["type"] != sch.FILE:
                columns.setdefault(field["key"], field)
    return list(columns.values())


def answers_workbook(programme) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from tenant_schema.applications.models import Application

    fields = _columns(programme)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Answers")[:31]
    sheet.append(
        [
            _("Enterprise"),
            _("Unified Social Credit Code"),
            _("Status"),
            _("Amount requested (yuan)"),
            _("Submitted"),
            _("Form version"),
            *[field["label"] for field in fields],
        ]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    applications = (
        Application.objects.filter(programme=programme)
        .exclude(status=Application.Status.DRAFT)
        .select_related("enterprise")
        .order_by("submitted_at", "pk")
    )
    filed = {
        f.application_id: f
        for f in FiledForm.objects.filter(application__in=applications).select_related("version")
    }
    for application in applications:
        form = filed.get(application.pk)
        answers = form.answers if form else {}
        own = {field["key"]: field for field in sch.fields_of(form.version.schema)} if form else {}
        row = [
            application.enterprise.name,
            application.enterprise.credit_code,
            str(application.get_status_display()),
            application.requested_amount,
            timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M")
            if application.submitted_at
            else "",
            form.version.number if form else "",
        ]
        for field in fields:
            value = answers.get(field["key"])
            kind = own.get(field["key"], field)["type"]
            if value is not None and kind in (sch.MONEY, sch.NUMBER):
                from decimal import Decimal

                row.append(Decimal(value))
            else:
                row.append(sch.answer_display(own.get(field["key"], field), value))
        sheet.append(row)
    for column_cells in sheet.iter_cols(min_row=2):
        for cell in column_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet["B"][1:]:
        cell.number_format = "@"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
