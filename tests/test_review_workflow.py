"""The review workflow with real uploads: approve locks the period, reopening unlocks it, the
comments reach the coordinator's next template, and every value change is in the audit trail."""

import csv
import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from importers.review_sheet import REVIEW_SHEET
from indicators.audit import AuditEvent
from tests.return_workbooks import fill


@pytest.fixture
def coordinator(api_client_as, small_strategy):
    return api_client_as("coordinator", "AG")


def _upload(client, workbook: bytes):
    return client.post("/api/v1/returns", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(workbook), "return.xlsx")})


def _template(client) -> bytes:
    return client.get("/api/v1/templates?entity=AG&period=2026Q3").data


def test_approved_period_refuses_uploads_until_an_administrator_reopens_it(
        coordinator, api_client_as):
    template = _template(coordinator)
    first = _upload(coordinator, fill(template))
    assert first.status_code == 201
    return_id = first.get_json()["return_id"]
    evaluator = api_client_as("evaluator")
    assert evaluator.post(f"/api/v1/returns/{return_id}/approve").status_code == 200

    refused = _upload(coordinator, fill(template, {("P1", ""): 47}))
    assert refused.status_code == 409
    message = refused.get_json()["message"]
    assert "approved by evaluator@test.example" in message
    assert "Only an administrator can reopen the period" in message

    assert evaluator.post(f"/api/v1/returns/{return_id}/reopen",
                          json={"reason": "typo"}).status_code == 403
    reopened = api_client_as("administrator").post(
        f"/api/v1/returns/{return_id}/reopen", json={"reason": "P1 was mistyped"})
    assert reopened.status_code == 200
    accepted = _upload(coordinator, fill(template, {("P1", ""): 47}))
    assert accepted.status_code == 201 and accepted.get_json()["revision"] == 2


def test_comments_of_a_sent_back_return_are_in_the_next_template(coordinator, api_client_as):
    template = _template(coordinator)
    return_id = _upload(coordinator, fill(template)).get_json()["return_id"]
    sent_back = api_client_as("evaluator").post(
        f"/api/v1/returns/{return_id}/send-back",
        json={"note": "Please check P1.", "comments": [
            {"indicator": "P1", "disaggregation": "", "comment": "45% looks high"}]})
    assert sent_back.status_code == 200
    assert sent_back.get_json()["state"] == "returned"
    workbook = openpyxl.load_workbook(io.BytesIO(_template(coordinator)))
    texts = [cell.value for row in workbook[REVIEW_SHEET].iter_rows() for cell in row
             if cell.value]
    assert "Please check P1." in texts and "45% looks high" in texts
    assert _upload(coordinator, fill(_template(coordinator), {("P1", ""): 40})).status_code == 201


def test_audit_page_lists_the_before_and_after_of_a_value_changed_by_an_upload(
        coordinator, client_as):
    template = _template(coordinator)
    _upload(coordinator, fill(template))
    _upload(coordinator, fill(template, {("P1", ""): 47}))
    page = client_as("administrator").get("/audit?action=value.change").get_data(as_text=True)
    assert "coordinator-ag@test.example" in page
    assert "P1 · AG · 2026Q3" in page
    assert "<del>45</del> → <ins>47</ins>" in page
    trail = client_as("administrator").get("/audit?action=return").get_data(as_text=True)
    assert trail.count('data-action="return.submitted"') == 2


def test_audit_page_and_export_list_every_value_a_revision_changed_with_who_and_why(
        coordinator, client_as, db):
    template = _template(coordinator)
    _upload(coordinator, fill(template))
    _upload(coordinator, fill(template, {("C1", ""): 110, ("C1", "sex=male"): 65,
                                         ("C1", "sex=unknown"): None}))
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.like("value.%"))) == 2  # one event per revision
    admin = client_as("administrator")
    page = admin.get("/audit?action=value").get_data(as_text=True)
    for subject, change in (("C1 · AG · 2026Q3", "<del>100</del> → <ins>110</ins>"),
                            ("C1 · AG · 2026Q3 · sex=male", "<del>55</del> → <ins>65</ins>"),
                            ("C1 · AG · 2026Q3 · sex=unknown", "<del>5</del> → <ins></ins>")):
        row = re.search(rf'<tr class="event"[^>]*>(?:(?!</tr>).)*>{re.escape(subject)}<'
                        rf'(?:(?!</tr>).)*</tr>', page, re.S).group(0)
        assert "coordinator-ag@test.example" in row and change in row
        assert "AG 2026Q3 r2" in row  # why: the revision it came with
    assert page.count('data-action="value.add"') == 7  # the first revision's values
    exported = list(csv.reader(io.StringIO(admin.get("/audit/export.csv?action=value.change")
                                           .get_data(as_text=True).lstrip("\ufeff"))))
    changed = {row[4]: row for row in exported[1:]}
    assert set(changed) == {"C1 · AG · 2026Q3", "C1 · AG · 2026Q3 · sex=male"}
    assert changed["C1 · AG · 2026Q3"][1] == "coordinator-ag@test.example"
    assert "value: 100 → 110" in changed["C1 · AG · 2026Q3"][5]
    assert "return:  → AG 2026Q3 r2" in changed["C1 · AG · 2026Q3"][5]


def test_review_page_shows_values_warnings_and_changes_since_the_previous_revision(
        coordinator, client_as):
    template = _template(coordinator)
    _upload(coordinator, fill(template))
    second = _upload(coordinator, fill(template, {("P1", ""): (47, "estimated")})).get_json()
    evaluator = client_as("evaluator")
    assert f'data-return="{second["return_id"]}"' in evaluator.get("/review").get_data(
        as_text=True)
    page = evaluator.get(f"/review/{second['return_id']}").get_data(as_text=True)
    assert 'data-indicator="P1" data-breakdown=""' in page
    assert "is estimated" in page
    changed = re.search(r'<tr class="diff-changed">(.*?)</tr>', page, re.S).group(1)
    assert "P1" in changed and ">45<" in changed and ">47 (estimated)<" in changed
