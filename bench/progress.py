"""Benchmark: the strategy dashboard and one indicator page at 1M and 4M values.

Builds a scratch SQLite database under bench/out/ (300 indicators, 40 quarters, 50 entities
for 1M values and 200 for 4M; one indicator in six broken down by sex), times the dashboard
computation (progress table, status matrix, completeness of returns) and one indicator page
(progress, series by sex, values with provenance, table by entity), and prints seconds, peak
memory and the ratio of time at 4M to time at 1M (goal: at most 4.4, i.e. linear).

    python bench/progress.py            # 1M and 4M values
    BENCH_SCALE=0.1 python bench/progress.py   # a quick run at 100k and 400k
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indicators import aggregates  # noqa: E402
from indicators.data_quality import completeness_by, expected_returns  # noqa: E402
from indicators.evaluation import (  # noqa: E402
    Scope,
    indicator_view,
    status_matrix,
    strategy_progress,
)
from indicators.model import (  # noqa: E402
    Dimension,
    Entity,
    EntityPopulation,
    Indicator,
    IndicatorDimension,
    Objective,
    Principle,
    Return,
    Strategy,
    Target,
    Upload,
)
from indicators.obligations import Calendar  # noqa: E402
from indicators.periods import parse_period  # noqa: E402
from indicators.progress import Thresholds  # noqa: E402
from indicators.provenance import indicator_tables  # noqa: E402
from mne.database import Database, upgrade  # noqa: E402

OUT = ROOT / "bench" / "out"
INDICATORS = 300
QUARTERS = [(parse_period("2017Q1") + step) for step in range(40)]
QUARTER_KEYS = [(quarter.code, quarter.end.isoformat()) for quarter in QUARTERS]
SEX = ("female", "male", "other", "unknown")
THRESHOLDS = Thresholds(on_track=0.9, at_risk=0.6, maintain_tolerance=0.05, trend_periods=6)
CALENDAR = Calendar("quarterly", 30)
STRATEGY = "BENCH"


def _indicator_spec(number: int) -> dict:
    """Every sixth indicator by sex; rules and units varied like a real strategy."""
    aggregation = ("sum", "sum", "mean", "sum", "latest", "mean")[number % 6]
    unit = "rate_per_100k" if number % 30 == 7 else ("percent" if aggregation == "mean"
                                                       else "count")
    return {"code": f"I{number:03d}", "by_sex": number % 6 == 0, "aggregation": aggregation,
            "unit": unit, "direction": ("increase", "decrease")[number % 2]}


def build(path: Path, entities: int) -> int:
    """A scratch database with the framework and its values; returns the number of values."""
    path.unlink(missing_ok=True)
    database = Database(f"sqlite:///{path}")
    upgrade(database.engine)
    with database.transaction() as session:
        strategy = Strategy(code=STRATEGY, title="Benchmark", area="Nowhere", start_year=2017,
                            end_year=2027)
        principles = [Principle(strategy=strategy, code=f"P{n}", name=f"Principle {n}",
                                position=n) for n in range(4)]
        objectives = [Objective(principle=principles[n % 4], code=f"O{n}", title=f"Obj {n}")
                      for n in range(20)]
        reporters = [Entity(code=f"E{n:03d}", name=f"Entity {n}") for n in range(entities)]
        session.add_all([strategy, *principles, *objectives, *reporters])
        session.flush()
        session.add_all(EntityPopulation(entity_id=entity.id, year=year, population=1_000_000)
                        for entity in reporters for year in range(2017, 2027))
        sex = Dimension(code="sex", name="Sex")
        specs = [_indicator_spec(number) for number in range(INDICATORS)]
        indicators = [_indicator(strategy, objectives[n % 20], spec, sex)
                      for n, spec in enumerate(specs)]
        for indicator in indicators:
            indicator.reporters = reporters
        session.add_all(indicators)
        session.add_all(Return(strategy=strategy, entity=entity, period=quarter.code,
                               upload=Upload(sha256="", file_path="", uploaded_at=dt.datetime
                                             .combine(quarter.end, dt.time())
                                             + dt.timedelta(days=20)))
                        for entity in reporters for quarter in QUARTERS)
        session.flush()
        entity_ids = [entity.id for entity in reporters]
        pairs = [(indicator.id, spec) for indicator, spec in zip(indicators, specs, strict=True)]
    count = _insert_values(database, pairs, entity_ids)
    with database.transaction() as session:  # values were written behind the writers' back
        aggregates.rebuild(session)
    return count


def _indicator(strategy: Strategy, objective: Objective, spec: dict,
               sex: Dimension) -> Indicator:
    indicator = Indicator(
        strategy=strategy, objective=objective, code=spec["code"], name=f"Indicator {spec}",
        kind="quantitative", unit=spec["unit"], direction=spec["direction"],
        frequency="quarterly", aggregation=spec["aggregation"], sex_required=spec["by_sex"],
        baseline_value=100.0, baseline_period="2016Q4")
    indicator.targets = [Target(period="2028Q4", period_end=dt.date(2028, 12, 31), value=150.0,
                                final=True)]
    if spec["by_sex"]:
        indicator.dimension_links = [IndicatorDimension(dimension=sex)]
    return indicator


def _insert_values(database: Database, pairs: list[tuple[int, dict]],
                   entity_ids: list[int]) -> int:
    rng = np.random.default_rng(7)
    now = dt.datetime(2027, 1, 1).isoformat(sep=" ")
    statement = (
        "INSERT INTO data_value (indicator_id, entity_id, period, period_end, disaggregation, "
        "value, narrative, evidence, nature, comment, source_sheet, source_cell, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, '', '', 'none', '', 'Quantitative', 'D7', ?, ?)"
    )
    connection = database.engine.raw_connection()
    count = 0
    try:
        cursor = connection.cursor()
        for indicator_id, spec in pairs:
            keys = [""] + ([f"sex={category}" for category in SEX] if spec["by_sex"] else [])
            values = 100 + rng.standard_normal((len(QUARTERS), len(entity_ids))).cumsum(axis=0)
            rows = [
                (indicator_id, entity_id, code, end, key,
                 float(values[q, e]) * (1.0 if not key else 0.25), now, now)
                for q, (code, end) in enumerate(QUARTER_KEYS)
                for e, entity_id in enumerate(entity_ids)
                for key in keys
            ]
            cursor.executemany(statement, rows)
            count += len(rows)
        connection.commit()
    finally:
        connection.close()
    return count


def measure(work: Callable[[], object]) -> tuple[float, float]:
    """Best seconds of two runs of `work()`, and the peak memory (MB) Python allocated in a
    third, traced run (tracing slows it down, so it is not timed)."""
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return min(timings), peak


def dashboard(database: Database) -> None:
    """What the dashboard page computes."""
    with database.sessions() as session:
        rows = strategy_progress(session, STRATEGY, None, THRESHOLDS)
        status_matrix(rows)
        completeness_by(expected_returns(session, STRATEGY, CALENDAR), "period")


def indicator_page(database: Database) -> None:
    """What one indicator page computes (an indicator reported by sex)."""
    with database.sessions() as session:
        indicator_tables(session, indicator_view(session, STRATEGY, "I006", Scope(), THRESHOLDS))


def run(entities: int) -> dict[str, float]:
    """Build the database for `entities` and time both computations."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"progress-{entities}.db"
    started = time.perf_counter()
    values = build(path, entities)
    print(f"  built {values:,} values ({entities} entities) in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    database = Database(f"sqlite:///{path}")
    figures = {"values": values}
    for name, work in (("dashboard", dashboard), ("indicator page", indicator_page)):
        seconds, peak = measure(lambda work=work: work(database))
        figures[name] = seconds
        print(f"  {name:15s} {seconds:7.2f} s   peak {peak:7.1f} MB", flush=True)
    database.engine.dispose()
    path.unlink(missing_ok=True)
    return figures


def main() -> None:
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    small, large = max(1, round(50 * scale)), max(4, round(200 * scale))
    print(f"== 1x ({small} entities)")
    first = run(small)
    print(f"== 4x ({large} entities)")
    second = run(large)
    for name in ("dashboard", "indicator page"):
        ratio = second[name] / first[name]
        verdict = "ok" if ratio <= 4.4 else "ABOVE GOAL"
        print(f"ratio {name} {second['values']:,} / {first['values']:,} values: "
              f"{ratio:.2f} (goal <= 4.4: {verdict})")


if __name__ == "__main__":
    main()
