"""How far a figure can be trusted: a value's nature (verified, alleged, estimated ... or the
reason it is missing) and its range or lower bound, from the return template to the API, the
exports, the chart, the reports; "not collected because of the crisis" is never late nor zero."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select

from importers.return_form import L_CODE
from importers.returns import Expected, receive_return
from indicators.evaluation import Scope, aggregated_series
from indicators.model import DataValue, Entity, Indicator, Nature, Strategy, UploadOutcome
from indicators.obligations import Calendar
from indicators.periods import parse_period
from indicators.progress import Thresholds
from indicators.values import ValueKey, write_values
from reports.archive import ReportSettings, compile_report
from reports.charts import Point, trend_chart
from reports.gaps import return_statuses
from tests.return_workbooks import cell_of, fill, rows_by_code

PERIOD = "2026Q3"
CRISIS = Nature.NOT_COLLECTED_CRISIS.entry_words
SETTINGS = ReportSettings(storage_folder=None, calendar=Calendar("quarterly", 30),
                          thresholds=Thresholds(on_track=0.9, at_risk=0.6,
                                                maintain_tolerance=0.05, trend_periods=6))


@pytest.fixture
def send(db, tmp_path):
    def send(data: bytes):
        return receive_return(db.sessions, tmp_path / "storage", data, "return.xlsx", "tester",
                              expected=Expected(entity="AG", period=PERIOD))
    return send


def _ranged(template: bytes, **cells) -> bytes:
    """The good return with C1 estimated in a range 90–120 and P1 alleged, at least 45."""
    return fill(template, {("C1", ""): (100, "estimated"), ("P1", ""): (45, "alleged"),
                           ("Y1", ""): (1, "verified")},
                cells={f"Quantitative!{cell_of(template, 'C1', '', 'L')}": 90,
                       f"Quantitative!{cell_of(template, 'C1', '', 'M')}": 120,
                       f"Quantitative!{cell_of(template, 'P1', '', 'N')}": "at least", **cells})


def test_natures_and_ranges_go_from_the_template_to_the_api_and_both_csv_exports(
        template, send, client_as):
    result = send(_ranged(template))
    assert not result.report.errors, [problem.line() for problem in result.report.problems]
    client = client_as("administrator")
    api = {row["indicator"]: row for row in client.get(
        f"/api/v1/values?strategy=SMALL&period={PERIOD}").get_json() if row["breakdown"] == ""}
    assert {code: (api[code]["nature"], api[code]["low"], api[code]["high"],
                   api[code]["at_least"]) for code in ("C1", "P1", "Y1")} == {
        "C1": ("estimated", 90.0, 120.0, False), "P1": ("alleged", 45.0, None, True),
        "Y1": ("verified", None, None, False)}

    sdmx = pd.read_csv(io.BytesIO(client.get(
        "/api/v1/exports/values.sdmx.csv?strategy=SMALL&from=2026Q3").data))
    sdmx = sdmx[sdmx.get("SEX", pd.Series("_T", index=sdmx.index)).fillna("_T") == "_T"]
    read_back = {row.INDICATOR: (row.OBS_STATUS, row.CONF_STATUS, _number(row.LOWER_BOUND),
                                 _number(row.UPPER_BOUND)) for row in sdmx.itertuples()}
    assert {code: read_back[code] for code in ("C1", "P1", "Y1")} == {
        "C1": ("E", "F", 90.0, 120.0), "P1": ("U", "F", 45.0, None), "Y1": ("A", "F", None, None)}

    tidy = pd.read_csv(io.BytesIO(client.get(
        "/api/v1/exports/values.csv?strategy=SMALL&from=2026Q3").data), encoding="utf-8-sig")
    tidy = tidy[tidy["disaggregation"].isna()].set_index("indicator")
    assert {code: (tidy.at[code, "nature"], _number(tidy.at[code, "low"]),
                   _number(tidy.at[code, "high"]), bool(tidy.at[code, "at_least"]))
            for code in ("C1", "P1", "Y1")} == {
        code: (row["nature"], row["low"], row["high"], row["at_least"])
        for code, row in api.items() if code in ("C1", "P1", "Y1")}


def _number(cell) -> float | None:
    return None if pd.isna(cell) else float(cell)


RULES = [
    ("range_reversed", {"L": 120, "M": 90}, "L"),
    ("value_outside_range", {"L": 101, "M": 120}, "H"),
    ("range_incomplete", {"L": 90}, "M"),
    ("lower_bound_with_high", {"M": 120, "N": "at least"}, "M"),
    ("unknown_at_least", {"N": "maybe"}, "N"),
    ("range_not_a_number", {"L": "ninety", "M": 120}, "L"),
]


@pytest.mark.parametrize(("type_", "cells", "column"), RULES, ids=[rule[0] for rule in RULES])
def test_a_broken_range_is_refused_with_its_cell_named(template, send, type_, cells, column):
    filled = fill(template, cells={f"Quantitative!{cell_of(template, 'C1', '', letter)}": value
                                   for letter, value in cells.items()})
    result = send(filled)
    found = [problem for problem in result.report.errors if problem.type == type_]
    assert found and found[0].reference == f"Quantitative!{cell_of(template, 'C1', '', column)}"
    assert result.outcome is UploadOutcome.REJECTED


def test_a_value_with_a_reason_for_its_absence_or_an_unknown_nature_is_refused(template, send):
    result = send(fill(template, {("C1", ""): (100, CRISIS), ("P1", ""): (45, "rumoured")}))
    by_type = {problem.type: problem for problem in result.report.errors}
    assert by_type["missing_reason_with_value"].reference == \
        f"Quantitative!{cell_of(template, 'C1', '', 'I')}"
    unknown = by_type["unknown_nature"]
    assert unknown.reference == f"Quantitative!{cell_of(template, 'P1', '', 'I')}"
    assert "alleged" in unknown.message and CRISIS in unknown.message


def _qualitative_row(template: bytes) -> int:
    sheet = openpyxl.load_workbook(io.BytesIO(template))["Qualitative"]
    return rows_by_code(sheet, L_CODE)[("Q1", "")]


def test_not_collected_because_of_the_crisis_is_never_late_nor_zero(db, template, send):
    everything_prevented = fill(
        template, {("C1", ""): (None, CRISIS), ("C1", "sex=female"): None,
                   ("C1", "sex=male"): None, ("C1", "sex=unknown"): None,
                   ("P1", ""): (None, CRISIS), ("Y1", ""): (None, CRISIS)},
        {"Q1": (None, None, None)},
        cells={f"Qualitative!H{_qualitative_row(template)}": CRISIS})
    result = send(everything_prevented)
    assert not result.report.errors, [problem.line() for problem in result.report.problems]
    as_of = dt.date(2026, 12, 31)  # long after the return was due (2026-10-30)
    with db.sessions() as session:
        strategy = session.scalars(select(Strategy).where(Strategy.code == "SMALL")).one()
        [standing] = return_statuses(session, strategy, parse_period(PERIOD),
                                     SETTINGS.calendar, as_of)
        assert standing.prevented and standing.days_late is None and standing.on_time
        assert standing.in_words() == "not collected because of the crisis"
        count = session.scalars(select(Indicator).where(Indicator.code == "C1")).one()
        series = aggregated_series(session, [count], Scope())
        assert PERIOD not in set(series["period"])  # no figure, not a zero
        stored = session.scalars(select(DataValue).where(
            DataValue.indicator_id == count.id, DataValue.period == PERIOD,
            DataValue.disaggregation == "")).one()
        assert (stored.value, stored.nature) == (None, Nature.NOT_COLLECTED_CRISIS)
        report = compile_report(session, "gaps", "SMALL", PERIOD, SETTINGS, as_of, True)
    sections = {section.key: section for section in report.sections}
    assert sections["returns"].rows == []
    assert {(row["indicator"], row["entity"], row["reason"])
            for row in sections["not_collected"].rows} == {
        (code, "AG", "not collected because of the crisis") for code in ("C1", "P1", "Y1", "Q1")}


def test_ranges_make_a_band_and_alleged_figures_hollow_marks_and_the_status_says_so(
        db, small_strategy, client_as):
    with db.sessions() as session:
        other = session.scalars(select(Entity).where(Entity.code == "OT")).one()
        write_values(session, [
            (ValueKey.of(small_strategy["C1"], small_strategy["entity"], PERIOD),
             {"value": 100, "low": 90, "high": 120, "nature": Nature.ESTIMATED}),
            (ValueKey.of(small_strategy["C1"], other.id, PERIOD),
             {"value": 50, "nature": Nature.ALLEGED})])
        session.commit()
        report = compile_report(session, "progress", "SMALL", PERIOD, SETTINGS,
                                dt.date(2026, 11, 20), True)
    client = client_as("administrator")
    series = client.get("/api/v1/indicators/C1/series?strategy=SMALL").get_json()["series"]
    assert series[-1] == {"period": PERIOD, "value": 150.0, "entities": 2, "low": 140.0,
                          "high": 170.0, "natures": ["alleged", "estimated"]}
    page = client.get("/strategies/SMALL/indicators/C1").get_data(as_text=True)
    assert 'class="range-band"' in page and "actual-point hollow" in page
    assert "This status rests on alleged, estimated figures for 2026Q3." in page
    [uncertain] = [section for section in report.sections if section.key == "uncertain"]
    assert [(row["code"], row["natures"]) for row in uncertain.rows] == \
        [("C1", "alleged, estimated")]


def test_a_lower_bound_is_drawn_open_above():
    points = [Point(parse_period("2026Q2"), 10.0),
              Point(parse_period("2026Q3"), 12.0, low=12.0, high=None)]
    chart = str(trend_chart("Seized", "amount", points))
    assert 'class="lower-bound"' in chart and "≥ 12" in chart
