"""How far a figure compares: a crisis compared before, during and after against the
pre-crisis trend, series breaks in the trend and in the chart, a reported series read beside
its paired estimate."""

import re

import pytest
from sqlalchemy import select

from indicators.crises import CrisisSpan, crisis_comparison, write_crisis
from indicators.errors import Invalid
from indicators.evaluation import Scope, progress_rows
from indicators.model import Indicator
from indicators.pairs import PairedPeriod, PairReading
from indicators.periods import parse_period
from indicators.progress import Thresholds
from indicators.series_breaks import write_break
from indicators.values import ValueKey, write_values
from indicators.vocabulary import BreakKind, CrisisKind, EstimateSource
from reports.charts import Point, SeriesContext, Shade, trend_chart

THRESHOLDS = Thresholds(on_track=0.9, at_risk=0.6, maintain_tolerance=0.05, trend_periods=4)


def _series(values: dict[str, float]) -> dict:
    return {parse_period(code): value for code, value in values.items()}


def test_crisis_is_compared_before_during_and_after_against_the_pre_crisis_trend():
    # before: 10, 12, 14, 16 (two more each quarter); the trend carried over 2025Q1–Q2 gives
    # 18 and 20, mean 19; the crisis brought 9 and 11 (mean 10): 9 below the trend, and
    # 10 / 13 − 1 = −23 % against the mean before (13); after: 20 and 22, mean 21.
    series = _series({"2024Q1": 10, "2024Q2": 12, "2024Q3": 14, "2024Q4": 16,
                      "2025Q1": 9, "2025Q2": 11, "2025Q3": 20, "2025Q4": 22})
    crisis = CrisisSpan("Floods", CrisisKind.CLIMATE_DISASTER, parse_period("2025Q1"),
                        parse_period("2025Q2"), ("POL",))
    found = crisis_comparison(series, crisis)
    assert (found.before, found.during, found.after) == (13.0, 10.0, 21.0)
    assert found.expected == pytest.approx(19.0)
    assert found.gap == pytest.approx(-9.0)
    assert found.change == pytest.approx(10 / 13 - 1)


def test_a_crisis_still_lasting_has_no_after_and_one_value_before_gives_no_trend():
    crisis = CrisisSpan("War", CrisisKind.CONFLICT, parse_period("2025Q1"), None, ())
    found = crisis_comparison(_series({"2024Q4": 5, "2025Q1": 3, "2026Q4": 1}), crisis)
    assert (found.before, found.during, found.after) == (5.0, 2.0, None)
    assert found.expected is None and found.gap is None


def test_a_chart_with_a_break_has_two_separate_lines():
    actual = [Point(parse_period(code), value) for code, value in
              (("2025Q1", 10), ("2025Q2", 11), ("2025Q3", 30), ("2025Q4", 32))]
    plain = trend_chart("T", "count", actual)
    broken = trend_chart("T", "count", actual,
                         context=SeriesContext(breaks=[parse_period("2025Q3")]))
    lines = re.findall(r'<polyline class="actual" points="([^"]*)"', broken)
    assert len(re.findall(r'<polyline class="actual"', plain)) == 1
    assert [len(points.split()) for points in lines] == [2, 2]
    assert 'class="series-break" data-period="2025Q3"' in broken
    assert "The series breaks in 2025Q3." in broken


def test_a_chart_shades_a_crisis_and_draws_the_paired_estimate():
    actual = [Point(parse_period(f"2025Q{quarter}"), 10.0 + quarter) for quarter in (1, 2, 3, 4)]
    chart = trend_chart("T", "count", actual, context=SeriesContext(
        crises=[Shade(parse_period("2025Q2"), parse_period("2025Q3"), "Floods")],
        estimate=[Point(parse_period("2025Q1"), 40.0), Point(parse_period("2025Q4"), 44.0)],
        estimate_words="modelled estimate"))
    assert re.search(r'<rect class="crisis" data-first="2025Q2" data-last="2025Q3"', chart)
    assert 'class="paired-estimate"' in chart and "modelled estimate" in chart


@pytest.fixture
def broken_series(small_strategy, session):
    """P1 of the small strategy: 10, 20, 30, 40 in 2025, then measured anew from 2026Q1
    (5, 6, 7); its baseline in 2025Q1."""
    indicator = session.get(Indicator, session.scalar(select(Indicator.id).where(
        Indicator.code == "P1")))
    indicator.baseline_value, indicator.baseline_period = 10.0, "2025Q1"
    values = {"2025Q1": 10, "2025Q2": 20, "2025Q3": 30, "2025Q4": 40,
              "2026Q1": 5, "2026Q2": 6, "2026Q3": 7}
    write_values(session, [(ValueKey.of(indicator.id, small_strategy["entity"], period),
                            {"value": value}) for period, value in values.items()])
    session.commit()
    return indicator


def test_the_trend_after_a_break_ignores_earlier_values(broken_series, session):
    before = progress_rows(session, [broken_series], Scope(), THRESHOLDS)[0]
    assert before.slope < 0 and not before.across_break    # 40 → 5 read as a fall
    write_break(session, broken_series, "2026Q1", BreakKind.DEFINITION, "new definition")
    session.commit()
    after = progress_rows(session, [broken_series], Scope(), THRESHOLDS)[0]
    # one more each quarter from 5 to 7: about four a year (quarters of 91 and 92 days)
    assert after.slope == pytest.approx(4.0, rel=0.01)
    assert after.across_break                   # baseline 2025Q1, latest 2026Q3
    assert after.latest_value == 7.0            # the value itself is kept as it is


def test_a_crisis_cannot_end_before_it_starts(small_strategy, session):
    with pytest.raises(Invalid, match="2025Q1"):
        write_crisis(session, "Storm", CrisisKind.CLIMATE_DISASTER, "2025Q3", "2025Q1", ["AG"])


def test_the_pair_reads_the_share_reported_and_its_movement():
    reading = PairReading("E1", "Estimated victims", EstimateSource.SURVEY, "Survey 2026", [
        PairedPeriod(parse_period("2025Q1"), 100.0, 400.0),
        PairedPeriod(parse_period("2025Q2"), 120.0, None),
        PairedPeriod(parse_period("2025Q3"), 150.0, 300.0)])
    words = reading.in_words()
    assert [period.share for period in reading.compared] == [0.25, 0.5]
    assert "In 2025Q3, 150 reported against 300 estimated (victimisation survey)" in words
    assert "about 50%" in words and "rose from 25% in 2025Q1 to 50%" in words


def _form(client, url: str, **fields):
    page = client.get(url)
    assert page.status_code == 200
    fields["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post(url, data=fields, follow_redirects=True)


def test_administrator_records_a_crisis_a_break_and_a_pairing_in_forms(
        small_strategy, client_as, session):
    client = client_as("administrator")
    agency = str(small_strategy["entity"])
    refused = _form(client, "/admin/crisis/new", name="Storm", kind="climate_disaster",
                    start_period="2025Q3", end_period="2025Q1", entities=[agency], note="")
    assert refused.status_code == 422
    assert "cannot end (2025Q1) before it starts (2025Q3)" in refused.text
    listed = _form(client, "/admin/crisis/new", name="Storm", kind="climate_disaster",
                   start_period="2025Q3", end_period="2025Q4", entities=[agency], note="")
    assert "Storm" in listed.text and "climate-related disaster" in listed.text
    ids = dict(session.execute(select(Indicator.code, Indicator.id)).all())
    _form(client, f"/admin/series_break/new?owner={ids['C1']}", period="2026Q1",
          kind="data_source", note="new register")
    page = _form(client, f"/admin/paired_estimate/new?owner={ids['C1']}",
                 estimate_id=str(ids["A1"]), source="survey", citation="Survey 2026")
    assert "break 2026Q1: change of data source" in page.text
    assert "paired with A1 (victimisation survey)" in page.text
