"""A strategy's progress table computed from values in the database, checked by hand."""

import pytest

from indicators.evaluation import IndicatorProgress, strategy_progress
from indicators.framework import ensure_default_scale
from indicators.model import (
    Entity,
    EntityPopulation,
    Indicator,
    Objective,
    Principle,
    Strategy,
    Target,
)
from indicators.periods import parse_period
from indicators.progress import Status, Thresholds
from indicators.values import ValueKey, write_values

THRESHOLDS = Thresholds(on_track=0.9, at_risk=0.6, maintain_tolerance=0.05, trend_periods=6)


def _indicator(session, objective, code, **fields):
    targets = fields.pop("targets", [])
    defaults = {"kind": "quantitative", "unit": "count", "direction": "increase",
                "frequency": "quarterly", "aggregation": "sum"}
    indicator = Indicator(strategy_id=objective.principle.strategy.id, objective=objective,
                          code=code, name=f"Indicator {code}", **{**defaults, **fields})
    indicator.targets = [Target(period=period, period_end=parse_period(period).end, value=value,
                                final=final) for period, value, final in targets]
    session.add(indicator)
    session.flush()
    return indicator


@pytest.fixture
def small_strategy(session):
    strategy = Strategy(code="S", title="Small strategy", area="Somewhere", start_year=2025,
                        end_year=2027)
    principle = Principle(strategy=strategy, code="PREVENT", name="Prevent")
    objective = Objective(principle=principle, code="O1", title="Objective")
    country = Entity(code="A", name="Country office")
    agency = Entity(code="B", name="Agency", parent=country)
    other = Entity(code="C", name="Other country")
    session.add_all([strategy, principle, objective, country, agency, other])
    session.flush()
    session.add_all([EntityPopulation(entity_id=country.id, year=2026, population=1_000_000),
                     EntityPopulation(entity_id=other.id, year=2026, population=3_000_000)])
    scale = ensure_default_scale(session)
    people = _indicator(session, objective, "I1", baseline_value=100.0, baseline_period="2025Q4",
                        sex_required=True,
                        targets=[("2026Q4", 200.0, False), ("2027Q4", 300.0, True)])
    rate = _indicator(session, objective, "I2", unit="rate_per_100k", aggregation="mean",
                      direction="decrease", baseline_value=4.0, baseline_period="2025Q4",
                      targets=[("2026Q4", 2.0, True)])
    level = _indicator(session, objective, "I3", kind="qualitative", unit="level",
                       aggregation="latest", scale_id=scale.id)
    _indicator(session, objective, "I4", baseline_value=1.0, baseline_period="2025Q4",
               targets=[("2026Q4", 2.0, True)])
    ids = {entity.code: entity.id for entity in (country, agency, other)}
    rows = [
        (ValueKey(people.id, ids["A"], "2026Q1"), {"value": 60}),
        (ValueKey(people.id, ids["A"], "2026Q1", "sex=female"), {"value": 20}),
        (ValueKey(people.id, ids["A"], "2026Q1", "sex=male"), {"value": 40}),
        (ValueKey(people.id, ids["B"], "2026Q1"), {"value": 70}),
        (ValueKey(rate.id, ids["A"], "2026Q1"), {"value": 2.0}),
        (ValueKey(rate.id, ids["C"], "2026Q1"), {"value": 4.0}),
        (ValueKey(level.id, ids["A"], "2026Q1"), {"level": 2, "narrative": "Halfway there"}),
    ]
    write_values(session, rows)
    session.commit()
    return strategy


def _by_code(rows: list[IndicatorProgress]) -> dict[str, IndicatorProgress]:
    return {row.code: row for row in rows}


def test_counts_add_up_across_entities_and_are_judged_against_expected_progress(
        session, small_strategy):
    row = _by_code(strategy_progress(session, "S", "2026Q1", THRESHOLDS))["I1"]
    assert row.latest_value == 130.0 and row.latest_period == "2026Q1"
    assert row.entities_reporting == 2
    assert (row.target_value, row.target_period) == (200.0, "2026Q4")
    assert row.progress == pytest.approx(0.3)                  # (130 − 100) / (200 − 100)
    assert row.expected_progress == pytest.approx(90 / 365)    # 1 Jan–31 Mar of the year
    assert row.status is Status.ON_TRACK


def test_sex_breakdown_and_coverage_of_the_strategy_total(session, small_strategy):
    row = _by_code(strategy_progress(session, "S", "2026Q1", THRESHOLDS))["I1"]
    assert (row.sex.female, row.sex.male) == (20.0, 40.0)
    assert row.sex.female_share == pytest.approx(20 / 130)
    assert row.sex.female_to_male == pytest.approx(0.5)
    assert row.sex_coverage == pytest.approx(0.5)              # A broke it down, B did not


def test_rates_per_100000_are_weighted_by_population(session, small_strategy):
    row = _by_code(strategy_progress(session, "S", "2026Q1", THRESHOLDS))["I2"]
    # A: 2.0 on 1 million (inherited by nobody), C: 4.0 on 3 million → 14 / 4 = 3.5
    assert row.latest_value == pytest.approx(3.5)
    assert row.progress == pytest.approx(0.25)                 # (3.5 − 4) / (2 − 4)


def test_qualitative_progress_is_level_over_top_level_without_target(session, small_strategy):
    row = _by_code(strategy_progress(session, "S", "2026Q1", THRESHOLDS))["I3"]
    assert (row.level, row.level_label, row.narrative) == (2, "in progress", "Halfway there")
    assert row.progress == pytest.approx(0.5)


def test_indicator_without_values_has_no_data(session, small_strategy):
    row = _by_code(strategy_progress(session, "S", "2026Q1", THRESHOLDS))["I4"]
    assert row.status is Status.NO_DATA and row.latest_value is None


def test_one_entity_is_judged_on_its_own_values_against_its_part_of_a_sum(
        session, small_strategy):
    rows = _by_code(strategy_progress(session, "S", "2026Q1", THRESHOLDS, entity_code="B"))
    assert rows["I1"].latest_value == 70.0
    # B gave 70 of the 130 counted: baseline and target are taken pro rata
    assert rows["I1"].baseline_value == pytest.approx(100 * 70 / 130)
    assert rows["I1"].target_value == pytest.approx(200 * 70 / 130)
    assert rows["I1"].progress == pytest.approx(0.3)
    assert rows["I1"].sex is None and rows["I1"].sex_coverage == 0.0   # total without breakdown
    assert rows["I2"].status is Status.NO_DATA


def test_values_after_the_period_asked_do_not_count(session, small_strategy):
    rows = _by_code(strategy_progress(session, "S", "2025Q4", THRESHOLDS))
    assert rows["I1"].status is Status.NO_DATA
