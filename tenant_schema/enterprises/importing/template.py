"""The downloadable .xlsx template parks fill in."""

import io

from django.utils.translation import gettext as _

from ..models import Industry
from .sheet import COLUMNS, IMPORT_MAX_ROWS, INDUSTRY_NAMES_ZH, TEMPLATE_EXAMPLE_CODE

TEMPLATE_EXAMPLE_ROW = (
    TEMPLATE_EXAMPLE_CODE,
    "青岛示例科技有限公司",
    "张三",
    "C",
    "小型",
    "否",
    56,
    "山东省青岛市胶州市示例路1号",
    "李四",
    "0532-80000000",
    "contact@example.cn",
    "专精特新、高新技术企业",
)


def import_template_workbook() -> bytes:
    """The .xlsx parks fill in: Chinese headers, one example row, drop-downs, and a notes sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "企业名录"
    sheet.append([column.header for column in COLUMNS])
    sheet.append(list(TEMPLATE_EXAMPLE_ROW))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F0F4F8")
    for column in ("A", "J"):  # codes and phone numbers stay text, or Excel rounds them
        for cell in sheet[column][1:]:
            cell.number_format = "@"
    widths = (24, 30, 12, 10, 10, 10, 10, 36, 12, 16, 24, 28)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"

    lists = (("D", ",".join(Industry.values)), ("E", "大型,中型,小型,微型"), ("F", "是,否"))
    for column, choices in lists:
        validation = DataValidation(
            type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=False
        )
        validation.add(f"{column}2:{column}{IMPORT_MAX_ROWS + 1}")
        sheet.add_data_validation(validation)

    notes = workbook.create_sheet("说明")
    notes.append([_("How to fill in this sheet")])
    notes["A1"].font = Font(bold=True)
    for line in (
        _(
            "One enterprise per row. 统一社会信用代码 and 企业名称 are required; the other columns may be left empty."
        ),
        _("Delete the example row before importing."),
        _(
            "An enterprise already on the platform (same credit code) is updated; empty cells keep its current values."
        ),
        _("企业规模: 大型, 中型, 小型 or 微型. 是否规上: 是 or 否. 从业人数: a whole number."),
        _("标签: several tags separated by 、 or , or ;"),
        _("行业门类: the section letter or its name:"),
    ):
        notes.append([line])
    for letter, name in INDUSTRY_NAMES_ZH.items():
        notes.append([letter, name])
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 40

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
