"""Compiled reports are kept as numbered versions, downloadable, never overwritten; the xlsx is
a real workbook and the html page needs no network."""

from __future__ import annotations

import hashlib
import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from indicators.model import Indicator
from indicators.storage import read_stored
from mne.scheduling import report_settings
from reports.archive import compile_and_issue
from reports.model import CompiledReport
from tests.helpers import csrf_token_of

PERIOD = "2026Q3"
EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//""", re.I)


def _remove_a_baseline(session) -> None:
    """Change a figure the gap report shows: an indicator loses its baseline."""
    session.scalars(select(Indicator).where(Indicator.baseline_value.is_not(None))
                    .order_by(Indicator.id).limit(1)).one().baseline_value = None
    session.flush()


@pytest.fixture
def issued(db, demo, settings):
    """The demonstration's gap report for 2026Q3, compiled twice, a figure changed between."""
    with db.transaction() as session:
        first = compile_and_issue(session, "gaps", demo.strategy, PERIOD,
                                  report_settings(settings), "evaluator")
        _remove_a_baseline(session)
        second = compile_and_issue(session, "gaps", demo.strategy, PERIOD,
                                   report_settings(settings), "evaluator")
    return first, second


def test_compiling_again_with_no_figure_changed_reuses_the_latest_version(db, demo, settings):
    with db.transaction() as session:
        first = compile_and_issue(session, "progress", demo.strategy, PERIOD,
                                  report_settings(settings), "evaluator")
        again = compile_and_issue(session, "progress", demo.strategy, PERIOD,
                                  report_settings(settings), "scheduler")
        assert again.id == first.id and again.version == 1
        count = session.scalar(select(func.count()).select_from(CompiledReport))
    assert count == 1


def test_compiling_again_after_a_figure_changed_makes_a_new_version_and_keeps_the_first(
        db, issued, settings):
    first, second = issued
    assert (first.version, second.version) == (1, 2)
    with db.sessions() as session:
        kept = session.get(CompiledReport, first.id)
        assert kept.compiled_by == "evaluator" and kept.returns_used
        for file in kept.files:
            data = read_stored(settings.storage_folder, file.path)
            assert hashlib.sha256(data).hexdigest() == file.sha256
        assert sorted(file.format.value for file in kept.files) == ["html", "json", "xlsx"]


def test_gap_workbook_has_a_sheet_per_section_frozen_headings_and_a_chart(db, issued,
                                                                        settings):
    with db.sessions() as session:
        kept = session.get(CompiledReport, issued[0].id)
        data = read_stored(settings.storage_folder, kept.file("xlsx").path)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[:3] == ["Report", "Summary", "Returns"]
    returns = workbook["Returns"]
    assert returns.freeze_panes == "A2"
    assert [cell.value for cell in returns[1]][:5] == ["Entity", "Name", "Period", "Due",
                                                       "Status"]
    assert [row[4] for row in returns.iter_rows(min_row=2, max_row=4, values_only=True)] == [
        "submitted", "late", "submitted"]   # the submitted ones came after their due date
    rules = [rule for ranges in returns.conditional_formatting for rule in ranges.rules]
    assert any(rule.formula == ['"late"'] for rule in rules)
    assert workbook["Summary"]._charts, "the summary carries a native chart"


def test_html_report_is_self_contained(db, issued, settings):
    with db.sessions() as session:
        kept = session.get(CompiledReport, issued[0].id)
        page = read_stored(settings.storage_folder, kept.file("html").path).decode()
    assert "<svg" in page and "Returns missing or late" in page
    assert not EXTERNAL.search(page)
    assert "http://" not in page and "https://" not in page


def test_command_line_infers_the_format_from_the_files_extension(demo, run_mne, tmp_path):
    target = tmp_path / "progress.html"
    result = run_mne("report", "progress", "--period", PERIOD, "-o", str(target))
    assert "(html," in result.stdout
    assert target.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_command_line_compiles_a_report_into_a_file(demo, run_mne, tmp_path):
    target = tmp_path / "gaps.xlsx"
    result = run_mne("report", "gaps", "--period", PERIOD, "--format", "xlsx", "-o", str(target))
    assert "version 1" in result.stdout
    workbook = openpyxl.load_workbook(target)
    assert workbook["Report"]["B3"].value == PERIOD
    refused = run_mne("report", "gaps", "--period", "2026Q9", "-o", str(target), check=False)
    assert refused.returncode != 0 and "2026Q9" in refused.stderr


def test_api_lists_versions_with_sha256_and_serves_their_files(evaluator_client, issued):
    listed = evaluator_client.get("/api/v1/reports?kind=gaps").get_json()
    assert [(entry["period"], entry["version"]) for entry in listed] == [(PERIOD, 2),
                                                                         (PERIOD, 1)]
    entry = listed[1]
    download = evaluator_client.get(f"/api/v1/reports/{entry['id']}/file?format=xlsx")
    assert download.status_code == 200
    assert hashlib.sha256(download.data).hexdigest() == entry["files"]["xlsx"]["sha256"]
    figures = evaluator_client.get(f"/api/v1/reports/{entry['id']}").get_json()["figures"]
    returns = next(section for section in figures["sections"] if section["key"] == "returns")
    assert {row["entity"]: row["status"] for row in returns["rows"]}["PROS"] == "late"
    assert evaluator_client.get("/api/v1/reports/999999").status_code == 404


def test_compile_now_on_the_reports_page_issues_a_version(evaluator_client, demo):
    reader = evaluator_client
    assert "No report compiled yet" in reader.get("/reports").get_data(as_text=True)
    form = {"kind": "gaps", "strategy": demo.strategy, "period": PERIOD}
    assert reader.post("/reports/compile", data=form).status_code == 400  # no CSRF token
    answer = reader.post("/reports/compile",
                         data={**form, "csrf_token": csrf_token_of(reader, "/reports")},
                         follow_redirects=True)
    listing = answer.get_data(as_text=True)
    assert "version 1" in listing
    link = re.search(r'href="(/reports/\d+\.html)"', listing).group(1)
    assert b"Gap report 2026Q3" in reader.get(link).data
