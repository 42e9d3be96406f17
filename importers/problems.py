"""A problem report given back to the sender as their own workbook: `annotate_workbook` fills
every problem cell (red for an error, amber for a warning) with a comment, and adds a "Problems"
sheet listing them all with links to the cells. The problems themselves are the catalogue's
(`indicators.problems`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink

from indicators.cells import neutralise
from indicators.i18n import _
from indicators.problems import CELL_PATTERN, Problem, Severity, position

PROBLEMS_SHEET = "Problems"
ERROR_FILL = PatternFill("solid", start_color="FFF4B6B6", end_color="FFF4B6B6")
WARNING_FILL = PatternFill("solid", start_color="FFFFD98A", end_color="FFFFD98A")


WIDTHS = (10, 22, 20, 14, 22, 18, 28, 80)


def annotate_workbook(original: bytes, problems: Iterable[Problem],
                      omissions: Iterable[str] = ()) -> bytes:
    """`original` with each problem cell filled and commented and a "Problems" sheet listing
    every problem (with a link to its cell) and, below, how many more of a type were found, as
    the bytes of a new .xlsx file."""
    problems = sorted(problems, key=position)
    workbook = load_workbook(io.BytesIO(original), keep_links=False)
    if PROBLEMS_SHEET in workbook.sheetnames:
        del workbook[PROBLEMS_SHEET]
    for (sheet, cell), found in _by_cell(problems).items():
        if sheet in workbook.sheetnames:
            _mark_cell(workbook[sheet][cell], found)
    _write_problem_sheet(workbook, problems, omissions)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _by_cell(problems: list[Problem]) -> dict[tuple[str, str], list[Problem]]:
    grouped: dict[tuple[str, str], list[Problem]] = {}
    for problem in problems:
        if problem.sheet and CELL_PATTERN.match(problem.cell):
            grouped.setdefault((problem.sheet, problem.cell), []).append(problem)
    return grouped


def _mark_cell(cell, problems: list[Problem]) -> None:
    is_error = any(problem.severity is Severity.ERROR for problem in problems)
    cell.fill = ERROR_FILL if is_error else WARNING_FILL
    text = "\n".join(f"{problem.severity.label}: {problem.message}"
                     for problem in problems)
    comment = Comment(text, "mne")
    comment.width, comment.height = 320, 40 + 40 * len(problems)
    cell.comment = comment


def _write_problem_sheet(workbook, problems: list[Problem], omissions: Iterable[str]) -> None:
    sheet = workbook.create_sheet(PROBLEMS_SHEET, 0)
    sheet.append([_("Severity"), _("Type"), _("Cell"), _("Indicator"), _("Breakdown"),
                  _("Found"), _("Expected"), _("Message")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGH", WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    for problem in problems:
        sheet.append([neutralise(text) for text in (
            problem.severity.label, problem.title or problem.type, problem.reference,
            problem.indicator, problem.breakdown, problem.found, problem.expected,
            problem.message)])
        row = sheet.max_row
        sheet.cell(row, 1).fill = ERROR_FILL if problem.severity is Severity.ERROR else WARNING_FILL
        if problem.sheet and problem.cell:
            link = sheet.cell(row, 3)
            link.hyperlink = Hyperlink(ref=link.coordinate,
                                       location=f"{quote_sheetname(problem.sheet)}!{problem.cell}")
            link.font = Font(color="FF0563C1", underline="single")
    for line in omissions:
        sheet.append(["", "", "", "", "", "", "", line])
    sheet.freeze_panes = "A2"
    workbook.active = 0
    for other in workbook.worksheets[1:]:
        other.sheet_view.tabSelected = False
