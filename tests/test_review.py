"""The review of returns: evaluators approve (the period locks) or send back with comments that
the coordinator reads; administrators reopen; each coordinator sees only their entities."""

import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from importers.review_sheet import REVIEW_SHEET, add_review_sheet
from indicators.diffs import CONTENT_FIELDS, IncomingValue, revision_diff, shown
from indicators.evaluation import indicators_of
from indicators.model import DataValue, Entity, Return, ReturnState
from indicators.return_review import (
    PeriodLocked,
    ValueComment,
    ensure_period_open,
    feedback_for_period,
    send_back,
)
from tests.helpers import csrf_token_of


def _submitted(session, entity_code: str, period: str = "2026Q3") -> Return:
    return session.scalars(select(Return).join(Entity).where(
        Entity.code == entity_code, Return.period == period,
        Return.state == ReturnState.SUBMITTED)).one()


def _post(client, path: str, page: str, **form):
    return client.post(path, data={**form, "csrf_token": csrf_token_of(client, page)})


def _state(db, return_id: int) -> ReturnState:
    with db.sessions() as session:
        return session.get(Return, return_id).state


def test_queue_lists_submitted_returns_for_evaluators(client_as, demo, session):
    pol = _submitted(session, "POL")
    page = client_as("evaluator").get("/review").get_data(as_text=True)
    assert f'data-return="{pol.id}"' in page
    assert "2026Q3" in page


def test_evaluator_sees_the_values_of_a_return(client_as, demo, session):
    pol = _submitted(session, "POL")
    value = session.scalars(select(DataValue).where(DataValue.return_id == pol.id)).first()
    page = client_as("evaluator").get(f"/review/{pol.id}").get_data(as_text=True)
    assert f'data-indicator="{value.indicator.code}"' in page
    assert "Approve (locks the period)" in page


def test_review_page_puts_the_decision_above_and_below_values_in_framework_order(
        client_as, demo, session):
    pol = _submitted(session, "POL")
    page = client_as("evaluator").get(f"/review/{pol.id}").get_data(as_text=True)
    top, values, bottom = page.partition('<table class="values">')[0], page, page.rpartition(
        "</table>")[2]
    for part in (top, bottom):
        assert 'form="send-back"' in part and 'form="approve"' in part
    assert 'id="approve"' in page and "data-confirm=" in page
    listed = list(dict.fromkeys(re.findall(r'<tr class="value" data-indicator="([^"]+)"', values)))
    framework = [indicator.code for indicator in indicators_of(session, pol.strategy)]
    assert listed == [code for code in framework if code in listed] and len(listed) > 3


def test_approve_locks_the_period_with_a_message_naming_who_can_reopen(client_as, demo, db,
                                                                       session):
    pol = _submitted(session, "POL")
    evaluator = client_as("evaluator")
    _post(evaluator, f"/review/{pol.id}/approve", f"/review/{pol.id}")
    assert _state(db, pol.id) is ReturnState.APPROVED
    with db.sessions() as fresh, pytest.raises(PeriodLocked) as locked:
        ensure_period_open(fresh, pol.strategy_id, pol.entity_id, "2026Q3")
    message = str(locked.value)
    assert "approved by evaluator@test.example" in message
    assert "Only an administrator can reopen" in message


def test_reopen_needs_a_reason_and_an_administrator(client_as, demo, db, session):
    pol = _submitted(session, "POL")
    _post(client_as("evaluator"), f"/review/{pol.id}/approve", f"/review/{pol.id}")
    admin = client_as("administrator")
    page = _post(admin, f"/review/{pol.id}/reopen", f"/review/{pol.id}", reason=" ")
    assert _state(db, pol.id) is ReturnState.APPROVED
    followed = admin.get(page.headers["Location"]).get_data(as_text=True)
    assert "Give the reason for reopening" in followed
    _post(admin, f"/review/{pol.id}/reopen", f"/review/{pol.id}",
          reason="Police corrected the Q3 seizures")
    assert _state(db, pol.id) is ReturnState.RETURNED
    with db.sessions() as fresh:
        ensure_period_open(fresh, pol.strategy_id, pol.entity_id, "2026Q3")


def test_evaluator_cannot_reopen(client_as, demo, db, session):
    pol = _submitted(session, "POL")
    evaluator = client_as("evaluator")
    _post(evaluator, f"/review/{pol.id}/approve", f"/review/{pol.id}")
    response = _post(evaluator, f"/review/{pol.id}/reopen", f"/review/{pol.id}", reason="x")
    assert response.status_code == 403
    assert _state(db, pol.id) is ReturnState.APPROVED


def test_sent_back_comments_reach_the_coordinator(client_as, demo, db, session):
    pol = _submitted(session, "POL")
    value = session.scalars(select(DataValue).where(DataValue.return_id == pol.id)
                            .order_by(DataValue.id)).first()
    field = f"comment:{value.indicator_id}:{value.disaggregation}"
    _post(client_as("evaluator"), f"/review/{pol.id}/send-back", f"/review/{pol.id}",
          note="Seizures look doubled compared with Q2.", **{field: "Check this <b>total</b>"})
    assert _state(db, pol.id) is ReturnState.RETURNED
    coordinator = client_as("coordinator", "POL")
    page = coordinator.get(f"/review/{pol.id}").get_data(as_text=True)
    assert "Seizures look doubled compared with Q2." in page
    assert "Check this &lt;b&gt;total&lt;/b&gt;" in page
    assert "Approve" not in page
    feedback = coordinator.get(f"/api/v1/returns/{pol.id}/review").get_json()["feedback"]
    assert feedback["comments"][0] == {"indicator": value.indicator.code,
                                       "disaggregation": value.disaggregation,
                                       "comment": "Check this <b>total</b>"}


def test_sending_back_without_any_comment_is_refused(client_as, demo, db, session):
    pol = _submitted(session, "POL")
    evaluator = client_as("evaluator")
    response = _post(evaluator, f"/review/{pol.id}/send-back", f"/review/{pol.id}", note="")
    assert _state(db, pol.id) is ReturnState.SUBMITTED
    assert "Say what needs correcting" in evaluator.get(
        response.headers["Location"]).get_data(as_text=True)


def test_coordinator_of_one_entity_gets_403_for_another_entitys_return(client_as, demo,
                                                                       session):
    customs = _submitted(session, "CUS")
    police = _submitted(session, "POL")
    coordinator = client_as("coordinator", "POL")
    assert coordinator.get(f"/review/{police.id}").status_code == 200
    assert coordinator.get(f"/review/{customs.id}").status_code == 403
    assert coordinator.get(f"/api/v1/returns/{customs.id}/review").status_code == 403
    assert coordinator.get(f"/api/v1/returns/{police.id}/review").status_code == 200


def test_coordinator_of_a_parent_entity_reads_its_sub_entities(client_as, demo, session):
    police = _submitted(session, "POL")
    parent = session.get(Entity, police.entity_id).parent
    assert parent is not None
    coordinator = client_as("coordinator", parent.code)
    assert coordinator.get(f"/review/{police.id}").status_code == 200


def test_api_token_reviews_with_the_same_rules(token_for, app, demo, session):
    pol = _submitted(session, "POL")
    evaluator, viewer = token_for("evaluator"), token_for("viewer")
    client = app.test_client()
    denied = client.post(f"/api/v1/returns/{pol.id}/approve",
                         headers={"Authorization": f"Bearer {viewer}"})
    assert denied.status_code == 403
    approved = client.post(f"/api/v1/returns/{pol.id}/approve",
                           headers={"Authorization": f"Bearer {evaluator}"})
    assert approved.status_code == 200
    assert approved.get_json()["decision"]["by"] == "evaluator@test.example"
    again = client.post(f"/api/v1/returns/{pol.id}/approve",
                        headers={"Authorization": f"Bearer {evaluator}"})
    assert again.status_code == 409


def test_diff_shows_what_a_new_revision_changed(demo, db):
    with db.sessions() as session:
        first = _submitted(session, "POL")
        current = {(value.indicator_id, value.disaggregation): value for value in
                   session.scalars(select(DataValue).where(DataValue.return_id == first.id))}
        changed = next(value for value in current.values() if value.value is not None)
        before = {name: getattr(changed, name) for name in CONTENT_FIELDS}
        after = {**before, "value": changed.value + 7}
        incoming = [IncomingValue(value.indicator_id, value.indicator.code,
                                  value.disaggregation, f"{value.source_sheet}!{value.source_cell}",
                                  after if value is changed else
                                  {name: getattr(value, name) for name in CONTENT_FIELDS})
                    for value in current.values()]
        diff = revision_diff(incoming, current, first.revision)
        code = changed.indicator.code
    assert diff.against_revision == first.revision
    assert diff.added == [] and diff.removed == []
    assert [(item["indicator"], item["breakdown"], item["before"], item["after"])
            for item in diff.changed] == [(code, changed.disaggregation, shown(before),
                                           shown(after))]


def test_the_comments_are_written_on_a_sheet_of_the_next_template(demo, db):
    with db.transaction() as session:
        pol = _submitted(session, "POL")
        value = session.scalars(select(DataValue).where(DataValue.return_id == pol.id)).first()
        send_back(session, pol, "evaluator@test.example", "=Totals missing",
                  [ValueComment(value.indicator_id, value.disaggregation, "Too high?")])
    with db.sessions() as session:
        workbook = openpyxl.Workbook()
        add_review_sheet(workbook, feedback_for_period(session, pol.strategy_id, pol.entity_id,
                                                       pol.period))
    output = io.BytesIO()
    workbook.save(output)
    sheet = openpyxl.load_workbook(io.BytesIO(output.getvalue()))[REVIEW_SHEET]
    texts = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert "Sent back for correction by evaluator@test.example" in texts[0]
    assert "'=Totals missing" in texts and "Too high?" in texts
