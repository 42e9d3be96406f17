"""The template an entity downloads: what it asks, how it reads, what it protects."""

import io

import openpyxl
import pytest

from importers.return_form import build_form
from importers.template import write_template
from indicators.errors import Invalid
from indicators.periods import parse_period


def _template(db, entity="AG", period="2026Q3") -> openpyxl.Workbook:
    with db.sessions() as session:
        data = write_template(session, build_form(session, entity, parse_period(period)))
    return openpyxl.load_workbook(io.BytesIO(data))


def _codes(sheet) -> list[tuple[str, str]]:
    return [(sheet.cell(row, 1).value, sheet.cell(row, 11).value or "")
            for row in range(2, sheet.max_row + 1) if sheet.cell(row, 1).value]


def test_template_has_a_row_per_indicator_and_breakdown_total_first(db, small_strategy):
    workbook = _template(db)
    assert workbook.sheetnames == ["Instructions", "Quantitative", "Qualitative", "mne"]
    assert _codes(workbook["Quantitative"]) == [
        ("C1", ""), ("C1", "sex=female"), ("C1", "sex=male"), ("C1", "sex=unknown"),
        ("P1", ""), ("Y1", ""),
    ]
    qualitative = workbook["Qualitative"]
    assert [qualitative[f"B{row}"].value for row in (2, 3)] == ["Pursue", "O1 Prosecute more"]
    assert qualitative["A4"].value == "Q1"


def test_annual_indicator_is_asked_in_the_fourth_quarter_only(db, small_strategy):
    assert ("A1", "") not in _codes(_template(db, period="2026Q3")["Quantitative"])
    assert ("A1", "") in _codes(_template(db, period="2026Q4")["Quantitative"])


def test_entity_without_responsibility_gets_no_template(db, small_strategy):
    with db.sessions() as session, pytest.raises(Invalid, match="reports no indicator"):
        build_form(session, "OT", parse_period("2026Q3"))


def test_hidden_sheet_identifies_the_return(db, small_strategy):
    identity = _template(db)["mne"]
    assert identity.sheet_state == "hidden"
    found = {identity.cell(row, 1).value: identity.cell(row, 2).value for row in range(1, 6)}
    assert found["strategy"] == "SMALL" and found["entity"] == "AG"
    assert found["period"] == "2026Q3" and found["template_version"] == "1"
    assert len(found["checksum"]) == 16


def test_only_the_cells_to_fill_are_unlocked_and_numbers_are_validated(db, small_strategy):
    sheet = _template(db)["Quantitative"]
    assert sheet.protection.sheet is True
    assert sheet.freeze_panes == "C2"
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "P1")
    assert sheet.cell(row, 8).protection.locked is False
    assert sheet.cell(row, 1).protection.locked is True
    rules = sheet.data_validations.dataValidation
    percent = next(rule for rule in rules if f"H{row}" in rule.sqref)
    assert percent.type == "custom" and f"H{row}<=100" in percent.formula1  # see
    # tests/test_template_validation.py for what it accepts
    flags = next(rule for rule in rules if f"I{row}" in rule.sqref)
    assert flags.type == "list" and "mne" in flags.formula1


def test_previous_period_value_and_baseline_are_shown_for_reference(db, small_strategy):
    sheet = _template(db)["Quantitative"]
    assert sheet["G1"].value.endswith("2026Q2")
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "C1")
    assert sheet.cell(row, 7).value == 102
    assert sheet.cell(row, 5).value == 90


def test_level_dropdown_lists_the_scale_labels(db, small_strategy):
    workbook = _template(db)
    rule = next(rule for rule in workbook["Qualitative"].data_validations.dataValidation
                if "E4" in rule.sqref)
    column = rule.formula1.split("!")[1].split(":")[0].replace("$", "")[0]
    labels = [cell.value for cell in workbook["mne"][column][1:] if cell.value]
    assert labels[0] == "0 – not started" and labels[-1] == "4 – fully achieved"
