"""The return template: the workbook an entity fills in for one period.

Sheets: Instructions; Quantitative (one row per indicator and breakdown, grouped by principle and
objective); Qualitative (a level from the scale, the narrative, the evidence); and a hidden sheet
identifying strategy, entity, period, template version and the checksum of the indicator list,
with the dropdown lists. Sheets are protected without a password; only the cells to fill are
unlocked, and each value cell carries a data validation whose formula accepts what the
instructions tell people to type (`<5`, `N/A`, `1 234`, `45%`) and warns about anything else.
The quantitative sheet opens first, counts shown with thousands separators.
A template for a return that was sent back is filled with the values submitted, and carries the
reviewer's comments, so the coordinator changes only what was questioned.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import partial
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from importers.cell_values import NOT_AVAILABLE_WORDS
from importers.return_form import (
    AT_LEAST_WORDS,
    IDENTITY,
    INSTRUCTIONS,
    L_EVIDENCE,
    L_LEVEL,
    L_NARRATIVE,
    L_NATURE,
    NATURE_WORDS,
    Q_AT_LEAST,
    Q_BASELINE,
    Q_COMMENT,
    Q_HIGH,
    Q_KEY,
    Q_LOW,
    Q_NATURE,
    Q_PREVIOUS,
    Q_TARGET,
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
from indicators.cells import neutralise, write_literal
from indicators.framework_texts import text_of
from indicators.i18n import _
from indicators.model import Indicator, Nature, Return, Unit
from indicators.return_review import ReviewDecision, feedback_for_period, return_values

HEADER_FILL = PatternFill("solid", start_color="FF1F5F8B", end_color="FF1F5F8B")
SECTION_FILL = PatternFill("solid", start_color="FFE8EEF5", end_color="FFE8EEF5")
FILL_FILL = PatternFill("solid", start_color="FFFFFDE7", end_color="FFFFFDE7")
UNLOCKED = Protection(locked=False)
WRAP = Alignment(wrap_text=True, vertical="top")


def write_template(session: Session, form: ReturnForm,
                   filled_from: Return | None = None) -> bytes:
    """The template for `form` as the bytes of an .xlsx file, filled with the values of
    `filled_from` when given (else with those of the return sent back, if any)."""
    history = earlier_values(session, form)
    feedback = feedback_for_period(session, form.strategy.id, form.entity.id, form.period.code)
    submitted = (return_values(session, filled_from) if filled_from
                 else _submitted(session, feedback))
    workbook = Workbook()
    _instructions(workbook.active, form)
    lists = _identity_sheet(workbook, form)
    _quantitative_sheet(workbook.create_sheet(QUANTITATIVE), form, history, lists, submitted)
    _qualitative_sheet(workbook.create_sheet(QUALITATIVE), form, history, lists, submitted)
    workbook.move_sheet(IDENTITY, offset=len(workbook.sheetnames))
    _open_at(workbook, QUANTITATIVE if form.quantitative else QUALITATIVE)
    add_review_sheet(workbook, feedback)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


Submitted = dict[tuple[int, str], dict[str, Any]]
NATURE_WORD = {nature: word for word, nature in NATURE_WORDS.items()}


def _submitted(session: Session, feedback: ReviewDecision | None) -> Submitted:
    """The values of the return that was sent back, by (indicator id, breakdown); none when
    the return in force was not sent back."""
    if feedback is None:
        return {}
    return return_values(session, session.get(Return, feedback.return_id))


def _quantitative_entry(value: dict[str, Any] | None) -> tuple[Any, str | None, str | None]:
    """The value, nature and comment cells that give back a submitted value as it was typed:
    a suppressed `<5` goes back into the value cell."""
    if value is None:
        return None, None, None
    nature, comment = value["nature"], value["comment"] or None
    if nature is Nature.SUPPRESSED and value["value"] is None and comment and comment[0] == "<":
        typed, _separator, rest = comment.partition("; ")
        return typed, None, rest or None
    return value["value"], NATURE_WORD.get(nature), comment


def _range_entry(value: dict[str, Any] | None) -> tuple[Any, Any, str | None]:
    """The low, high and "at least" cells of a submitted value."""
    if value is None:
        return None, None, None
    return (None if value.get("at_least") else value.get("low"), value.get("high"),
            AT_LEAST_WORDS[0] if value.get("at_least") else None)


def _open_at(workbook: Workbook, name: str) -> None:
    """Open the workbook on the sheet to fill first."""
    workbook.active = workbook.sheetnames.index(name)
    for sheet in workbook.worksheets:
        sheet.sheet_view.tabSelected = sheet.title == name


def _instructions(sheet: Worksheet, form: ReturnForm) -> None:
    sheet.title = INSTRUCTIONS
    lines = [
        _("Return of %(entity)s for %(period)s", entity=text_of(form.entity, "name"),
          period=form.period.code),
        _("Strategy: %(title)s (%(code)s)", title=text_of(form.strategy, "title"),
          code=form.strategy.code),
        "",
        _("1. Fill the yellow cells of the sheets Quantitative and Qualitative; the other cells "
          "are locked."),
        _("2. Quantitative: one row per indicator and breakdown, the total first. Type the "
          "number (1,234 or 1 234 are read as 1234; 45% as 45). Type <5 for a small number you "
          "may not publish, N/A or - when the figure is not available."),
        _("Nature: choose how far the figure can be trusted (verified, reported, alleged, "
          "estimated, modelled, provisional, revised, confidential), or why it is missing (not "
          "applicable, not available, suppressed, not collected because of the crisis: then "
          "leave the value empty; this is not a zero)."),
        _("Low and High: for a figure published as a range (460 to 480), type the best "
          "estimate as the value and the ends of the range in Low and High. At least: choose "
          "'at least' when the value is a lower bound (at least 2,000); then leave High empty."),
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
                write_literal(self.sheet.cell(row, column), entry)
            letter = get_column_letter(column)
            self.ranges[name] = (f"{quote_sheetname(IDENTITY)}!${letter}$2:"
                                 f"${letter}${len(entries) + 1}")
        return self.ranges[name]


def _identity_sheet(workbook: Workbook, form: ReturnForm) -> _Lists:
    sheet = workbook.create_sheet(IDENTITY)
    for row, (key, value) in enumerate(form.identity().items(), start=1):
        sheet.cell(row, 1, key)
        write_literal(sheet.cell(row, 2), value)
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True
    lists = _Lists(sheet)
    lists.add("natures", list(NATURE_WORDS))
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
        titles.append(text_of(principle, "name"))
    if (principle.code, objective.code) != last:
        titles.append(f"{objective.code} {text_of(objective, 'title')}")
    return titles, (principle.code, objective.code)


def _fill_cell(sheet: Worksheet, row: int, column: int) -> None:
    cell = sheet.cell(row, column)
    cell.protection = UNLOCKED
    cell.fill = FILL_FILL


def _quantitative_sheet(sheet: Worksheet, form: ReturnForm,
                        history: dict[tuple[int, str], list[PastValue]], lists: _Lists,
                        submitted: Submitted) -> None:
    previous_code = (form.period - 1).code
    _header(sheet, [_("Code"), _("Indicator"), _("Unit"), _("Breakdown"), _("Baseline"),
                    _("Target"), _("Value %(period)s", period=previous_code),
                    _("Value %(period)s", period=form.period.code), _("Nature"), _("Comment"),
                    _("Key"), _("Low"), _("High"), _("At least")],
            [12, 50, 14, 24, 11, 11, 14, 14, 16, 30, 18, 11, 11, 10])
    sheet.column_dimensions[get_column_letter(Q_KEY)].hidden = True
    ranges = _Ranges()
    validations = _numeric_validations(sheet, lists, ranges)
    nature_list = _list_validation(sheet, lists.add("natures", list(NATURE_WORDS)))
    at_least_list = _list_validation(sheet, lists.add("at least", [AT_LEAST_WORDS[0]]))
    row, last = 2, ("", "")
    for item in form.quantitative:
        indicator = item.indicator
        if item.breakdown == "":
            titles, last = _sections(indicator, last)
            for title in titles:
                _section(sheet, row, title, Q_AT_LEAST)
                row += 1
        previous = previous_of(history.get((indicator.id, item.breakdown), []), form)
        values = [indicator.code, text_of(indicator, "name"), _unit_label(indicator), item.label,
                  indicator.baseline_value if item.breakdown == "" else None,
                  target_for(indicator, form.period) if item.breakdown == "" else None,
                  previous.value if previous else None,
                  *_quantitative_entry(submitted.get((indicator.id, item.breakdown))),
                  item.breakdown, *_range_entry(submitted.get((indicator.id, item.breakdown)))]
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, neutralise(value))
        for column in (Q_VALUE, Q_NATURE, Q_COMMENT, Q_LOW, Q_HIGH, Q_AT_LEAST):
            _fill_cell(sheet, row, column)
        for column in (Q_BASELINE, Q_TARGET, Q_PREVIOUS, Q_VALUE, Q_LOW, Q_HIGH):
            sheet.cell(row, column).number_format = NUMBER_FORMATS.get(indicator.unit,
                                                                       "General")
        ranges.add(validations[indicator.unit], row, Q_VALUE)
        ranges.add(nature_list, row, Q_NATURE)
        ranges.add(at_least_list, row, Q_AT_LEAST)
        sheet.row_dimensions[row].outlineLevel = 1
        row += 1
    ranges.apply()


def _unit_label(indicator: Indicator) -> str:
    return f"{indicator.unit.entry_label} {indicator.currency}".strip()


NUMBER_FORMATS = {Unit.COUNT: "#,##0", Unit.AMOUNT: "#,##0.00"}
"""How value cells show numbers (thousands separators); other units as typed."""

NUMBER_RULES = {
    Unit.COUNT: "AND({cell}>=0,INT({cell})={cell})",
    Unit.PERCENT: "AND({cell}>=0,{cell}<=100)",
    Unit.YES_NO: "OR({cell}=0,{cell}=1)",
}
"""What a number typed into a value cell must be, by unit; any other unit: 0 or more."""


def value_formula(unit: Unit, cell: str, words: str) -> str:
    """The data-validation formula of a value cell (`cell` its reference, `words` the range
    of the words meaning "not available"): a number as the unit wants it, or text the import
    reads: such a word, `<5`, or a number written with spaces, commas or a percent sign."""
    number = NUMBER_RULES.get(unit, "{cell}>=0").format(cell=cell)
    return (f'IF(ISNUMBER({cell}),{number},OR(ISNUMBER(MATCH(LOWER(TRIM({cell})),{words},0)),'
            f'AND(LEFT({cell},1)="<",ISNUMBER(VALUE(MID({cell},2,20)))),'
            f'ISNUMBER(VALUE(SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({cell}," ",""),CHAR(160),""),'
            f'"%","")))))')


def _numeric_validations(sheet: Worksheet, lists: _Lists,
                         ranges: _Ranges) -> dict[Unit, DataValidation]:
    """One validation per unit whose formula accepts what may be typed (written by `ranges`
    once the first cell is known); Excel warns, the reader decides."""
    words = lists.add("not available", sorted({*NOT_AVAILABLE_WORDS, "yes", "no"}))
    message = _("Type a number as the Unit column asks (a whole count, a percentage from 0 "
                "to 100, 1 for yes and 0 for no), <5 for a small number you may not publish, "
                "or N/A when it is not available.")
    validations = {}
    for unit in Unit:
        validation = DataValidation(type="custom", allow_blank=True, showErrorMessage=True,
                                    errorStyle="warning", errorTitle=_("Check the value"),
                                    error=message)
        ranges.formulas[id(validation)] = partial(value_formula, unit, words=words)
        sheet.add_data_validation(validation)
        validations[unit] = validation
    return validations


class _Ranges:
    """Cells gathered per validation and given to it at the end as runs of rows (openpyxl's
    cell-by-cell `add` grows quadratically with thousands of rows), with the formulas that
    name their first cell."""

    def __init__(self) -> None:
        self.cells: dict[int, tuple[DataValidation, int, list[int]]] = {}
        self.formulas: dict[int, Callable[[str], str]] = {}

    def add(self, validation: DataValidation, row: int, column: int) -> None:
        self.cells.setdefault(id(validation), (validation, column, []))[2].append(row)

    def apply(self) -> None:
        for validation, column, rows in self.cells.values():
            letter = get_column_letter(column)
            validation.sqref = MultiCellRange(" ".join(
                f"{letter}{first}:{letter}{last}" for first, last in _runs(rows)))
            if id(validation) in self.formulas:  # Excel reads it relative to the first cell
                validation.formula1 = self.formulas[id(validation)](f"{letter}{min(rows)}")


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


def _qualitative_entry(value: dict[str, Any] | None, indicator: Indicator) -> list[Any]:
    """The level, narrative, evidence, nature and comment cells of a submitted answer."""
    if value is None:
        return []
    level = value["level"]
    label = indicator.scale.label_of(level) if level is not None and indicator.scale else None
    return [f"{level} – {label}" if label else level, value["narrative"] or None,
            value["evidence"] or None, NATURE_WORD.get(value["nature"]), value["comment"] or None]


def _qualitative_sheet(sheet: Worksheet, form: ReturnForm,
                       history: dict[tuple[int, str], list[PastValue]], lists: _Lists,
                       submitted: Submitted) -> None:
    _header(sheet, [_("Code"), _("Indicator"), _("Scale"),
                    _("Level %(period)s", period=(form.period - 1).code),
                    _("Level %(period)s", period=form.period.code), _("Narrative"),
                    _("Evidence"), _("Nature"), _("Comment")],
            [12, 50, 34, 14, 24, 60, 40, 16, 30])
    nature_list = _list_validation(sheet, lists.add("natures", list(NATURE_WORDS)))
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
        values = [indicator.code, text_of(indicator, "name"), "; ".join(choices),
                  f"{previous.level} – {previous_label}" if previous_label else None,
                  *_qualitative_entry(submitted.get((indicator.id, "")), indicator)]
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, neutralise(value)).alignment = WRAP
        for column in (L_LEVEL, L_NARRATIVE, L_EVIDENCE, L_NATURE, L_NATURE + 1):
            _fill_cell(sheet, row, column)
            sheet.cell(row, column).alignment = WRAP
        scale = f"scale:{indicator.scale.code if indicator.scale else ''}"
        if scale not in level_lists:
            level_lists[scale] = _list_validation(sheet, lists.add(scale, choices))
        ranges.add(level_lists[scale], row, L_LEVEL)
        ranges.add(nature_list, row, L_NATURE)
        sheet.row_dimensions[row].outlineLevel = 1
        row += 1
    ranges.apply()
