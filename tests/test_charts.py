"""Charts people can trust: one chart module draws the pages' and the reports' charts, by the
same rules (an even time axis with gaps, incomplete periods marked, the projection from the
fitted line, labelled baseline and target, the unit named, one colour per category, a text
alternative)."""

import re

import pandas as pd
import pytest

from indicators.periods import parse_period
from indicators.trends import least_squares
from indicators.vocabulary import OKABE_ITO, Sex, Status, Unit, category_colour
from reports.charts import (
    Point,
    Projection,
    axis_title,
    breakdown_chart,
    projection_start,
    sparkline,
    status_chart,
    trend_chart,
)

POINT = re.compile(r'<circle class="actual-point[^"]*" cx="([\d.]+)" cy="([\d.]+)"')
LINE = re.compile(r'<polyline class="actual" points="([^"]+)"')


def _points(values: dict[str, float], entities: dict[str, int] | None = None) -> list[Point]:
    entities = entities or {}
    return [Point(parse_period(code), value, entities.get(code, 3))
            for code, value in values.items()]


def test_a_missing_period_leaves_a_gap_on_an_even_axis():
    chart = trend_chart("Victims", "count", _points(
        {"2025Q1": 10, "2025Q2": 12, "2025Q4": 15, "2026Q1": 16}))
    lines = LINE.findall(chart)
    assert [len(line.split()) for line in lines] == [2, 2]   # 2025Q3 is a gap, not a tick
    xs = [float(x) for x, _y in POINT.findall(chart)]
    step = xs[1] - xs[0]
    assert xs[2] - xs[1] == pytest.approx(2 * step, rel=0.05)  # the missing quarter keeps its room
    assert ">2025Q3</text>" in chart


def test_a_period_fewer_entities_reported_is_a_hollow_point_with_a_note():
    chart = trend_chart("Victims", "count", _points(
        {"2025Q1": 30, "2025Q2": 31, "2025Q3": 20}, entities={"2025Q3": 2}))
    assert chart.count('class="actual-point incomplete"') == 1
    assert 'fill="#fff"' in re.search(r'<circle class="actual-point incomplete"[^>]*>',
                                      chart).group(0)
    assert ">2 of 3 entities</text>" in chart


def test_the_projection_starts_on_the_fitted_trend_line_and_is_labelled():
    actual = _points({"2025Q1": 10, "2025Q2": 14, "2025Q3": 11, "2025Q4": 17})
    series = pd.Series([point.value for point in actual],
                       index=[point.period.end for point in actual], dtype=float)
    slope, intercept = least_squares(series.items())
    target = parse_period("2027Q4")
    years = (actual[-1].period.end - actual[0].period.end).days / 365.25
    fitted_now = intercept + slope * years
    projected = intercept + slope * (target.end - actual[0].period.end).days / 365.25
    projection = Projection(slope, Point(target, projected))
    start = projection_start(actual[-1], projection)
    assert start.value == pytest.approx(fitted_now)
    assert start.value != pytest.approx(actual[-1].value)
    chart = trend_chart("Seizures", "count", actual, projection=projection)
    assert 'class="projection"' in chart and 'class="projection-label"' in chart
    assert "projection from the trend" in chart


def test_baseline_and_target_are_labelled_points_with_their_periods_and_the_axis_names_its_unit():
    chart = trend_chart("Rate", axis_title(Unit.RATE_PER_100K),
                        _points({"2025Q1": 3.2, "2025Q2": 3.0}),
                        baseline=Point(parse_period("2024"), 3.5),
                        target=Point(parse_period("2028"), 2.0))
    assert re.search(r'class="baseline-label"[^>]*>baseline 2024: 3.5<', chart)
    assert re.search(r'class="target-label"[^>]*>target 2028: 2<', chart)
    assert re.search(r'<text class="unit"[^>]*>rate per 100,000</text>', chart)
    assert axis_title(Unit.AMOUNT, "EUR") == "amount (EUR)"


def test_each_category_keeps_one_colour_in_every_chart():
    first = breakdown_chart("A", "count", {"female": _points({"2025Q1": 1, "2025Q2": 2}),
                                           "male": _points({"2025Q1": 3, "2025Q2": 4})})
    second = breakdown_chart("B", "count", {"unknown": _points({"2025Q1": 1, "2025Q2": 2}),
                                            "female": _points({"2025Q1": 5, "2025Q2": 6}),
                                            "18+": _points({"2025Q1": 5, "2025Q2": 6})})

    def colour(chart, category):
        return re.search(rf'class="category category-{re.escape(category)}"[^>]*stroke="#(\w+)"',
                         chart).group(1)

    assert colour(first, "female") == colour(second, "female") == Sex.FEMALE.colour
    assert colour(first, "male") == Sex.MALE.colour
    assert colour(second, "18+") == category_colour("18+") in OKABE_ITO
    assert len({sex.colour for sex in Sex}) == len(Sex)


def test_every_chart_has_a_title_and_a_description():
    charts = [
        trend_chart("Victims", "count", _points({"2025Q1": 1, "2025Q2": 2})),
        breakdown_chart("By sex", "count", {"female": _points({"2025Q1": 1})}),
        sparkline("Victims: trend", _points({"2025Q1": 1, "2025Q2": 2})),
        status_chart("Statuses", {"Prevent": {Status.ON_TRACK: 2, Status.OFF_TRACK: 1}}),
    ]
    for chart in charts:
        assert re.search(r'role="img"[^>]*><title>[^<]+</title><desc>[^<]+</desc>', chart)


def test_status_chart_counts_each_status_in_its_colour():
    chart = status_chart("Statuses", {"Prevent": {Status.ON_TRACK: 2, Status.OFF_TRACK: 1},
                                      "Pursue": {Status.ACHIEVED: 4}})
    bars = re.findall(r'data-group="(\w+)" data-status="(\w+)" data-count="(\d+)"[^>]*'
                      r'fill="#(\w+)"', chart)
    assert bars == [("Prevent", "on_track", "2", Status.ON_TRACK.colour),
                    ("Prevent", "off_track", "1", Status.OFF_TRACK.colour),
                    ("Pursue", "achieved", "4", Status.ACHIEVED.colour)]
