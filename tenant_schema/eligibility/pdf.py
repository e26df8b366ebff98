"""The match report as a PDF (reportlab; its built-in CID font STSong-Light covers Chinese, no font file needed)."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

FONT = "STSong-Light"


def match_report_pdf(*, enterprise, report, outcome_labels: dict, condition_labels: dict) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=13)
    heading = ParagraphStyle("heading", parent=body, fontSize=13, leading=19, spaceBefore=8)
    title = ParagraphStyle("title", parent=body, fontSize=17, leading=24)

    def p(text, style=body):
        return Paragraph(escape(str(text)), style)

    story = [
        p(_("Policy match report"), title),
        p(f"{enterprise.name} · {enterprise.credit_code}"),
        p(_("Made on %(date)s") % {"date": timezone.localdate().isoformat()}, small),
        Spacer(1, 6 * mm),
    ]
    if not report:
        story.append(p(_("No programme is open at the moment.")))
    for match in report:
        programme = match.programme
        story.append(p(f"{programme.title} — {outcome_labels[match.evaluation.outcome]}", heading))
        award = (
            _("Possible award: up to %(cap)s yuan") % {"cap": programme.per_enterprise_cap}
            if programme.per_enterprise_cap
            else _("Possible award: as decided by the park")
        )
        story.append(p(f"{award} · {_('Closes')} {timezone.localtime(programme.closes_at):%Y-%m-%d}", small))
        if match.evaluation.conditions:
            rows = [[p(_("Condition"), small), p(_("Your figure"), small), p(_("Result"), small)]]
            rows += [
                [p(c.text, small), p(c.actual_text, small), p(condition_labels[c.outcome], small)]
                for c in match.evaluation.conditions
            ]
            table = Table(rows, colWidths=[95 * mm, 45 * mm, 30 * mm], repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#edf2f7")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(table)
        else:
            story.append(p(_("Open to every enterprise."), small))
    buffer = BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, title=_("Policy match report"), leftMargin=18 * mm, rightMargin=18 * mm
    ).build(story)
    return buffer.getvalue()
