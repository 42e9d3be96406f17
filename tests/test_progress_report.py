"""The progress report shows each indicator's figures exactly as the API gives them, statuses
counted by principle and objective, and the trend of each indicator."""

from __future__ import annotations

import io

import openpyxl
import pytest

from indicators.vocabulary import Status
from mne.scheduling import report_settings
from reports.archive import compile_and_issue
from reports.progress import INDICATOR_COLUMNS
from tests.test_report_archive import EXTERNAL

PERIOD = "2026Q3"
COMPARED = ("baseline_value", "baseline_period", "target_value", "target_period",
            "latest_value", "latest_period", "progress", "expected_progress", "slope",
            "projected_value", "observed_required_ratio", "sex_coverage", "level", "level_label",
            "narrative", "entities_reporting")


@pytest.fixture
def issued(db, demo, settings):
    """The demonstration's progress report for 2026Q3."""
    with db.transaction() as session:
        return compile_and_issue(session, "progress", demo.strategy, PERIOD,
                                 report_settings(settings), "evaluator")


@pytest.fixture
def workbook(evaluator_client, issued):
    """The report's workbook, downloaded through the API."""
    data = evaluator_client.get(f"/api/v1/reports/{issued.id}/file?format=xlsx").data
    return openpyxl.load_workbook(io.BytesIO(data))


def _as_kept(value):
    """A figure as a workbook keeps it: numbers to 16 significant digits (Excel shows 15)."""
    return pytest.approx(value, rel=1e-15, abs=0) if isinstance(value, float) else value


def _table(sheet) -> list[dict]:
    header = [cell.value for cell in sheet[1]]
    rows = []
    for values in sheet.iter_rows(min_row=2, values_only=True):
        if values[0] is None:
            break
        rows.append(dict(zip(header, values, strict=True)))
    return rows


def test_workbook_figures_equal_the_api_for_the_same_period(client_as, workbook):
    """An issued report counts approved figures only: the figures a viewer reads."""
    viewer = client_as("viewer")
    headings = {key: heading for key, heading, _kind in INDICATOR_COLUMNS}
    rows = _table(workbook["Indicators"])
    assert len(rows) >= 30
    for row in rows:
        api = viewer.get(
            f"/api/v1/indicators/{row['Code']}/progress?period={PERIOD}").get_json()
        for key in COMPARED:
            assert row[headings[key]] == _as_kept(api[key]), (row["Code"], key)
        assert row["Status"] == Status(api["status"]).label
        sex = api["sex"] or {}
        assert row["Female share"] == _as_kept(sex.get("female_share"))


def test_statuses_are_counted_by_principle_and_by_objective(workbook):
    indicators = _table(workbook["Indicators"])
    principles = _table(workbook["By principle"])
    assert [row["Principle"] for row in principles] == ["Prevent", "Pursue", "Protect",
                                                        "Promote"]
    assert sum(row["Indicators"] for row in principles) == len(indicators)
    off_track = sum(1 for row in indicators if row["Status"] == "off track")
    assert sum(row["off track"] for row in principles) == off_track
    assert sum(row["Indicators"] for row in _table(workbook["By objective"])) == len(indicators)
    assert workbook["By principle"]._charts


def test_trends_sheet_holds_each_indicators_series_and_a_chart_of_it(workbook, client_as):
    trends = _table(workbook["Trends"])
    first = trends[0]
    series = client_as("viewer").get(
        f"/api/v1/indicators/{first['Indicator']}/series?to={PERIOD}").get_json()
    for point in series["series"]:
        assert first[point["period"]] == _as_kept(point["value"])
    charts = workbook["Trends"]._charts
    assert len(charts) == len(trends)
    assert charts[0].series[0].val.numRef.f.startswith("'Trends'!$B$2:")


def test_progress_page_is_printable_without_the_network(evaluator_client, issued):
    page = evaluator_client.get(
        f"/api/v1/reports/{issued.id}/file?format=html").get_data(as_text=True)
    assert page.count("<svg") >= 30, "a chart of the statuses and one per indicator trend"
    assert "Summary" in page and "off track" in page
    assert not EXTERNAL.search(page)


def test_workbook_prints_its_tables_with_their_headings_on_every_page(workbook):
    indicators = workbook["Indicators"]
    assert indicators.print_title_rows == "$1:$1"
    assert indicators.page_setup.orientation == "landscape"
    assert indicators.sheet_properties.pageSetUpPr.fitToPage
    assert workbook["Sex"].page_setup.orientation == "portrait"


def test_report_tells_the_crisis_the_break_and_the_paired_estimate(workbook, evaluator_client,
                                                                    issued):
    caveats = _table(workbook["Caveats"])
    said = {row["Code"]: [] for row in caveats}
    for row in caveats:
        said[row["Code"]].append(row["What to bear in mind"])
    assert any("Gang violence in the northern provinces" in line and "pre-crisis trend" in line
               for line in said["PR1.1"])
    assert any("of the phenomenon is reported" in line for line in said["PR1.1"])
    assert any(line.startswith("Series break in 2025Q3") for line in said["PU4.1"])
    marked = {row["Code"]: row["Comparability"] for row in _table(workbook["Indicators"])}
    assert marked["PU4.1"] == "across a series break" and not marked["PR1.1"]
    page = evaluator_client.get(
        f"/api/v1/reports/{issued.id}/file?format=html").get_data(as_text=True)
    assert '<li data-code="PU4.1"><strong>PU4.1</strong> Series break in 2025Q3' in page
    assert '<rect class="crisis" data-first="2025Q3"' in page      # the small charts
    assert '<line class="series-break" data-period="2025Q3"' in page
    assert 'class="paired-estimate"' in page
