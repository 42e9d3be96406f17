"""What is wrong with an uploaded workbook, cell by cell, in the manner of Frictionless reports:
each problem has a type, a severity, where it is (sheet and cell), what it is about (indicator,
breakdown), what was found and what was expected, and a sentence a person understands.

`annotate_workbook` gives the sender their own workbook back with every problem cell filled
(red for an error, amber for a warning) and commented, and a "Problems" sheet listing them all
with links to the cells.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink

from indicators.cells import neutralise
from indicators.i18n import _

PROBLEMS_SHEET = "Problems"
ERROR_FILL = PatternFill("solid", start_color="FFF4B6B6", end_color="FFF4B6B6")
WARNING_FILL = PatternFill("solid", start_color="FFFFD98A", end_color="FFFFD98A")
CELL_PATTERN = re.compile(r"^([A-Z]{1,3})(\d+)$")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (an error blocks the import, a warning does not)."""

    type: str
    severity: Severity
    message: str
    sheet: str = ""
    cell: str = ""
    indicator: str = ""
    breakdown: str = ""
    found: str = ""
    expected: str = ""

    @property
    def reference(self) -> str:
        """Where the problem is, as Excel writes it: `Quantitative!H14` (or the sheet alone)."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet

    def to_dict(self) -> dict[str, str]:
        return {**asdict(self), "severity": str(self.severity), "reference": self.reference}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        fields = {name: value for name, value in data.items() if name in cls.__dataclass_fields__}
        return cls(**{**fields, "severity": Severity(fields["severity"])})

    def line(self) -> str:
        """The problem on one line, for a terminal."""
        parts = [f"{self.severity.upper():7}", self.reference or "-", self.type]
        if self.indicator:
            parts.append(self.indicator + (f" [{self.breakdown}]" if self.breakdown else ""))
        parts.append(self.message)
        if self.found or self.expected:
            parts.append(_("(found: %(found)s; expected: %(expected)s)",
                           found=self.found or "-", expected=self.expected or "-"))
        return "  ".join(parts)


def _position(problem: Problem) -> tuple:
    match = CELL_PATTERN.match(problem.cell)
    if not match:
        return (problem.sheet, 0, "", problem.cell)
    letters, row = match.groups()
    return (problem.sheet, int(row), letters.rjust(3), problem.cell)


@dataclass
class ProblemReport:
    """Every problem found in one workbook."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, type: str, severity: Severity, message: str, **where: str) -> Problem:
        """Record a problem and return it."""
        problem = Problem(type, Severity(severity), message, **where)
        self.problems.append(problem)
        return problem

    def error(self, type: str, message: str, **where: str) -> Problem:
        return self.add(type, Severity.ERROR, message, **where)

    def warning(self, type: str, message: str, **where: str) -> Problem:
        return self.add(type, Severity.WARNING, message, **where)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity is Severity.WARNING]

    @property
    def has_errors(self) -> bool:
        return any(problem.severity is Severity.ERROR for problem in self.problems)

    def sorted(self) -> list[Problem]:
        """The problems in reading order: by sheet, row, column."""
        return sorted(self.problems, key=_position)

    def counts(self) -> dict[str, int]:
        return {"errors": len(self.errors), "warnings": len(self.warnings)}

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {**self.counts(), "problems": [problem.to_dict() for problem in self.sorted()]}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ProblemReport:
        return cls([Problem.from_dict(item) for item in (data or {}).get("problems", [])])


WIDTHS = (10, 22, 20, 14, 22, 18, 28, 80)


def annotate_workbook(original: bytes, problems: Iterable[Problem]) -> bytes:
    """`original` with each problem cell filled and commented and a "Problems" sheet listing
    every problem (with a link to its cell), as the bytes of a new .xlsx file."""
    problems = sorted(problems, key=_position)
    workbook = load_workbook(io.BytesIO(original), keep_links=False)
    if PROBLEMS_SHEET in workbook.sheetnames:
        del workbook[PROBLEMS_SHEET]
    for (sheet, cell), found in _by_cell(problems).items():
        if sheet in workbook.sheetnames:
            _mark_cell(workbook[sheet][cell], found)
    _write_problem_sheet(workbook, problems)
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
    text = "\n".join(f"{_severity_label(problem.severity)}: {problem.message}"
                     for problem in problems)
    comment = Comment(text, "mne")
    comment.width, comment.height = 320, 40 + 40 * len(problems)
    cell.comment = comment


def _severity_label(severity: Severity) -> str:
    return _("Error") if severity is Severity.ERROR else _("Warning")


def _write_problem_sheet(workbook, problems: list[Problem]) -> None:
    sheet = workbook.create_sheet(PROBLEMS_SHEET, 0)
    sheet.append([_("Severity"), _("Type"), _("Cell"), _("Indicator"), _("Breakdown"),
                  _("Found"), _("Expected"), _("Message")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGH", WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    for problem in problems:
        sheet.append([neutralise(text) for text in (
            _severity_label(problem.severity), problem.type, problem.reference,
            problem.indicator, problem.breakdown, problem.found, problem.expected,
            problem.message)])
        row = sheet.max_row
        sheet.cell(row, 1).fill = ERROR_FILL if problem.severity is Severity.ERROR else WARNING_FILL
        if problem.sheet and problem.cell:
            link = sheet.cell(row, 3)
            link.hyperlink = Hyperlink(ref=link.coordinate,
                                       location=f"{quote_sheetname(problem.sheet)}!{problem.cell}")
            link.font = Font(color="FF0563C1", underline="single")
    sheet.freeze_panes = "A2"
    workbook.active = 0
    for other in workbook.worksheets[1:]:
        other.sheet_view.tabSelected = False
