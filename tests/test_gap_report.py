"""The gap report names what stands between a strategy and its plan in one period."""

from __future__ import annotations

import datetime as dt

import pytest

from indicators.framework import ensure_default_scale, ensure_dimensions
from indicators.model import (
    Dimension,
    Entity,
    Indicator,
    IndicatorDimension,
    Kind,
    Objective,
    Principle,
    Return,
    ReturnState,
    Strategy,
    Target,
    Upload,
)
from indicators.obligations import Calendar
from indicators.periods import parse_period
from indicators.progress import Thresholds
from indicators.values import ValueKey, write_values
from reports.archive import ReportSettings, compile_report

AS_OF = dt.date(2026, 11, 20)
SETTINGS = ReportSettings(storage_folder=None, calendar=Calendar("quarterly", 30),
                          thresholds=Thresholds(on_track=0.9, at_risk=0.6,
                                                maintain_tolerance=0.05, trend_periods=6))


def compile_gaps(session, period, as_of=AS_OF, preliminary=True):
    """The gap report; preliminary by default, since the plan's 2026Q3 figures are submitted
    and not yet approved."""
    return compile_report(session, "gaps", "GAP", period, SETTINGS, as_of, preliminary)


def _indicator(session, strategy, objective, code, **fields):
    defaults = dict(name=f"Indicator {code}", kind=Kind.QUANTITATIVE, unit="count",
                    direction="increase", frequency="quarterly", aggregation="sum",
                    baseline_value=10.0, baseline_period="2024Q4")
    indicator = Indicator(strategy=strategy, objective=objective, code=code,
                          **{**defaults, **fields})
    session.add(indicator)
    return indicator


@pytest.fixture
def plan(session, settings):
    """A small strategy whose 2026Q3 has one gap of each kind."""
    ensure_dimensions(session, settings.dimensions)
    scale = ensure_default_scale(session)
    dimensions = {row.code: row for row in session.query(Dimension)}
    strategy = Strategy(code="GAP", title="Gap strategy", area="Testland", start_year=2025,
                        end_year=2028)
    principle = Principle(strategy=strategy, code="PROTECT", name="Protect")
    objective = Objective(principle=principle, code="O1", title="Victims are protected")
    police, courts, statistics = (Entity(code=code, name=name) for code, name in
                                  (("POL", "Police"), ("CRT", "Courts"), ("STAT", "Statistics")))
    session.add_all([strategy, police, courts, statistics])
    victims = _indicator(session, strategy, objective, "V1", sex_required=True,
                         reporters=[police, courts])
    victims.dimension_links = [IndicatorDimension(dimension=dimensions["sex"])]
    _indicator(session, strategy, objective, "V2", baseline_value=None, baseline_period=None,
               reporters=[police])
    minors = _indicator(session, strategy, objective, "V3", sex_required=True,
                        reporters=[police])
    minors.dimension_links = [IndicatorDimension(dimension=dimensions["age"])]
    plan_adopted = _indicator(session, strategy, objective, "Q1", kind=Kind.QUALITATIVE,
                              unit="level", aggregation="latest", scale_id=scale.id,
                              baseline_value=0.0, reporters=[police])
    _indicator(session, strategy, objective, "A1", frequency="annual", reporters=[statistics])
    session.flush()
    for indicator in (victims, minors, plan_adopted):
        indicator.targets = [Target(period="2028Q4", period_end=dt.date(2028, 12, 31),
                                    value=20.0, final=True)]
    session.add(Target(indicator_id=session.query(Indicator).filter_by(code="A1").one().id,
                       period="2028", period_end=dt.date(2028, 12, 31), value=5.0, final=True))
    sent = Return(strategy=strategy, entity=police, period="2026Q3", revision=1,
                  state=ReturnState.SUBMITTED,
                  upload=Upload(sha256="", file_path="",
                                uploaded_at=dt.datetime(2026, 10, 12, 9, 0)))
    late_last_quarter = Return(strategy=strategy, entity=courts, period="2026Q2", revision=1,
                               state=ReturnState.APPROVED,
                               upload=Upload(sha256="", file_path="",
                                             uploaded_at=dt.datetime(2026, 8, 20, 9, 0)))
    session.add_all([sent, late_last_quarter])
    session.flush()
    write_values(session, [
        (ValueKey.of(victims.id, police.id, "2026Q3"), {"value": 10, "return_id": sent.id}),
        (ValueKey.of(victims.id, police.id, "2026Q3", "sex=female"), {"value": 6}),
        (ValueKey.of(victims.id, police.id, "2026Q3", "sex=male"), {"value": 5}),
        (ValueKey.of(minors.id, police.id, "2026Q3"), {"value": 3}),
        (ValueKey.of(plan_adopted.id, police.id, "2026Q3"), {"level": 2, "narrative": "Drafted"}),
        (ValueKey.of(victims.id, courts.id, "2026Q2"), {"value": 7}),
        (ValueKey.of(victims.id, courts.id, "2026Q2", "sex=female"), {"value": 3}),
        (ValueKey.of(victims.id, courts.id, "2026Q2", "sex=male"), {"value": 4}),
    ])
    session.commit()
    return strategy


def _rows(report, key, *columns):
    return [tuple(row[column] for column in columns) for row in report.section(key).rows]


def test_coordinator_sees_which_returns_are_missing_or_late(session, plan):
    third = compile_gaps(session, "2026Q3")
    assert _rows(third, "returns", "entity", "status", "days_late") == [("CRT", "late", 21)]
    second = compile_gaps(session, "2026Q2")   # approved, but it came 21 days late
    assert ("CRT", "approved", 21) in _rows(second, "returns", "entity", "status", "days_late")


def test_return_not_yet_due_is_shown_as_such(session, plan):
    report = compile_gaps(session, "2026Q3", dt.date(2026, 10, 15))
    assert _rows(report, "returns", "entity", "status") == [("CRT", "due")]
    running = compile_gaps(session, "2026Q4", dt.date(2026, 10, 15))
    assert set(_rows(running, "returns", "status")) == {("not_due",)}


def test_annual_indicator_is_not_expected_in_a_third_quarter(session, plan):
    report = compile_gaps(session, "2026Q3")
    assert "STAT" not in [row[0] for row in _rows(report, "returns", "entity")]
    assert "A1" not in [row[0] for row in _rows(report, "no_data", "indicator")]
    fourth = compile_gaps(session, "2026Q4", dt.date(2027, 3, 1))
    assert ("STAT", "late") in _rows(fourth, "returns", "entity", "status")


def test_indicators_without_data_baseline_or_target_are_listed(session, plan):
    report = compile_gaps(session, "2026Q3")
    assert _rows(report, "no_data", "indicator") == [("V2",)]
    assert _rows(report, "no_baseline", "indicator") == [("V2",)]
    assert _rows(report, "no_target", "indicator") == [("V2",)]


def test_indicator_off_track_shows_its_distance_to_the_expected_value(session, plan):
    report = compile_gaps(session, "2026Q3")
    rows = {row["indicator"]: row for row in report.section("off_track").rows}
    expected_share = (dt.date(2026, 9, 30) - dt.date(2024, 12, 31)).days / (
        dt.date(2028, 12, 31) - dt.date(2024, 12, 31)).days
    victims = rows["V1"]
    assert victims["latest_value"] == 10.0
    assert victims["expected_value"] == pytest.approx(10 + expected_share * 10)
    assert victims["distance"] == pytest.approx(-expected_share * 10)
    assert "V2" not in rows, "an indicator without data is not off track but without data"


def test_an_issued_gap_report_reads_approved_figures_only(session, plan):
    report = compile_gaps(session, "2026Q3", preliminary=False)
    rows = {row["indicator"]: row for row in report.section("off_track").rows}
    assert rows["V1"]["latest_value"] == 7.0, "the police's submitted 10 is not approved yet"
    assert _rows(report, "inconsistent", "indicator") == []
    assert not report.preliminary


def test_total_without_its_required_breakdowns_is_a_gap(session, plan):
    report = compile_gaps(session, "2026Q3")
    assert _rows(report, "missing_breakdown", "indicator", "entity", "dimension") == [
        ("V3", "POL", "age"), ("V3", "POL", "sex")]


def test_breakdown_that_does_not_add_up_shows_its_difference(session, plan):
    report = compile_gaps(session, "2026Q3")
    assert _rows(report, "inconsistent", "indicator", "entity", "total", "sum", "difference") \
        == [("V1", "POL", 10.0, 11.0, 1.0)]


def test_qualitative_answer_without_evidence_and_return_awaiting_review(session, plan):
    report = compile_gaps(session, "2026Q3")
    assert _rows(report, "no_evidence", "indicator", "entity", "level") == [("Q1", "POL", 2)]
    assert _rows(report, "awaiting_review", "entity", "period", "days_waiting") == [
        ("POL", "2026Q3", (AS_OF - dt.date(2026, 10, 12)).days)]


def test_summary_counts_each_gap_and_report_names_the_returns_it_read(session, plan):
    report = compile_gaps(session, "2026Q3")
    counts = {row["gap"]: row["count"] for row in report.section("summary").rows}
    assert counts["Returns missing or late"] == 1
    assert counts["Breakdowns that do not add up to their total"] == 1
    sent = session.query(Return).filter_by(period="2026Q3").one()
    assert report.returns_used == [{"id": sent.id, "revision": 1}]
    assert parse_period(report.period).code == "2026Q3"
