"""The template's data validation accepts what its instructions tell people to type in a value
cell (`<5`, `N/A`, `1 234`, `45%`, plain numbers) and refuses what the import cannot read."""

import io

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from importers.return_form import Q_CODE, Q_VALUE, build_form
from importers.template import write_template
from indicators.periods import parse_period
from tests.excel_formulas import Formula

ACCEPTED = ["<5", "N/A", "n/a", "-", "1 234", "1\u00a0234", "45%", "1,234", "12"]
REFUSED = ["abc", "12 apples", "five"]


def _workbook(db) -> openpyxl.Workbook:
    with db.sessions() as session:
        data = write_template(session, build_form(session, "AG", parse_period("2026Q3")))
    return openpyxl.load_workbook(io.BytesIO(data))


def _validation_of(sheet, reference: str):
    found = [rule for rule in sheet.data_validations.dataValidation if reference in rule.sqref]
    assert len(found) == 1, reference
    return found[0]


def _accepts(workbook, sheet, row: int, typed) -> bool:
    """Whether Excel lets `typed` into the value cell of `row` without a warning."""
    rule = _validation_of(sheet, f"H{row}")
    first_row = min(range_boundaries(str(cells))[1] for cells in rule.sqref.ranges)
    letter = openpyxl.utils.get_column_letter(Q_VALUE)

    def cell(reference: str):
        assert reference == f"{letter}{first_row}", reference  # relative to the first cell
        return typed

    def ranges(reference: str):
        sheet_name, cells = reference.split("!")
        source = workbook[sheet_name.strip("'")]
        return [row[0].value for row in source[cells.replace("$", "")]]

    return bool(Formula(rule.formula1).evaluate(cell, ranges))


def test_every_value_cell_accepts_what_the_instructions_say(db, small_strategy):
    workbook = _workbook(db)
    sheet = workbook["Quantitative"]
    rows = [row for row in range(2, sheet.max_row + 1) if sheet.cell(row, Q_CODE).value]
    assert rows
    for row in rows:
        rule = _validation_of(sheet, f"H{row}")
        assert rule.type == "custom" and rule.allow_blank and len(rule.formula1) <= 255
        for typed in ACCEPTED:
            assert _accepts(workbook, sheet, row, typed), (row, typed)
        for typed in REFUSED:
            assert not _accepts(workbook, sheet, row, typed), (row, typed)


@pytest.mark.parametrize(("code", "accepted", "refused"), [
    ("C1", [0, 12], [-1, 2.5]),
    ("P1", [0, 45, 0.45, 100], [101, -3]),
    ("Y1", [0, 1], [2]),
])
def test_numbers_are_checked_as_the_unit_wants(db, small_strategy, code, accepted, refused):
    workbook = _workbook(db)
    sheet = workbook["Quantitative"]
    row = next(row for row in range(2, sheet.max_row + 1)
               if sheet.cell(row, Q_CODE).value == code)
    assert all(_accepts(workbook, sheet, row, number) for number in accepted)
    assert not any(_accepts(workbook, sheet, row, number) for number in refused)


def test_the_template_opens_on_the_sheet_to_fill_with_thousands_separators(db, small_strategy):
    workbook = _workbook(db)
    assert workbook.active.title == "Quantitative"
    sheet = workbook["Quantitative"]
    row = next(row for row in range(2, sheet.max_row + 1) if sheet.cell(row, Q_CODE).value == "C1")
    assert sheet.cell(row, Q_VALUE).number_format == "#,##0"
