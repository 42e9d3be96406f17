"""The arithmetic evaluators rely on, checked against numbers worked out by hand."""

import datetime as dt
import math

import pandas as pd
import pytest

from indicators.breakdown import coverage, inconsistent_totals, sex_breakdown
from indicators.periods import parse_period
from indicators.progress import (
    Status,
    TargetPoint,
    Thresholds,
    applicable_target,
    expected_progress,
    judge,
    progress,
)
from indicators.quality import (
    completeness,
    is_unusual,
    is_unusual_share,
    outlier_score,
    outliers,
    unusual_shares,
)
from indicators.trends import least_squares, trajectory
from indicators.vocabulary import Direction

THRESHOLDS = Thresholds(on_track=0.9, at_risk=0.6, maintain_tolerance=0.05, trend_periods=4)
D = dt.date


def test_progress_of_an_increase_is_the_share_of_the_way_to_the_target():
    assert progress(130, 100, 200, Direction.INCREASE, 0.05) == pytest.approx(0.3)


def test_progress_of_a_decrease_counts_the_fall_towards_the_target():
    # from 40 towards 20: at 35 a quarter of the way; at 45 a quarter backwards
    assert progress(35, 40, 20, Direction.DECREASE, 0.05) == pytest.approx(0.25)
    assert progress(45, 40, 20, Direction.DECREASE, 0.05) == pytest.approx(-0.25)


def test_progress_of_maintain_is_full_within_the_tolerance_band_and_fades_beyond():
    assert progress(72, 71, 70, Direction.MAINTAIN, 0.05) == 1.0          # 2.9 % away
    assert progress(77, 71, 70, Direction.MAINTAIN, 0.05) == pytest.approx(0.0)   # 10 % away
    assert progress(73.85, 71, 70, Direction.MAINTAIN, 0.05) == pytest.approx(0.9)  # 5.5 % away


def test_progress_needs_a_value_and_a_way_to_go():
    assert progress(None, 1, 2, Direction.INCREASE, 0.05) is None
    assert progress(5, 3, 3, Direction.INCREASE, 0.05) is None


def test_expected_progress_is_linear_from_baseline_period_to_target_period():
    assert expected_progress(D(2024, 1, 1), D(2024, 1, 11), D(2024, 1, 5)) == pytest.approx(0.4)
    assert expected_progress(D(2024, 1, 1), D(2024, 1, 11), D(2025, 1, 1)) == 1.0
    assert expected_progress(D(2024, 1, 1), D(2024, 1, 11), D(2023, 1, 1)) == 0.0
    assert expected_progress(D(2024, 1, 1), D(2024, 1, 11), D(2024, 1, 5),
                             Direction.MAINTAIN) == 1.0


@pytest.mark.parametrize(("made", "expected", "status"), [
    (None, 0.5, Status.NO_DATA),
    (1.0, 0.5, Status.ACHIEVED),
    (0.45, 0.5, Status.ON_TRACK),      # ratio 0.9 exactly
    (0.449, 0.5, Status.AT_RISK),
    (0.30, 0.5, Status.AT_RISK),       # ratio 0.6 exactly
    (0.299, 0.5, Status.OFF_TRACK),
    (-0.2, 0.5, Status.OFF_TRACK),
])
def test_status_at_each_threshold(made, expected, status):
    assert judge(made, expected, THRESHOLDS) is status


def test_a_maintained_indicator_is_never_achieved_only_kept():
    assert judge(1.0, 1.0, THRESHOLDS, Direction.MAINTAIN) is Status.ON_TRACK


def test_the_target_that_applies_is_the_next_one_else_the_final_one():
    targets = [TargetPoint("2028Q4", D(2028, 12, 31), 4, final=True),
               TargetPoint("2026Q4", D(2026, 12, 31), 3)]
    assert applicable_target(targets, D(2026, 9, 30)).period == "2026Q4"
    assert applicable_target(targets, D(2026, 12, 31)).period == "2026Q4"
    assert applicable_target(targets, D(2027, 3, 31)).period == "2028Q4"
    assert applicable_target(targets, D(2030, 3, 31)).period == "2028Q4"
    assert applicable_target([], D(2030, 3, 31)) is None


def _yearly(values: list[float], first_year: int = 2020) -> pd.Series:
    return pd.Series(values, index=[D(first_year + step, 1, 1) for step in range(len(values))])


def test_slope_is_the_least_squares_line_per_year():
    slope, intercept = least_squares(pd.Series([1.0, 2.0, 2.0, 3.0],
                                               index=[D(2021, 1, 1), D(2022, 1, 1),
                                                      D(2023, 1, 1), D(2024, 1, 1)]).items())
    # x = 0, 1, 2, 3 years (to within leap days): slope 0.6, intercept 1.1
    assert slope == pytest.approx(0.6, rel=1e-3)
    assert intercept == pytest.approx(1.1, rel=1e-3)


def test_projection_and_observed_over_required_rate():
    series = pd.Series([10.0, 12.0, 14.0, 16.0, 18.0],
                       index=[D(2020, 1, 1), D(2020, 7, 2), D(2021, 1, 1), D(2021, 7, 2),
                              D(2021, 12, 31)])  # +4 a year, half-yearly points
    line = trajectory(series.items(), window=4, target_end=D(2023, 12, 31), target=30.0,
                      baseline=10.0, baseline_end=D(2019, 12, 31))
    # the last 4 points start at 12 on 2020-07-02: 12 + 4 × 3.5 years = 26 at the target
    assert line.slope == pytest.approx(4.0, rel=1e-2)
    assert line.projected == pytest.approx(26.0, rel=1e-2)
    # required: (30 − 10) over 4 years = 5 a year; observed 4 → 0.8
    assert line.observed_required_ratio == pytest.approx(0.8, rel=1e-2)


def test_one_point_makes_no_trend():
    line = trajectory(_yearly([5.0]).items(), 4, D(2030, 1, 1), 9.0, 1.0, D(2019, 1, 1))
    assert (line.slope, line.projected, line.observed_required_ratio) == (None, None, None)


def test_sex_shares_ratio_and_unknown():
    shares = sex_breakdown({"female": 30, "male": 60, "unknown": 10}, total=100)
    assert shares.female_share == pytest.approx(0.3)
    assert shares.male_share == pytest.approx(0.6)
    assert shares.female_to_male == pytest.approx(0.5)
    assert shares.unknown_share == pytest.approx(0.1)
    assert shares.other is None


def test_sex_shares_of_a_percentage_are_not_shares_but_the_ratio_remains():
    shares = sex_breakdown({"female": 49.0, "male": 70.0}, total=58.0, additive=False)
    assert shares.female_share is None
    assert shares.female_to_male == pytest.approx(0.7)


def test_sex_coverage_is_the_share_of_totals_with_a_breakdown():
    assert coverage(3, 4) == 0.75
    assert coverage(0, 0) is None


def test_breakdowns_that_exceed_or_fall_short_of_their_total():
    frame = pd.DataFrame([
        # A: female + male = 12 > 10 → inconsistent
        ("A", "", 10.0), ("A", "sex=female", 5.0), ("A", "sex=male", 7.0),
        # B: female + male + unknown = 9 < 10 with unknown given → inconsistent
        ("B", "", 10.0), ("B", "sex=female", 4.0), ("B", "sex=male", 4.0),
        ("B", "sex=unknown", 1.0),
        # C: female + male = 8 < 10 but unknown not reported → not judged
        ("C", "", 10.0), ("C", "sex=female", 4.0), ("C", "sex=male", 4.0),
        # D: adds up
        ("D", "", 10.0), ("D", "sex=female", 4.0), ("D", "sex=male", 6.0),
    ], columns=["entity", "disaggregation", "value"])
    found = inconsistent_totals(frame)
    assert found[["entity", "dimension", "total", "breakdown_sum"]].values.tolist() == [
        ["A", "sex", 10.0, 12.0], ["B", "sex", 10.0, 9.0]]


def test_completeness_and_timeliness_per_entity_and_period():
    frame = pd.DataFrame([
        ("POL", "2026Q1", True, True),
        ("POL", "2026Q2", True, False),    # received late
        ("CUS", "2026Q1", True, True),
        ("CUS", "2026Q2", False, False),   # missing
    ], columns=["entity", "period", "received", "on_time"])
    by_entity = completeness(frame, "entity").set_index("entity")
    assert by_entity.loc["POL", "completeness"] == 1.0
    assert by_entity.loc["POL", "timeliness"] == 0.5
    assert by_entity.loc["CUS", "completeness"] == 0.5
    assert by_entity.loc["CUS", "timeliness"] == 0.5
    by_period = completeness(frame, "period").set_index("period")
    assert by_period.loc["2026Q2", "completeness"] == 0.5
    assert by_period.loc["2026Q2", "timeliness"] == 0.0


def test_modified_z_score_against_the_rest_of_the_series():
    # the others 10 11 9 12: median 10.5, |deviations| 0.5 0.5 1.5 1.5 → MAD 1;
    # 50 scores 0.6745 × 39.5 = 26.643
    assert outlier_score(50.0, [10.0, 11.0, 9.0, 12.0]) == pytest.approx(26.643, rel=1e-4)
    assert outlier_score(10.0, [11.0, 9.0]) is None  # too short a series


def test_modified_z_score_falls_back_to_mean_deviation_when_mad_is_zero():
    # the others 5 5 5 6: median 5, |deviations| 0 0 0 1 → MAD 0, MeanAD 0.25
    # → 5 / (1.253314 × 0.25) = 15.958; all equal: any other value is infinitely far
    assert outlier_score(10.0, [5.0, 5.0, 5.0, 6.0]) == pytest.approx(15.958, rel=1e-4)
    assert outlier_score(10.0, [5.0, 5.0, 5.0]) == math.inf
    assert outlier_score(5.0, [5.0, 5.0, 5.0]) == 0.0


@pytest.mark.parametrize(("value", "earlier", "count", "warned"), [
    (335, [272, 250, 290, 268, 281], True, False),  # ordinary drift of a count
    (3, [0, 1, 0, 2], True, False),  # a small, zero-inflated count
    (2720, [272, 250, 290, 268, 281], True, True),  # ×10
    (4, [1, 1, 1], True, False),  # a small count within chance
    (20, [1, 1, 1], True, True),
    (-45.0, [44.0, 46.0, 45.5, 44.5], False, True),  # a sign flip
    (0.45, [44.0, 46.0, 45.5, 44.5], False, True),  # a percentage typed as a fraction
])
def test_a_warning_needs_a_robust_score_and_a_change_beyond_chance(value, earlier, count,
                                                                   warned):
    assert is_unusual(value, earlier, count) is warned


FEMALE_40 = [(40, 100), (82, 200), (39, 95), (41, 104)]


@pytest.mark.parametrize(("part", "whole", "earlier", "warned"), [
    (60, 100, FEMALE_40, True),  # female and male swapped
    (45, 100, FEMALE_40, False),  # ordinary variation
    (6, 8, FEMALE_40, False),  # too small a total to judge
    (8, 12, FEMALE_40, True),  # small, but the share never moved like this
    (60, 100, FEMALE_40[:2], False),  # too short a history
    (1, 30, [(0, 28), (1, 31), (0, 25)], False),  # a rare category stays rare
])
def test_a_category_share_warns_when_it_leaves_its_history(part, whole, earlier, warned):
    assert is_unusual_share(part, whole, earlier) is warned


def test_a_swapped_breakdown_warns_once_for_its_period():
    rows = [(period, key, value) for period, female, male in (
        ("2025Q4", 40, 60), ("2026Q1", 41, 59), ("2026Q2", 39, 61), ("2026Q3", 60, 40))
        for key, value in (("", 100), ("sex=female", female), ("sex=male", male))]
    frame = pd.DataFrame([("C1", "AG", period, parse_period(period).end, key, value)
                          for period, key, value in rows],
                         columns=["indicator", "entity", "period", "period_end",
                                  "disaggregation", "value"])
    found = unusual_shares(frame, "2026Q3")
    assert [(row["disaggregation"], row["share"], row["usual"]) for row in found] == [
        ("sex=female", 0.6, 0.4)]
    assert unusual_shares(frame, "2026Q2") == []


def test_outliers_are_judged_within_each_series():
    frame = pd.DataFrame(
        [("A", v) for v in (10.0, 11.0, 9.0, 12.0, 50.0)]
        + [("B", v) for v in (100.0, 400.0, 700.0, 1000.0, 1300.0)]
        + [("C", v) for v in (1.0, 90.0)],
        columns=["series", "value"])
    found = outliers(frame, ["series"])
    assert found[["series", "value"]].values.tolist() == [["A", 50.0]]
