"""The reviewer's comments, carried into the next template the coordinator downloads."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from indicators.cells import neutralise
from indicators.i18n import _
from indicators.return_review import Decision, ReviewDecision

REVIEW_SHEET = "Review comments"


def add_review_sheet(workbook: Workbook, feedback: ReviewDecision | None) -> None:
    """Add a sheet with the comments that sent the return back (or the reason it was reopened)
    right after the first sheet of `workbook`; nothing when there is no feedback."""
    if feedback is None:
        return
    sheet = workbook.create_sheet(REVIEW_SHEET, 1)
    heading = (_("Sent back for correction by %(who)s on %(date)s", who=feedback.actor,
                 date=feedback.at.date().isoformat())
               if feedback.decision is Decision.RETURNED else
               _("Period reopened by %(who)s on %(date)s", who=feedback.actor,
                 date=feedback.at.date().isoformat()))
    sheet.append([neutralise(heading)])
    sheet["A1"].font = Font(bold=True, size=13)
    if feedback.note:
        sheet.append([neutralise(feedback.note)])
    sheet.append([])
    if feedback.comments:
        sheet.append([_("Indicator"), _("Breakdown"), _("Comment")])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for comment in feedback.comments:
            sheet.append([neutralise(comment.indicator.code),
                          neutralise(comment.disaggregation or _("total")),
                          neutralise(comment.body)])
    for column, width in (("A", 50), ("B", 24), ("C", 80)):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.protection.sheet = True
