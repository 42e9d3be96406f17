"""The return template: the workbook an entity fills in for one period.

Sheets: Instructions; Quantitative (one row per indicator and breakdown, grouped by principle and
objective); Qualitative (a level from the scale, the narrative, the evidence); and a hidden sheet
identifying strategy, entity, period, template version and the checksum of the indicator list,
with the dropdown lists. Sheets are protected without a password; only the cells to fill are
unlocked, and numeric cells carry data validation that warns (so `<5` or `N/A` can still be typed).
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from importers.return_form import (
    FLAG_WORDS,
    IDENTITY,
    INSTRUCTIONS,
    L_EVIDENCE,
    L_FLAG,
    L_LEVEL,
    L_NARRATIVE,
    Q_FLAG,
    Q_VALUE,
    QUALITATIVE,
    QUANTITATIVE,
    PastValue,
    ReturnForm,
    earlier_values,
    level_choices,
    previous_of,
    target_for,
)
from importers.review_sheet import add_review_sheet
from indicators.cells import neutralise
from indicators.i18n import _
from indicators.model import Indicator, Unit
from indicators.return_review import feedback_for_period

HEADER_FILL = PatternFill("solid", start_color="FF1F5F8B", end_color="FF1F5F8B")
SECTION_FILL = PatternFill("solid", start_color="FFE8EEF5", end_color="FFE8EEF5")
FILL_FILL = PatternFill("solid", start_color="FFFFFDE7", end_color="FFFFFDE7")
UNLOCKED = Protection(locked=False)
WRAP = Alignment(wrap_text=True, vertical="top")


def write_template(session: Session, form: ReturnForm) -> bytes:
    """The template for `form` as the bytes of an .xlsx file."""
    history = earlier_values(session, form)
    workbook = Workbook()
    _instructions(workbook.active, form)
    lists = _identity_sheet(workbook, form)
    _quantitative_sheet(workbook.create_sheet(QUANTITATIVE), form, history, lists)
    _qualitative_sheet(workbook.create_sheet(QUALITATIVE), form, history, lists)
    workbook.move_sheet(IDENTITY, offset=len(workbook.sheetnames))
    add_review_sheet(workbook, feedback_for_period(session, form.strategy.id, form.entity.id,
                                                   form.period.code))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _instructions(sheet: Worksheet, form: ReturnForm) -> None:
    sheet.title = INSTRUCTIONS
    lines = [
        _("Return of %(entity)s for %(period)s", entity=form.entity.name,
          period=form.period.code),
        _("Strategy: %(title)s (%(code)s)", title=form.strategy.title,
          code=form.strategy.code),
        "",
        _("1. Fill the yellow cells of the sheets Quantitative and Qualitative; the other cells "
          "are locked."),
        _("2. Quantitative: one row per indicator and breakdown, the total first. Type the "
          "number (1,234 or 1 234 are read as 1234; 45% as 45). Type <5 for a small number you "
          "may not publish, N/A or - when the figure is not available, and choose a flag when "
          "a value is estimated or provisional."),
        _("3. The categories of a breakdown must not add up to more than the total. A category "
          "you do not know may stay empty; emptying one that held a value removes that value "
          "(you are warned). The total is required."),
        _("4. Qualitative: choose the level from the list, write the narrative (required with "
          "a level) and the evidence behind it."),
        _("5. Do not rename the sheets or change the codes; rows may be sorted and blank rows "
          "added. Save as Excel Workbook (.xlsx) and upload it: every problem found is shown "
          "with its cell, and you can download your workbook with each problem marked."),
    ]
    for row, line in enumerate(lines, start=1):
        sheet.cell(row, 1, neutralise(line)).alignment = WRAP
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 110
    sheet.protection.sheet = True


class _Lists:
    """Where the dropdown lists live on the hidden sheet."""

    def __init__(self, sheet: Worksheet):
        self.sheet, self.next_column = sheet, 4
        self.ranges: dict[str, str] = {}

    def add(self, name: str, entries: list[str]) -> str:
        if name not in self.ranges:
            column = self.next_column
            self.next_column += 1
            self.sheet.cell(1, column, name)
            for row, entry in enumerate(entries, start=2):
                self.sheet.cell(row, column, entry)
            letter = get_column_letter(column)
            self.ranges[name] = (f"{quote_sheetname(IDENTITY)}!${letter}$2:"
                                 f"${letter}${len(entries) + 1}")
        return self.ranges[name]


def _identity_sheet(workbook: Workbook, form: ReturnForm) -> _Lists:
    sheet = workbook.create_sheet(IDENTITY)
    for row, (key, value) in enumerate(form.identity().items(), start=1):
        sheet.cell(row, 1, key)
        sheet.cell(row, 2, value)
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True
    lists = _Lists(sheet)
    lists.add("flags", list(FLAG_WORDS))
    return lists


def _header(sheet: Worksheet, titles: list[str], widths: list[int]) -> None:
    for column, (title, width) in enumerate(zip(titles, widths, strict=True), start=1):
        cell = sheet.cell(1, column, title)
        cell.font = Font(bold=True, color="FFFFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "C2"
    sheet.protection.sheet = True
    sheet.protection.autoFilter = False
    sheet.protection.sort = False


def _section(sheet: Worksheet, row: int, text: str, columns: int) -> None:
    sheet.cell(row, 2, neutralise(text)).font = Font(bold=True)
    for column in range(1, columns + 1):
        sheet.cell(row, column).fill = SECTION_FILL


def _sections(indicator: Indicator, last: tuple[str, str]) -> tuple[list[str], tuple[str, str]]:
    """The section titles to write before `indicator` (principle, objective) when they change."""
    principle = indicator.objective.principle
    objective = indicator.objective
    titles = []
    if principle.code != last[0]:
        titles.append(principle.name)
    if (principle.code, objective.code) != last:
        titles.append(f"{objective.code} {objective.title}")
    return titles, (principle.code, objective.code)


def _fill_cell(sheet: Worksheet, row: int, column: int) -> None:
    cell = sheet.cell(row, column)
    cell.protection = UNLOCKED
    cell.fill = FILL_FILL


def _quantitative_sheet(sheet: Worksheet, form: ReturnForm,
                        history: dict[tuple[int, str], list[PastValue]], lists: _Lists) -> None:
    previous_code = (form.period - 1).code
    _header(sheet, [_("Code"), _("Indicator"), _("Unit"), _("Breakdown"), _("Baseline"),
                    _("Target"), _("Value %(period)s", period=previous_code),
                    _("Value %(period)s", period=form.period.code), _("Flag"), _("Comment"),
                    _("Key")],
            [12, 50, 14, 24, 11, 11, 14, 14, 16, 30, 18])
    sheet.column_dimensions["K"].hidden = True
    validations = _numeric_validations(sheet)
    flag_list = _list_validation(sheet, lists.add("flags", list(FLAG_WORDS)))
    ranges = _Ranges()
    row, last = 2, ("", "")
    for item in form.quantitative:
        indicator = item.indicator
        if item.breakdown == "":
            titles, last = _sections(indicator, last)
            for title in titles:
                _section(sheet, row, title, 11)
                row += 1
        previous = previous_of(history.get((indicator.id, item.breakdown), []), form)
        values = [indicator.code, indicator.name, _unit_label(indicator), item.label,
                  indicator.baseline_value if item.breakdown == "" else None,
                  target_for(indicator, form.period) if item.breakdown == "" else None,
                  previous.value if previous else None, None, None, None, item.breakdown]
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, neutralise(value))
        for column in (Q_VALUE, Q_FLAG, Q_FLAG + 1):
            _fill_cell(sheet, row, column)
        ranges.add(validations[indicator.unit], row, Q_VALUE)
        ranges.add(flag_list, row, Q_FLAG)
        sheet.row_dimensions[row].outlineLevel = 1
        row += 1
    ranges.apply()


def _unit_label(indicator: Indicator) -> str:
    return f"{indicator.unit.entry_label} {indicator.currency}".strip()


def _numeric_validations(sheet: Worksheet) -> dict[Unit, DataValidation]:
    """One warning-style validation per unit: Excel warns, the reader decides."""
    def rule(kind: str, operator: str, low: str, high: str | None, message: str):
        validation = DataValidation(type=kind, operator=operator, formula1=low, formula2=high,
                                    allow_blank=True, showErrorMessage=True, errorStyle="warning",
                                    errorTitle=_("Check the value"), error=message)
        sheet.add_data_validation(validation)
        return validation

    whole = rule("whole", "greaterThanOrEqual", "0", None,
                 _("A count is a whole number, 0 or more."))
    positive = rule("decimal", "greaterThanOrEqual", "0", None,
                    _("Expected a number, 0 or more."))
    return {
        Unit.COUNT: whole,
        Unit.PERCENT: rule("decimal", "between", "0", "100",
                           _("A percentage lies between 0 and 100.")),
        Unit.RATE_PER_100K: positive,
        Unit.AMOUNT: positive,
        Unit.YES_NO: rule("whole", "between", "0", "1", _("Type 1 for yes, 0 for no.")),
        Unit.LEVEL: positive,
    }


class _Ranges:
    """Cells gathered per validation and given to it at the end as runs of rows (openpyxl's
    cell-by-cell `add` grows quadratically with thousands of rows)."""

    def __init__(self) -> None:
        self.cells: dict[int, tuple[DataValidation, int, list[int]]] = {}

    def add(self, validation: DataValidation, row: int, column: int) -> None:
        self.cells.setdefault(id(validation), (validation, column, []))[2].append(row)

    def apply(self) -> None:
        for validation, column, rows in self.cells.values():
            letter = get_column_letter(column)
            validation.sqref = MultiCellRange(" ".join(
                f"{letter}{first}:{letter}{last}" for first, last in _runs(rows)))


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for row in sorted(rows):
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _list_validation(sheet: Worksheet, source: str) -> DataValidation:
    validation = DataValidation(type="list", formula1=f"={source}", allow_blank=True,
                                showErrorMessage=True, errorStyle="warning")
    sheet.add_data_validation(validation)
    return validation


def _qualitative_sheet(sheet: Worksheet, form: ReturnForm,
                       history: dict[tuple[int, str], list[PastValue]], lists: _Lists) -> None:
    _header(sheet, [_("Code"), _("Indicator"), _("Scale"),
                    _("Level %(period)s", period=(form.period - 1).code),
                    _("Level %(period)s", period=form.period.code), _("Narrative"),
                    _("Evidence"), _("Flag"), _("Comment")],
            [12, 50, 34, 14, 24, 60, 40, 16, 30])
    flag_list = _list_validation(sheet, lists.add("flags", list(FLAG_WORDS)))
    level_lists: dict[str, DataValidation] = {}
    ranges = _Ranges()
    row, last = 2, ("", "")
    for indicator in form.qualitative:
        titles, last = _sections(indicator, last)
        for title in titles:
            _section(sheet, row, title, 9)
            row += 1
        choices = level_choices(indicator.scale)
        previous = previous_of(history.get((indicator.id, ""), []), form)
        previous_label = (indicator.scale.label_of(previous.level)
                          if previous and indicator.scale else None)
        values = [indicator.code, indicator.name, "; ".join(choices),
                  f"{previous.level} – {previous_label}" if previous_label else None]
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, neutralise(value)).alignment = WRAP
        for column in (L_LEVEL, L_NARRATIVE, L_EVIDENCE, L_FLAG, L_FLAG + 1):
            _fill_cell(sheet, row, column)
            sheet.cell(row, column).alignment = WRAP
        scale = f"scale:{indicator.scale.code if indicator.scale else ''}"
        if scale not in level_lists:
            level_lists[scale] = _list_validation(sheet, lists.add(scale, choices))
        ranges.add(level_lists[scale], row, L_LEVEL)
        ranges.add(flag_list, row, L_FLAG)
        sheet.row_dimensions[row].outlineLevel = 1
        row += 1
    ranges.apply()
