"""The scheduler compiles the progress report without waiting for anyone; an evaluator then adds
narrative per principle and indicator, which issues a new version keeping the very figures of
the one it annotates. Versions stay immutable."""

from __future__ import annotations

import json
import re

import pytest

from mne.scheduling import report_settings
from reports.archive import compile_and_issue
from tests.helpers import csrf_token_of

PERIOD = "2026Q3"


@pytest.fixture
def issued(db, demo, settings):
    with db.transaction() as session:
        return compile_and_issue(session, "progress", demo.strategy, PERIOD,
                                 report_settings(settings), "scheduler")


def _file(client, report_id: int, format: str) -> bytes:
    return client.get(f"/api/v1/reports/{report_id}/file?format={format}").data


def test_an_evaluators_narrative_issues_a_new_version_with_the_same_figures(
        evaluator_client, issued, db, settings, demo):
    form = evaluator_client.get(f"/reports/{issued.id}/narrative").get_data(as_text=True)
    assert re.search(r"Prevent<textarea[^>]*>\d+ indicators: \d+ ", form)   # computed default
    answer = evaluator_client.post(f"/reports/{issued.id}/narrative", data={
        "csrf_token": csrf_token_of(evaluator_client, f"/reports/{issued.id}/narrative"),
        "principles:Prevent": "Prevention moves slowly in the border regions.",
        "indicators:PV1.1": "The homicide rate fell less than planned.",
    })
    assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
    listed = evaluator_client.get("/api/v1/reports?kind=progress").get_json()
    assert [entry["version"] for entry in listed] == [2, 1]
    first = json.loads(_file(evaluator_client, listed[1]["id"], "json"))
    second = json.loads(_file(evaluator_client, listed[0]["id"], "json"))
    assert second["sections"] == first["sections"]
    assert second["returns_used"] == first["returns_used"]
    assert second["narratives"] == {
        "principles": {"Prevent": "Prevention moves slowly in the border regions."},
        "indicators": {"PV1.1": "The homicide rate fell less than planned."}}
    page = _file(evaluator_client, listed[0]["id"], "html").decode()
    assert "Prevention moves slowly in the border regions." in page
    assert "The homicide rate fell less than planned." in page
    assert "Prevention moves slowly" not in _file(evaluator_client, listed[1]["id"],
                                                  "html").decode()
    with db.transaction() as session:   # the scheduler again, no figure changed
        again = compile_and_issue(session, "progress", demo.strategy, PERIOD,
                                  report_settings(settings), "scheduler")
    assert again.version == 2


def test_only_those_who_compile_reports_write_narratives(client_as, issued):
    assert client_as("viewer").get(f"/reports/{issued.id}/narrative").status_code == 403
