"""One home for every rule, seen from outside: every surface that shows a rule's result shows
the same result, on the demonstration and on randomly generated (seeded) strategies.

- The national value and status of each indicator: the overview (API), the dashboard, the
  indicator page, the progress API and the progress report.
- The outlier and breakdown problems of an upload and those of the data-quality page, for the
  same values.
- The diff of a revision: the coordinator's return page, the review page and the API.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import random
import re

import pytest

from importers.return_form import build_form
from importers.returns import receive_return
from importers.template import write_template
from indicators import aggregates
from indicators.data_quality import quality_report
from indicators.evaluation import Scope, load_strategy, scoped_progress
from indicators.framework import ensure_default_scale
from indicators.model import (
    Aggregation,
    Direction,
    Entity,
    EntityPopulation,
    Indicator,
    Kind,
    Nature,
    Objective,
    Principle,
    Strategy,
    Target,
    Unit,
)
from indicators.obligations import Calendar
from indicators.periods import parse_period
from indicators.series_breaks import write_break
from indicators.values import ValueKey, write_values
from indicators.vocabulary import BreakKind
from reports.progress import compile_progress_report, progress_table
from tests.return_workbooks import fill, write_sex_history

QUARTERS = ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2"]
SEEDS = [3, 17, 2026]


# ---------------------------------------------------------------- national value and status


def _number(text: str) -> float | None:
    return None if text in ("", "None") else float(text)


def _figures(value, period, status=None) -> tuple:
    return (None if value is None else pytest.approx(float(value)), period or None,
            None if status is None else str(status))


def national_figures(client, session, settings, strategy: str, last_period: str) -> dict:
    """{surface: {indicator code: (latest value, latest period, status)}} as each surface
    shows them to an evaluator (the overview shows no status)."""
    overview = client.get(f"/api/v1/strategies/{strategy}/indicators").get_json()
    codes = [item["code"] for principle in overview["principles"]
             for objective in principle["objectives"] for item in objective["indicators"]]
    found = {"overview": {item["code"]: _figures(item["latest_value"], item["latest_period"])
                          for principle in overview["principles"]
                          for objective in principle["objectives"]
                          for item in objective["indicators"]}}
    dashboard = client.get(f"/strategies/{strategy}/dashboard").get_data(as_text=True)
    statuses = dict(re.findall(r'data-indicator="([^"]+)" data-status="([^"]+)"', dashboard))
    rendered = {row.code: row for row in scoped_progress(session, strategy, Scope(),
                                                         settings.thresholds)}
    found["dashboard"] = {code: _figures(row.latest_value, row.latest_period, statuses[code])
                          for code, row in rendered.items()}
    found["indicator page"] = {code: _indicator_page(client, strategy, code) for code in codes}
    found["progress API"] = {}
    for code in codes:
        body = client.get(f"/api/v1/indicators/{code}/progress?strategy={strategy}").get_json()
        found["progress API"][code] = _figures(body["latest_value"], body["latest_period"],
                                               body["status"])
    strategy_row = load_strategy(session, strategy)
    # the evaluator's figures, submitted ones included: a preliminary report (an issued one
    # reads approved figures only, as viewers do: tests/test_progress_report.py)
    table = progress_table(session, strategy_row, last_period, settings.thresholds,
                           approved_only=False)
    report = compile_progress_report(session, strategy_row, last_period, table,
                                     dt.date(2027, 1, 1))
    rows = next(section for section in report.to_json()["sections"]
                if section["key"] == "indicators")["rows"]
    found["progress report"] = {row["code"]: _figures(row["latest_value"], row["latest_period"],
                                                      row["status"]) for row in rows}
    return found


def _indicator_page(client, strategy: str, code: str) -> tuple:
    page = client.get(f"/strategies/{strategy}/indicators/{code}").get_data(as_text=True)
    fields = {name: html.unescape(value) for name, value in
              re.findall(r'data-field="(\w+)" data-value="([^"]*)"', page)}
    return _figures(_number(fields["latest_value"]), fields["latest_period"]
                    if fields["latest_period"] != "None" else None, fields["status"])


def assert_surfaces_agree(found: dict) -> None:
    reference = found["progress API"]
    assert reference, "no indicator"
    for surface, figures in found.items():
        assert figures.keys() == reference.keys(), surface
        for code, (value, period, status) in figures.items():
            expected_value, expected_period, expected_status = reference[code]
            assert (value, period) == (expected_value, expected_period), (surface, code)
            if status is not None:
                assert status == expected_status, (surface, code)


@pytest.fixture(params=["kept series", "direct computation"])
def series_source(request, monkeypatch) -> str:
    """Every surface reads the national series kept current (`indicators/aggregates.py`), or
    computes them from every value: both must give the same figures."""
    monkeypatch.setattr(aggregates, "READ_FROM_SUMMARY", request.param == "kept series")
    return request.param


def test_every_surface_gives_the_demonstrations_national_values_and_statuses(
        series_source, demo, client_as, session, settings):
    found = national_figures(client_as("evaluator"), session, settings, "MRD-NSOC", "2026Q3")
    assert_surfaces_agree(found)
    assert any(value is not None for value, _period, _status in found["overview"].values())


def build_random_strategy(session, seed: int) -> str:
    """A strategy of random indicators (every quantitative unit and aggregation, each
    direction, one qualitative), entities with and without populations, and random values
    over six quarters, some missing, some flagged not available or estimated."""
    rng = random.Random(seed)
    scale = ensure_default_scale(session)
    strategy = Strategy(code=f"R{seed}", title=f"Random {seed}", area="Randland",
                        start_year=2025, end_year=2028)
    for number in range(2):
        principle = Principle(code=f"P{number}", name=f"Principle {number}", position=number)
        principle.objectives.append(Objective(code=f"O{number}", title=f"Objective {number}"))
        strategy.principles.append(principle)
    entities = [Entity(code=f"R{seed}E{number}", name=f"Entity {number}")
                for number in range(rng.randint(2, 4))]
    session.add_all([strategy, *entities])
    session.flush()
    session.add_all(EntityPopulation(entity_id=entity.id, year=year,
                                     population=rng.randint(10_000, 2_000_000))
                    for entity in entities for year in (2025, 2026) if rng.random() < 0.75)
    objectives = [principle.objectives[0] for principle in strategy.principles]
    units = [Unit.COUNT, Unit.AMOUNT, Unit.PERCENT, Unit.RATE_PER_100K, Unit.YES_NO]
    indicators = [
        Indicator(strategy=strategy, objective=rng.choice(objectives), code=f"I{number}",
                  name=f"Indicator {number}", kind=Kind.QUANTITATIVE, unit=unit,
                  direction=rng.choice(list(Direction)), frequency="quarterly",
                  aggregation=rng.choice(list(Aggregation)), responsible_entity_id=entities[0].id,
                  baseline_value=round(rng.uniform(0, 100), 1), baseline_period="2024Q4",
                  targets=[Target(period="2028Q4", period_end=dt.date(2028, 12, 31),
                                  value=round(rng.uniform(0, 150), 1), final=True)])
        for number, unit in enumerate(units + [rng.choice(units) for _ in range(rng.randint(2, 6))])
    ]
    indicators.append(Indicator(
        strategy=strategy, objective=objectives[0], code="Q", name="Plan adopted",
        kind=Kind.QUALITATIVE, unit=Unit.LEVEL, direction=Direction.INCREASE,
        frequency="quarterly", aggregation=Aggregation.LATEST, scale_id=scale.id,
        responsible_entity_id=entities[0].id))
    session.add_all(indicators)
    session.flush()
    rows = []
    for indicator in indicators:
        for entity in entities:
            for quarter in QUARTERS:
                fields = _random_fields(rng, indicator)
                if fields is not None:
                    rows.append((ValueKey.of(indicator.id, entity.id, quarter), fields))
    write_values(session, rows)
    session.commit()
    return strategy.code


def _random_fields(rng: random.Random, indicator: Indicator) -> dict | None:
    draw = rng.random()
    if draw < 0.15:
        return None
    if draw < 0.25:
        return {"value": None, "nature": Nature.NOT_AVAILABLE}
    nature = Nature.ESTIMATED if draw > 0.9 else Nature.NONE
    if indicator.kind is Kind.QUALITATIVE:
        return {"level": rng.randint(0, 4), "narrative": "Done so far.", "nature": nature}
    value = {Unit.COUNT: lambda: rng.randint(0, 500), Unit.YES_NO: lambda: rng.randint(0, 1),
             Unit.PERCENT: lambda: round(rng.uniform(0, 100), 1)}.get(
        indicator.unit, lambda: round(rng.uniform(0, 1000), 2))()
    return {"value": float(value), "nature": nature}


@pytest.mark.parametrize("seed", SEEDS)
def test_every_surface_gives_the_same_national_values_on_random_strategies(
        seed, series_source, db, client_as, settings):
    with db.sessions() as session:
        code = build_random_strategy(session, seed)
    client = client_as("evaluator")
    with db.sessions() as session:
        found = national_figures(client, session, settings, code, QUARTERS[-1])
    assert_surfaces_agree(found)


# ---------------------------------------------------------------- outliers and breakdowns

PERIOD = "2026Q3"
CHECKED = {"outlier", "breakdown_exceeds_total", "breakdown_below_total"}


def _random_return(rng: random.Random) -> dict:
    """C1's total and its sex categories: near its history of about 100, far from it, or
    not available; categories that add up, fall short (with or without unknown) or exceed."""
    total = rng.choice([100, 101, 97, 400, 30, 250])
    female = rng.randint(0, total)
    male = rng.randint(0, total - female + rng.choice([0, 0, 20]))
    unknown = rng.choice([total - female - male, None, 0, 3])
    unknown = None if unknown is not None and unknown < 0 else unknown
    return {("C1", ""): total, ("C1", "sex=female"): female, ("C1", "sex=male"): male,
            ("C1", "sex=unknown"): unknown if unknown is not None else (None, "not available")}


def _upload_problems(db, tmp_path, template: bytes, cells: dict) -> set[tuple[str, str, str]]:
    result = receive_return(db.sessions, tmp_path / "storage", fill(template, cells),
                            "return.xlsx", "tester", dry_run=True)
    # a breakdown above its total marks the total and each category; the page lists the total
    return {(problem.type, problem.indicator,
             "" if problem.type == "breakdown_exceeds_total" else problem.breakdown)
            for problem in result.report.problems if problem.type in CHECKED}


def _page_problems(session, ids: dict, cells: dict) -> set[tuple[str, str, str]]:
    """The data-quality page's outliers and inconsistent totals of the agency's values for
    the period, once the same values are stored."""
    write_values(session, [
        (ValueKey.of(ids["C1"], ids["entity"], PERIOD, breakdown),
         {"value": None if isinstance(content, tuple) else float(content)})
        for (_code, breakdown), content in cells.items()])
    session.flush()
    report = quality_report(session, "SMALL", Calendar("quarterly", 30), PERIOD)
    found = {("outlier", row["indicator"], row["disaggregation"])
             for row in report["outliers"] if row["period"] == PERIOD}
    found |= {("breakdown_exceeds_total" if row["exceeds"] else "breakdown_below_total",
               row["indicator"], "") for row in report["inconsistent_totals"]
              if row["period"] == PERIOD}
    session.rollback()
    return found


def test_an_uploads_outliers_and_breakdowns_are_the_data_quality_pages(
        db, small_strategy, tmp_path):
    with db.sessions() as session:
        template = write_template(session, build_form(session, "AG", parse_period(PERIOD)))
    rng = random.Random(12)
    seen = set()
    for _case in range(25):
        cells = _random_return(rng)
        uploaded = _upload_problems(db, tmp_path, template, cells)
        with db.sessions() as session:
            assert uploaded == _page_problems(session, small_strategy, cells), cells
        seen |= {problem_type for problem_type, _code, _breakdown in uploaded}
    assert seen == CHECKED  # the cases drew every kind of problem


def test_a_figure_measured_anew_after_a_break_is_not_judged_against_the_old_series(
        db, small_strategy, tmp_path):
    """C1 was about 100 a quarter; 300 in 2026Q3 is an outlier for the upload checks and the
    data-quality page alike, until a break of definition is recorded at 2026Q3: then for
    neither (the figures before it do not compare)."""
    with db.sessions() as session:
        template = write_template(session, build_form(session, "AG", parse_period(PERIOD)))
    cells = {("C1", ""): 300, ("C1", "sex=female"): 120, ("C1", "sex=male"): 180,
             ("C1", "sex=unknown"): 0}
    judged = []
    for _break in ("before", "recorded"):
        uploaded = _upload_problems(db, tmp_path, template, cells)
        with db.sessions() as session:
            assert uploaded == _page_problems(session, small_strategy, cells)
        judged.append(uploaded)
        with db.transaction() as session:
            write_break(session, session.get(Indicator, small_strategy["C1"]), PERIOD,
                        BreakKind.DEFINITION)
    assert judged == [{("outlier", "C1", "")}, set()]


def test_an_uploads_unusual_share_is_the_data_quality_pages(db, small_strategy, tmp_path):
    """Women 40 % of C1 in earlier quarters: a return swapping women and men, and an ordinary
    one, are judged alike by the upload checks and the data-quality page."""
    with db.transaction() as session:
        write_sex_history(session, small_strategy)
        template = write_template(session, build_form(session, "AG", parse_period(PERIOD)))
    found = []
    for female, male in ((60, 40), (42, 58)):
        cells = {("C1", ""): 100, ("C1", "sex=female"): female, ("C1", "sex=male"): male,
                 ("C1", "sex=unknown"): None}
        result = receive_return(db.sessions, tmp_path / "storage", fill(template, cells),
                                "return.xlsx", "tester", dry_run=True)
        uploaded = {(problem.indicator, problem.breakdown) for problem in result.report.problems
                    if problem.type == "unusual_share"}
        with db.sessions() as session:
            write_values(session, [
                (ValueKey.of(small_strategy["C1"], small_strategy["entity"], PERIOD, key),
                 {"value": value}) for (_code, key), value in cells.items() if value])
            session.flush()
            report = quality_report(session, "SMALL", Calendar("quarterly", 30), PERIOD)
            session.rollback()
        assert uploaded == {(row["indicator"], row["disaggregation"])
                            for row in report["unusual_shares"] if row["period"] == PERIOD}
        found.append(uploaded)
    assert found == [{("C1", "sex=female")}, set()]


# ---------------------------------------------------------------- diffs

DIFF_ROW = re.compile(r'<tr class="diff-(\w+)"><td>[^<]*</td><td class="code">([^<]*)</td>'
                      r'<td>([^<]*)</td>\s*<td class="code">([^<]*)</td><td class="num">([^<]*)'
                      r'</td><td class="num">([^<]*)</td></tr>')


def _page_diff(client, path: str) -> list[tuple]:
    page = client.get(path).get_data(as_text=True)
    return [tuple(html.unescape(part) for part in row) for row in DIFF_ROW.findall(page)]


def _api_diff(diff: dict) -> list[tuple]:
    return [(kind, item["indicator"], item["breakdown"], item["cell"], item["before"],
             item["after"]) for kind in ("changed", "added", "removed") for item in diff[kind]]


def test_coordinator_reviewer_and_api_see_the_same_diff(api_client_as, client_as,
                                                        small_strategy):
    coordinator = api_client_as("coordinator", "AG")
    template = coordinator.get(f"/api/v1/templates?entity=AG&period={PERIOD}").data
    reviewer, own = client_as("evaluator"), client_as("coordinator", "AG")
    rng = random.Random(5)
    kinds = set()
    for revision in range(4):
        cells = {key: rng.choice([value, value + rng.randint(1, 9), (None, "not available")])
                 for key, value in {("C1", ""): 100, ("Y1", ""): 1}.items()}
        cells["P1", ""] = 40 + revision  # every revision differs from the one before
        sent = coordinator.post("/api/v1/returns", content_type="multipart/form-data", data={
            "file": (io.BytesIO(fill(template, cells)), "return.xlsx")}).get_json()
        api = _api_diff(coordinator.get(f"/api/v1/returns/{sent['return_id']}").get_json()
                        ["diff"])
        assert api == _api_diff(sent["diff"])
        assert _page_diff(own, f"/returns/{sent['return_id']}") == api
        assert _page_diff(reviewer, f"/review/{sent['return_id']}") == api
        kinds |= {row[0] for row in api}
    assert kinds == {"added", "changed"}
