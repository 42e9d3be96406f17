"""Issued reports count approved figures only, as the pages do for viewers; an evaluator may
compile a preliminary version with the submitted figures, marked preliminary on every page
and never shown to viewers. A scheduled job's run is recorded once, however many schedulers
run it."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
from sqlalchemy import func, select

from mne.scheduling import job_context
from reports.jobs import run_recorded
from reports.model import JobRun
from tests.return_workbooks import fill

PERIOD = "2026Q3"


def _submit_return(api_client_as) -> int:
    """A return of AG for the period, submitted (not approved): C1 is 100 there."""
    coordinator = api_client_as("coordinator", "AG")
    template = coordinator.get(f"/api/v1/templates?entity=AG&period={PERIOD}").data
    response = coordinator.post("/api/v1/returns", data={
        "file": (io.BytesIO(fill(template, {("C1", ""): 100})), "return.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["return_id"]


def _compile(evaluator, preliminary: bool = False) -> None:
    form = {"kind": "progress", "strategy": "SMALL", "period": PERIOD}
    if preliminary:
        form["preliminary"] = "1"
    assert evaluator.post("/reports/compile", data=form).status_code == 302


def _reports(client) -> list[dict]:
    return client.get("/api/v1/reports").get_json()


def _trend_of_c1(client, report_id: int) -> dict:
    figures = client.get(f"/api/v1/reports/{report_id}").get_json()["figures"]
    trends = next(section for section in figures["sections"] if section["key"] == "trends")
    return next(row for row in trends["rows"] if row["code"] == "C1")


def test_an_issued_report_counts_approved_figures_only(
        small_strategy, api_client_as, evaluator_client):
    _submit_return(api_client_as)
    evaluator_client.application.config["WTF_CSRF_ENABLED"] = False
    _compile(evaluator_client)
    [issued] = _reports(evaluator_client)
    assert issued["preliminary"] is False and issued["returns_used"] == []
    assert _trend_of_c1(evaluator_client, issued["id"]).get(PERIOD) is None


def test_a_preliminary_report_includes_submitted_figures_marked_on_every_page(
        small_strategy, api_client_as, evaluator_client, client_as, app):
    submitted = _submit_return(api_client_as)
    app.config["WTF_CSRF_ENABLED"] = False
    _compile(evaluator_client, preliminary=True)
    [preliminary] = _reports(evaluator_client)
    assert preliminary["preliminary"] is True
    assert [item["id"] for item in preliminary["returns_used"]] == [submitted]
    assert _trend_of_c1(evaluator_client, preliminary["id"])[PERIOD] == 100

    html = evaluator_client.get(f"/reports/{preliminary['id']}.html").get_data(as_text=True)
    assert 'id="preliminary"' in html and "PRELIMINARY" in html
    workbook = openpyxl.load_workbook(io.BytesIO(
        evaluator_client.get(f"/reports/{preliminary['id']}.xlsx").data))
    for sheet in workbook.worksheets:
        assert "PRELIMINARY" in (sheet.oddHeader.center.text or ""), sheet.title
        assert "PRELIMINARY" in (sheet.oddFooter.center.text or ""), sheet.title
    figures = json.loads(evaluator_client.get(
        f"/reports/{preliminary['id']}.json").get_data(as_text=True))
    assert figures["preliminary"] is True


def test_viewers_never_see_a_preliminary_report(
        small_strategy, api_client_as, evaluator_client, client_as, app):
    _submit_return(api_client_as)
    app.config["WTF_CSRF_ENABLED"] = False
    _compile(evaluator_client, preliminary=True)
    _compile(evaluator_client)
    preliminary = next(item for item in _reports(evaluator_client) if item["preliminary"])
    viewer = client_as("viewer")
    assert [item["preliminary"] for item in _reports(viewer)] == [False]
    assert viewer.get(f"/api/v1/reports/{preliminary['id']}").status_code == 404
    assert viewer.get(f"/api/v1/reports/{preliminary['id']}/file").status_code == 404
    assert viewer.get(f"/reports/{preliminary['id']}.html").status_code == 404
    assert "preliminary" not in viewer.get("/reports").get_data(as_text=True).split(
        "<table", 1)[-1]


def test_two_schedulers_record_a_job_run_once(settings, db):
    due = dt.datetime(2026, 10, 15, 6, 0)
    first = run_recorded(job_context(settings, db), "reminders", due)
    second = run_recorded(job_context(settings, db), "reminders", due)
    assert first is not None and second is None
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(JobRun)) == 1
