"""The return as a form in the browser, read from the template itself.

The template (`importers.template`) is the one layout of a return: its visible sheets, their
column titles, one row per indicator and breakdown, the cells left unlocked to fill, the
dropdowns of those cells and the rule (a custom validation) of the value cells. `entry_form`
reads that workbook into sheets, rows and fields, each field named by its cell
(`Quantitative!H14`), so a problem the checks find on a cell is shown next to its field and a
column added to the template appears in the form. `filled_workbook` writes what was entered
into those same cells of the same template; the workbook then goes through the upload path
like any other (`importers.returns.receive_return`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from importers.cell_values import cell_text
from importers.return_form import NATURE_WORDS, Q_BREAKDOWN, QUANTITATIVE
from indicators.cells import write_literal

PLAIN_NUMBER = re.compile(r"^-?\d{1,15}(\.\d{1,15})?$")
LONG_TEXT_WIDTH = 40
"""Fields of columns at least this wide (narrative, evidence) are given a text area."""


@dataclass(frozen=True)
class EntryField:
    """A cell to fill: its reference `Sheet!H14`, what it holds, its dropdown entries (none:
    free text) and whether it is a value cell read as a number."""

    reference: str
    label: str
    value: str
    choices: tuple[str, ...] = ()
    numeric: bool = False
    long_text: bool = False

    @property
    def html_id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", self.reference)

    def options(self) -> list[tuple[str, str]]:
        """The dropdown entries as (entry, words to show: a flag's in the reader's language),
        with the value held when it is none of them (so that nothing typed in the workbook is
        lost by opening the form)."""
        entries = [*self.choices, self.value] if self.value not in ("", *self.choices) \
            else self.choices
        return [(entry, NATURE_WORDS[entry].label if entry in NATURE_WORDS else entry)
                for entry in entries]


@dataclass(frozen=True)
class EntryRow:
    """One row of a sheet: a section title, or cells shown (text) and fields (to fill)."""

    section: str = ""
    cells: tuple[str | EntryField, ...] = ()


@dataclass
class EntrySheet:
    """A sheet of the template as the form shows it."""

    name: str
    titles: list[str]
    rows: list[EntryRow] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)


@dataclass
class EntryForm:
    """The template's sheets to fill, in the template's order."""

    sheets: list[EntrySheet]

    @property
    def fields(self) -> dict[str, EntryField]:
        return {cell.reference: cell for sheet in self.sheets for row in sheet.rows
                for cell in row.cells if isinstance(cell, EntryField)}

    def with_values(self, entered: Mapping[str, str]) -> EntryForm:
        """The same form showing `entered` (by cell reference) instead of the workbook's values."""
        return EntryForm([EntrySheet(sheet.name, sheet.titles, [
            EntryRow(row.section, tuple(
                _entered(cell, entered) for cell in row.cells)) for row in sheet.rows],
            sheet.hints) for sheet in self.sheets])


def _entered(cell: str | EntryField, entered: Mapping[str, str]) -> str | EntryField:
    if isinstance(cell, str):
        return cell
    return EntryField(cell.reference, cell.label, entered.get(cell.reference, ""), cell.choices,
                      cell.numeric, cell.long_text)


def entry_form(template: bytes) -> EntryForm:
    """The form of the return `template` (the bytes `write_template` gives)."""
    return _form_of(load_workbook(io.BytesIO(template)))


def _form_of(workbook: Workbook) -> EntryForm:
    return EntryForm([_entry_sheet(workbook, sheet) for sheet in _sheets_to_fill(workbook)])


def filled_workbook(template: bytes, entered: Mapping[str, str]) -> bytes:
    """`template` with each cell to fill holding what was entered for it (by reference; a
    cell not entered is left empty). Numbers typed plainly go in as numbers, anything else as
    the text typed (`<5`, `N/A`, `1 234`), which the checks read as they read a workbook."""
    workbook = load_workbook(io.BytesIO(template))
    for reference, entry in _form_of(workbook).fields.items():
        sheet, cell = reference.split("!")
        _put(workbook[sheet][cell], entered.get(reference, "").strip(), entry.numeric)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _put(cell: Cell, text: str, numeric: bool) -> None:
    if not text:
        cell.value = None
    elif numeric and PLAIN_NUMBER.match(text):
        cell.value = int(text) if text.lstrip("-").isdigit() else float(text)
    else:
        write_literal(cell, text)


def _sheets_to_fill(workbook: Workbook) -> Iterator[Worksheet]:
    for sheet in workbook.worksheets:
        if sheet.sheet_state == "visible" and any(_unlocked_cells(sheet)):
            yield sheet


def _unlocked_cells(sheet: Worksheet) -> Iterator[Cell]:
    return (cell for row in sheet.iter_rows(min_row=2) for cell in row
            if cell.protection.locked is False)


def _entry_sheet(workbook: Workbook, sheet: Worksheet) -> EntrySheet:
    columns = [column for column in range(1, sheet.max_column + 1)
               if not sheet.column_dimensions[get_column_letter(column)].hidden]
    titles = [cell_text(sheet.cell(1, column).value) for column in columns]
    choices, numeric, hints = _validations(workbook, sheet)
    entry = EntrySheet(sheet.title, titles, hints=hints)
    for row in range(2, sheet.max_row + 1):
        cells = [sheet.cell(row, column) for column in columns]
        if not any(cell.protection.locked is False for cell in cells):
            entry.rows.append(EntryRow(section=_section_title(cells)))
            continue
        label = " · ".join(text for text in (cell_text(cells[0].value),
                                             _breakdown(sheet, row)) if text)
        entry.rows.append(EntryRow(cells=tuple(
            _field(sheet, cell, f"{label} · {titles[index]}", choices, numeric)
            if cell.protection.locked is False else _shown(cell.value)
            for index, cell in enumerate(cells))))
    entry.rows = [row for row in entry.rows if row.cells or row.section]
    return entry


def _section_title(cells: list[Cell]) -> str:
    return next((cell_text(cell.value) for cell in cells if cell_text(cell.value)), "")


def _breakdown(sheet: Worksheet, row: int) -> str:
    """The words of the row's breakdown (quantitative rows)."""
    return cell_text(sheet.cell(row, Q_BREAKDOWN).value) if sheet.title == QUANTITATIVE else ""


def _field(sheet: Worksheet, cell: Cell, label: str, choices: dict[str, tuple[str, ...]],
           numeric: set[str]) -> EntryField:
    width = sheet.column_dimensions[cell.column_letter].width or 0
    return EntryField(f"{sheet.title}!{cell.coordinate}", label, cell_text(cell.value),
                      choices.get(cell.coordinate, ()), cell.coordinate in numeric,
                      long_text=width >= LONG_TEXT_WIDTH)


def _shown(value: Any) -> str:
    """A locked cell as the page shows it: numbers grouped in thousands, text as written."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")
    return cell_text(value)


def _validations(workbook: Workbook, sheet: Worksheet
                 ) -> tuple[dict[str, tuple[str, ...]], set[str], list[str]]:
    """The sheet's dropdown entries by cell, the cells a custom rule checks (the value cells)
    and the messages of those rules."""
    choices: dict[str, tuple[str, ...]] = {}
    numeric: set[str] = set()
    hints: list[str] = []
    for validation in sheet.data_validations.dataValidation:
        cells = [f"{get_column_letter(column)}{row}" for cell_range in validation.sqref.ranges
                 for column, row in _coordinates(cell_range)]
        if validation.type == "list":
            entries = _list_entries(workbook, validation.formula1 or "")
            choices.update(dict.fromkeys(cells, entries))
        elif validation.type == "custom" and cells:
            numeric.update(cells)
            if validation.error and validation.error not in hints:
                hints.append(validation.error)
    return choices, numeric, hints


def _coordinates(cell_range: Any) -> Iterator[tuple[int, int]]:
    for row in range(cell_range.min_row, cell_range.max_row + 1):
        for column in range(cell_range.min_col, cell_range.max_col + 1):
            yield column, row


def _list_entries(workbook: Workbook, formula: str) -> tuple[str, ...]:
    """The entries of a dropdown whose source is a range `='Sheet'!$D$2:$D$6`."""
    source, _separator, cells = formula.lstrip("=").rpartition("!")
    name = next((title for title in workbook.sheetnames if quote_sheetname(title) == source),
                None)
    if name is None:
        return ()
    return tuple(cell_text(cell.value) for row in workbook[name][cells.replace("$", "")]
                 for cell in row if cell_text(cell.value))
