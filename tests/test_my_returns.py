"""A coordinator's desk: every return their entities owe, by when, where it stands in words,
sent-back returns first with their comments; the same list on the page and in the API."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from importers.return_form import (
    L_CODE,
    L_LEVEL,
    L_NARRATIVE,
    Q_CODE,
    Q_HIGH,
    Q_KEY,
    Q_LOW,
    Q_NATURE,
    Q_VALUE,
)
from importers.review_sheet import REVIEW_SHEET
from indicators.model import Entity, Indicator, Return, ReturnState
from indicators.obligations import Obligation, standing
from indicators.periods import parse_period
from indicators.return_review import ValueComment, send_back
from reports.model import Notification
from tests.helpers import csrf_token_of
from tests.return_workbooks import cell_of, fill, rows_by_code

Q3 = parse_period("2026Q3")
Q3_DUE = dt.date(2026, 10, 30)  # config.toml: due 30 days after the quarter ends


def _words(as_of: dt.date, returns=(), comments: int = 0) -> str:
    obligation = Obligation(Entity(code="AG", name="Agency"), Q3, (), Q3_DUE)
    return standing(obligation, list(returns), as_of).in_words(comments)


@pytest.mark.parametrize(("as_of", "words"), [
    (dt.date(2026, 9, 15), "not yet due"),
    (dt.date(2026, 10, 20), "due in 10 days"),
    (dt.date(2026, 10, 29), "due in 1 day"),
    (dt.date(2026, 10, 30), "due today"),
    (dt.date(2026, 10, 31), "late by 1 day"),
    (dt.date(2026, 11, 2), "late by 3 days"),
])
def test_a_return_not_received_says_when_it_is_due(as_of, words):
    assert _words(as_of) == words


def test_a_received_return_says_what_became_of_it():
    received = dt.datetime(2026, 10, 10)
    sent_back = Return(state=ReturnState.RETURNED, revision=1, uploaded_at=received)
    assert _words(dt.date(2026, 11, 2), [sent_back], comments=2) == "sent back with 2 comments"
    assert _words(dt.date(2026, 11, 2), [sent_back], comments=1) == "sent back with 1 comment"
    approved = Return(state=ReturnState.APPROVED, revision=1, uploaded_at=received)
    assert _words(dt.date(2026, 11, 2), [approved]) == "approved"


@pytest.fixture
def on_day(monkeypatch):
    """Judge due dates on a chosen day."""
    def set_day(day: dt.date) -> None:
        monkeypatch.setattr("mne.evaluation.today", lambda: day)
    return set_day


def _send_back(db, period: str) -> None:
    with db.transaction() as session:
        sent = session.scalars(select(Return).where(Return.period == period,
                                                    Return.state == ReturnState.SUBMITTED)).one()
        c1 = session.scalars(select(Indicator.id).where(Indicator.code == "C1")).one()
        send_back(session, sent, "evaluator@test.example", "Check the count.",
                  [ValueComment(c1, "sex=male", "Twice last quarter's figure?")])


def test_coordinator_lists_what_is_owed_with_sent_back_first(app, db, small_strategy, token_for,
                                                             client_as, on_day):
    on_day(dt.date(2026, 10, 20))
    token = token_for("coordinator", "AG")
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    template = client.get("/api/v1/templates?entity=AG&period=2026Q2", headers=headers)
    assert template.status_code == 200
    workbook = fill(template.data)
    response = client.post("/api/v1/returns?entity=AG&period=2026Q2", headers=headers,
                           data={"file": (io.BytesIO(workbook), "r.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    _send_back(db, "2026Q2")

    listed = client.get("/api/v1/me/returns", headers=headers).get_json()
    by_period = {(item["entity"], item["period"]): item for item in listed}
    assert listed[0]["period"] == "2026Q2"
    assert listed[0]["in_words"] == "sent back with 2 comments"
    assert listed[0]["review_comments"] == [{"indicator": "C1", "disaggregation": "sex=male",
                                             "comment": "Twice last quarter's figure?"}]
    assert by_period[("AG", "2026Q3")]["due_date"] == "2026-10-30"
    assert by_period[("AG", "2026Q3")]["in_words"] == "due in 10 days"
    assert by_period[("AG", "2026Q4")]["in_words"] == "not yet due"
    assert by_period[("AG", "2026Q3")]["template_url"].startswith("/api/v1/templates?")
    assert all(entity == "AG" for entity, _period in by_period)  # OT owes nothing here

    page = client_as("coordinator", "AG").get("/my/returns").get_data(as_text=True)
    assert page.index('data-period="2026Q2"') < page.index('data-period="2026Q3"')
    for item in listed:
        assert item["in_words"] in page
    assert "Twice last quarter&#39;s figure?" in page


def test_coordinators_land_on_their_returns_and_others_on_the_overview(client_as,
                                                                       small_strategy):
    coordinator = client_as("coordinator", "AG").get("/")
    assert coordinator.status_code == 302 and coordinator.headers["Location"] == "/my/returns"
    assert client_as("evaluator").get("/").status_code == 200
    assert client_as("viewer").get("/").status_code == 200


def test_only_one_s_own_entities_are_listed(app, small_strategy, token_for, on_day):
    on_day(dt.date(2026, 10, 20))
    token = token_for("coordinator", "OT")
    listed = app.test_client().get("/api/v1/me/returns",
                                   headers={"Authorization": f"Bearer {token}"}).get_json()
    assert listed == []  # OT reports nothing of SMALL


def test_no_link_a_user_cannot_follow(client_as, demo):
    for role, entity in (("viewer", None), ("coordinator", "POL")):
        client = client_as(role, entity)
        pages = [client.get(path).get_data(as_text=True) for path in
                 ("/strategies/MRD-NSOC/dashboard", "/entities/POL", "/entities/CUS")]
        assert all("Data quality" not in page for page in pages), role
    viewer = client_as("viewer")
    assert "/returns/" not in viewer.get("/entities/POL").get_data(as_text=True)
    assert 'class="return-link"' not in "".join(
        viewer.get(f"/strategies/MRD-NSOC/indicators/{code}").get_data(as_text=True)
        for code in ("PV1.1", "PV1.2"))
    assert "/quality" in client_as("evaluator").get(
        "/strategies/MRD-NSOC/dashboard").get_data(as_text=True)


def test_coordinators_are_told_when_a_return_is_sent_back_or_approved(app, db, small_strategy,
                                                                      token_for, client_as):
    coordinator = {"Authorization": f"Bearer {token_for('coordinator', 'AG')}"}
    evaluator = {"Authorization": f"Bearer {token_for('evaluator')}"}
    client = app.test_client()
    template = client.get("/api/v1/templates?entity=AG&period=2026Q2", headers=coordinator)
    sent = client.post("/api/v1/returns?entity=AG&period=2026Q2", headers=coordinator,
                       data={"file": (io.BytesIO(fill(template.data)), "r.xlsx")},
                       content_type="multipart/form-data").get_json()
    answer = client.post(f"/api/v1/returns/{sent['return_id']}/send-back", headers=evaluator,
                         json={"note": "Check the count.", "comments": [
                             {"indicator": "C1", "disaggregation": "sex=male",
                              "comment": "Twice last quarter's figure?"}]})
    assert answer.status_code == 200, answer.get_json()

    with db.sessions() as session:
        told = session.scalars(select(Notification)).all()
    assert [item.recipient for item in told] == ["coordinator-ag@test.example"]
    assert told[0].subject == "Return sent back: AG, 2026Q2, revision 1"
    assert "Check the count." in told[0].body
    assert "C1 sex=male: Twice last quarter's figure?" in told[0].body
    assert told[0].sent_at is None  # no SMTP server configured: kept on /notifications
    page = client_as("coordinator", "AG").get("/notifications").get_data(as_text=True)
    assert "Return sent back: AG, 2026Q2, revision 1" in page

    resent = client.post("/api/v1/returns?entity=AG&period=2026Q2", headers=coordinator,
                         data={"file": (io.BytesIO(fill(template.data, {("C1", ""): 101})),
                                        "r.xlsx")},
                         content_type="multipart/form-data").get_json()
    approved = client.post(f"/api/v1/returns/{resent['return_id']}/approve", headers=evaluator)
    assert approved.status_code == 200, approved.get_json()
    with db.sessions() as session:
        subjects = session.scalars(select(Notification.subject).order_by(Notification.id)).all()
    assert subjects == ["Return sent back: AG, 2026Q2, revision 1",
                        "Return approved: AG, 2026Q2, revision 2"]


def test_the_template_of_a_sent_back_return_is_filled_with_what_was_sent(app, db, small_strategy,
                                                                         token_for):
    coordinator = {"Authorization": f"Bearer {token_for('coordinator', 'AG')}"}
    client = app.test_client()
    blank = client.get("/api/v1/templates?entity=AG&period=2026Q2", headers=coordinator).data
    sent = fill(blank, {("C1", "sex=female"): "<5", ("C1", "sex=male"): (55, "estimated"),
                        ("C1", "sex=unknown"): None},
                cells={f"Quantitative!{cell_of(blank, 'P1', '', 'L')}": 40,
                       f"Quantitative!{cell_of(blank, 'P1', '', 'M')}": 50})
    answer = client.post("/api/v1/returns?entity=AG&period=2026Q2", headers=coordinator,
                         data={"file": (io.BytesIO(sent), "r.xlsx")},
                         content_type="multipart/form-data")
    assert answer.status_code == 201, answer.get_json()
    _send_back(db, "2026Q2")

    again = client.get("/api/v1/templates?entity=AG&period=2026Q2", headers=coordinator).data
    workbook = openpyxl.load_workbook(io.BytesIO(again))
    assert REVIEW_SHEET in workbook.sheetnames
    sheet = workbook["Quantitative"]
    rows = rows_by_code(sheet, Q_CODE, Q_KEY)
    entered = {key: tuple(sheet.cell(row, column).value for column in (Q_VALUE, Q_NATURE))
               for key, row in rows.items()}
    assert entered[("C1", "")] == (100, None)
    assert entered[("C1", "sex=female")] == ("<5", None)
    assert entered[("C1", "sex=male")] == (55, "estimated")
    assert entered[("C1", "sex=unknown")] == (None, None)
    assert entered[("P1", "")] == (45, None)
    assert [sheet.cell(rows[("P1", "")], column).value for column in (Q_LOW, Q_HIGH)] == [40, 50]
    levels = workbook["Qualitative"]
    row = rows_by_code(levels, L_CODE)[("Q1", "")]
    assert [levels.cell(row, column).value for column in (L_LEVEL, L_NARRATIVE)] == [
        "2 – in progress", "Work has started."]
    resent = client.post("/api/v1/returns?entity=AG&period=2026Q2", headers=coordinator,
                         data={"file": (io.BytesIO(again), "again.xlsx")},
                         content_type="multipart/form-data").get_json()
    assert resent["outcome"] == "submitted" and not resent["diff"]["changed"], resent["diff"]


def test_a_return_for_a_period_still_running_is_only_checked(app, small_strategy, token_for,
                                                             on_day):
    on_day(dt.date(2026, 9, 15))  # 2026Q3 runs until 30 September
    coordinator = {"Authorization": f"Bearer {token_for('coordinator', 'AG')}"}
    client = app.test_client()
    template = client.get("/api/v1/templates?entity=AG&period=2026Q3", headers=coordinator)
    answer = client.post("/api/v1/returns?entity=AG&period=2026Q3", headers=coordinator,
                         data={"file": (io.BytesIO(fill(template.data)), "early.xlsx")},
                         content_type="multipart/form-data").get_json()
    assert answer["outcome"] == "checked" and answer["return_id"] is None
    assert answer["message"].startswith("2026Q3 has not ended yet, so this return was checked "
                                        "as a draft and not submitted")
    on_day(dt.date(2026, 10, 1))
    answer = client.post("/api/v1/returns?entity=AG&period=2026Q3", headers=coordinator,
                         data={"file": (io.BytesIO(fill(template.data)), "now.xlsx")},
                         content_type="multipart/form-data").get_json()
    assert answer["outcome"] == "submitted"


def test_a_clean_check_is_submitted_without_choosing_the_file_again(app, db, small_strategy,
                                                                    client_as, on_day):
    on_day(dt.date(2026, 10, 20))
    client = client_as("coordinator", "AG")
    template = client.get("/returns/of/AG/2026Q3/template").data
    checked = client.post("/returns/of/AG/2026Q3", data={
        "csrf_token": csrf_token_of(client, "/returns/of/AG/2026Q3"), "action": "check",
        "file": (io.BytesIO(fill(template)), "q3.xlsx")}, content_type="multipart/form-data")
    page = checked.get_data(as_text=True)
    assert 'data-outcome="checked"' in page and 'id="submit-checked"' in page
    action = re.search(r'action="(/uploads/\d+/submit)"', page).group(1)
    with db.sessions() as session:
        assert session.scalars(select(Return)).all() == []

    other = client_as("coordinator", "OT")
    refused = other.post(action, data={"csrf_token": csrf_token_of(other, "/my/returns")})
    assert refused.status_code == 403  # someone else's upload
    submitted = client.post(action, data={"csrf_token": csrf_token_of(client, "/my/returns")})
    assert 'data-outcome="submitted"' in submitted.get_data(as_text=True)
    with db.sessions() as session:
        assert [item.state for item in session.scalars(select(Return))] == [
            ReturnState.SUBMITTED]
