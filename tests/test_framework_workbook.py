"""The framework as a workbook: a strategy drafted in Excel comes in in one step, all or nothing,
and goes back out unchanged."""

from __future__ import annotations

import openpyxl
from sqlalchemy import func, select

from indicators.model import Indicator, Strategy, Target
from tests.helpers import empty_database


def _cells(path) -> dict[str, list[tuple]]:
    workbook = openpyxl.load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


def test_export_import_into_an_empty_database_and_export_again_gives_the_same_workbook(
        demo, db, run_mne, tmp_path, session):
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    run_mne("framework", "export", "--strategy", "MRD-NSOC", "-o", str(first))
    indicators = session.scalar(select(func.count()).select_from(Indicator))
    session.close()
    empty_database(db)
    run_mne("init")

    checked = run_mne("framework", "import", str(first), "--dry-run")
    assert "dry run" in checked.stdout
    assert session.scalar(select(func.count()).select_from(Strategy)) == 0

    imported = run_mne("framework", "import", str(first))
    assert "framework of MRD-NSOC imported" in imported.stdout
    assert session.scalar(select(func.count()).select_from(Indicator)) == indicators
    run_mne("framework", "export", "--strategy", "MRD-NSOC", "-o", str(second))

    before, after = _cells(first), _cells(second)
    assert list(before) == ["Strategy", "Principles", "Objectives", "Entities", "Populations",
                            "Dimensions", "Scales", "Indicators", "Targets", "Series breaks",
                            "Paired estimates"]
    assert before == after
    assert before["Series breaks"][1][:3] == ("PU4.1", "2025Q3", "reporting_channel")
    assert before["Paired estimates"][1][:3] == ("PR1.1", "PR1.1E", "modelled")
    assert len(before["Indicators"]) == indicators + 1 and len(before["Targets"]) > indicators


def test_a_wrong_cell_is_named_and_nothing_is_written(demo, db, run_mne, tmp_path, session):
    path, marked = tmp_path / "framework.xlsx", tmp_path / "marked.xlsx"
    run_mne("framework", "export", "--strategy", "MRD-NSOC", "-o", str(path))
    workbook = openpyxl.load_workbook(path)
    workbook["Strategy"]["B2"] = "Renamed strategy"
    workbook["Indicators"]["F3"] = "bananas"
    workbook["Targets"]["A2"] = "NO-SUCH"
    workbook["Series breaks"]["C2"] = "weather"
    workbook.save(path)

    result = run_mne("framework", "import", str(path), "--errors-out", str(marked), check=False)

    assert result.returncode == 1
    assert "Indicators!F3" in result.stderr and "Expected one of: count, percent" in result.stderr
    assert "Targets!A2" in result.stderr and "No indicator has the code NO-SUCH" in result.stderr
    assert "Series breaks!C2" in result.stderr
    assert "definition, data_source, reporting_channel" in result.stderr
    session.expire_all()
    assert session.scalars(select(Strategy.title)).one().startswith("National Strategy")
    annotated = openpyxl.load_workbook(marked)
    assert annotated["Indicators"]["F3"].comment is not None
    assert session.scalar(select(func.count()).select_from(Target)) > 0
