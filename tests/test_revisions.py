"""Revisions of a return: a revision replaces exactly the rows its template asks, an emptied cell
is a problem the coordinator sees, earlier revisions become superseded, and the changes are
shown against the last imported revision, numbers written as people write them."""

import datetime as dt

import pytest
from sqlalchemy import select

from importers.returns import Expected, receive_return
from indicators.audit import AuditEvent
from indicators.evaluation import approved_figures, strategy_progress
from indicators.model import DataValue, DataValueHistory, Indicator, Return, ReturnState
from indicators.obligations import Calendar
from indicators.progress import Thresholds
from indicators.return_review import ReviewError, approve, return_values, review_queue
from indicators.values import ValueKey, write_values
from indicators.vocabulary import written_number
from reports.archive import ReportSettings, compile_report
from tests.return_workbooks import GOOD_QUALITATIVE, GOOD_QUANTITATIVE, cell_of, fill

PERIOD = "2026Q3"
THRESHOLDS = Thresholds(on_track=0.9, at_risk=0.6, maintain_tolerance=0.05, trend_periods=6)


@pytest.fixture
def send(db, tmp_path):
    def send(data: bytes):
        return receive_return(db.sessions, tmp_path / "storage", data, "return.xlsx",
                              "coordinator@test.example", expected=Expected(entity="AG"))
    return send


def _value(db, code: str, breakdown: str = "", period: str = PERIOD) -> DataValue | None:
    with db.sessions() as session:
        return session.scalars(select(DataValue).join(Indicator).where(
            Indicator.code == code, DataValue.disaggregation == breakdown,
            DataValue.period == period)).one_or_none()


def _status(db, code: str):
    with db.sessions() as session:
        return next(row.status for row in strategy_progress(session, "SMALL", PERIOD, THRESHOLDS)
                    if row.code == code)


def test_a_revision_leaves_values_its_template_does_not_ask_alone(db, small_strategy, template,
                                                                  send):
    with db.transaction() as session:
        annual = session.scalars(select(Indicator).where(Indicator.code == "A1")).one()
        annual.baseline_value, annual.baseline_period = 10, "2025Q4"
        write_values(session, [(ValueKey.of(annual.id, small_strategy["entity"], PERIOD),
                                {"value": 17})])
    status = _status(db, "A1")

    first = send(fill(template))
    second = send(fill(template, {("P1", ""): 50}))

    assert (first.revision, second.revision) == (1, 2)
    assert _value(db, "A1").value == 17
    assert _status(db, "A1") == status
    assert not first.diff.removed and not second.diff.removed
    with db.sessions() as session:
        assert session.scalars(select(DataValueHistory).join(Indicator).where(
            Indicator.code == "A1")).all() == []


def test_emptying_a_required_cell_that_held_a_value_is_an_error(db, template, send):
    send(fill(template))
    result = send(fill(template, {("P1", ""): None}))
    problem = next(item for item in result.report.errors if item.type == "value_emptied")
    assert problem.reference == f"Quantitative!{cell_of(template, 'P1')}"
    assert "45" in problem.message
    assert _value(db, "P1").value == 45


def test_a_required_cell_emptied_and_flagged_not_available_is_accepted(db, template, send):
    send(fill(template))
    result = send(fill(template, {("P1", ""): (None, "not available")}))
    assert not result.report.has_errors
    assert [(item["indicator"], item["before"], item["after"]) for item in
            result.diff.changed] == [("P1", "45", "(not available)")]


def test_emptying_a_breakdown_category_is_a_warning_and_the_diff_names_its_cell(db, template,
                                                                                send):
    send(fill(template))
    result = send(fill(template, {("C1", "sex=unknown"): None, ("C1", "sex=male"): 60}))
    warning = next(item for item in result.report.warnings if item.type == "category_emptied")
    cell = f"Quantitative!{cell_of(template, 'C1', 'sex=unknown')}"
    assert warning.reference == cell and "5" in warning.message
    assert not result.report.has_errors
    assert result.diff.removed == [{"indicator": "C1", "breakdown": "sex=unknown", "cell": cell,
                                    "before": "5", "after": ""}]
    assert _value(db, "C1", "sex=unknown") is None


def test_a_breakdown_category_never_filled_may_stay_empty(db, template, send):
    result = send(fill(template, {("C1", "sex=unknown"): None, ("C1", "sex=male"): 60}))
    assert not result.report.problems
    assert _value(db, "C1", "sex=unknown") is None
    assert not result.diff.removed


def test_a_later_revision_supersedes_the_earlier_ones(db, template, send):
    first = send(fill(template))
    rejected = send(fill(template, {("P1", ""): "about half"}))
    third = send(fill(template, {("P1", ""): 48}))
    with db.transaction() as session:
        states = {item.revision: item.state for item in session.scalars(select(Return))}
        assert states == {1: ReturnState.SUPERSEDED, 2: ReturnState.REJECTED,
                          3: ReturnState.SUBMITTED}
        assert [item.revision for item in review_queue(session)] == [3]
        with pytest.raises(ReviewError):
            approve(session, session.get(Return, first.return_id), "evaluator@test.example")
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "return.superseded")).all()
        assert [(event.subject_id, event.after["superseded_by"]) for event in events] == \
            [(f"AG {PERIOD} r1", 3)]
        approve(session, session.get(Return, third.return_id), "evaluator@test.example")
    assert rejected.revision == 2
    assert third.diff.against_revision == 1
    assert [(item["indicator"], item["before"], item["after"]) for item in
            third.diff.changed] == [("P1", "45", "48")]
    settings = ReportSettings(storage_folder=None, calendar=Calendar("quarterly", 30),
                              thresholds=THRESHOLDS)
    with db.sessions() as session:
        report = compile_report(session, "gaps", "SMALL", PERIOD, settings,
                                dt.date(2026, 11, 20))
        assert report.section("awaiting_review").rows == []


def test_superseded_is_a_state_with_words_and_a_colour():
    assert ReturnState.SUPERSEDED.label == "superseded"
    assert ReturnState.SUPERSEDED.fill
    assert not ReturnState.SUPERSEDED.stands and ReturnState.APPROVED.stands


@pytest.mark.parametrize(("number", "written"), [
    (2586150.0, "2,586,150"), (2586150.5, "2,586,150.5"), (5.0, "5"), (45.25, "45.25"),
    (0.5, "0.5")])
def test_numbers_are_written_as_people_write_them(number, written):
    assert written_number(number) == written


def test_the_diff_shows_numbers_as_people_write_them(db, template, send):
    send(fill(template))
    result = send(fill(template, {("C1", ""): 2586150, ("C1", "sex=female"): 2586045,
                                  ("P1", ""): 45.5}))
    shown = {(item["indicator"], item["breakdown"]): (item["before"], item["after"])
             for item in result.diff.changed}
    assert shown[("C1", "")] == ("100", "2,586,150")
    assert shown[("P1", "")] == ("45", "45.5")
    assert all("e+" not in text and "None" not in text and ".0" not in text
               for pair in shown.values() for text in pair)


def test_a_superseded_revision_stays_readable_and_the_last_one_owns_the_values_in_force(
        db, template, send):
    first = send(fill(template))
    second = send(fill(template, {("P1", ""): 50}))
    with db.transaction() as session:
        brought = return_values(session, session.get(Return, first.return_id))
        assert len(brought) == len(GOOD_QUANTITATIVE) + len(GOOD_QUALITATIVE)
        in_force = session.scalars(select(DataValue).where(DataValue.period == PERIOD)).all()
        assert {value.return_id for value in in_force} == {second.return_id}
        approve(session, session.get(Return, second.return_id), "evaluator@test.example")
    with db.sessions() as session:
        approved = session.scalars(approved_figures(select(DataValue).where(
            DataValue.period == PERIOD))).all()
        assert len(approved) == len(in_force)
