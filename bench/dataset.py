"""A national-scale benchmark database, built fast: one strategy of 200 indicators reported
quarterly for 20 quarters by N entities, broken down by sex and age (about 9 breakdowns per
indicator on average), N chosen so that the database holds about `values` values.

The framework (strategy, indicators, entities, populations, targets) is written through the
ORM; returns, uploads and values with Core bulk inserts (`executemany` on SQLite, `COPY` on
PostgreSQL). Most returns are approved, one in seven still awaits review, so the figures a
viewer reads (approved only) differ from everyone else's.

    from dataset import build, scratch_url
    summary = build(scratch_url("sqlite", "reads-1m"), values=1_000_000)
    python bench/dataset.py [values] [sqlite|postgresql]    # build and print the summary
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indicators import aggregates  # noqa: E402
from indicators.model import (  # noqa: E402
    Category,
    DataValue,
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
from mne.database import Database, upgrade  # noqa: E402

OUT = ROOT / "bench" / "out"
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
STRATEGY = "NATIONAL"
INDICATORS = 200
QUARTERS = [parse_period("2021Q1") + step for step in range(20)]
SEXES = ("female", "male", "other", "unknown")
AGES = ("0-17", "18-24", "25-39", "40-59", "60+")
THRESHOLDS = Thresholds(on_track=0.9, at_risk=0.6, maintain_tolerance=0.05, trend_periods=6)
CALENDAR = Calendar("quarterly", 30)
VALUE_COLUMNS = ("indicator_id", "entity_id", "period", "period_end", "disaggregation", "value",
                 "level", "narrative", "evidence", "nature", "comment", "return_id",
                 "source_sheet", "source_cell", "created_at", "updated_at")


def breakdown_keys(number: int) -> list[str]:
    """The breakdowns indicator `number` is reported by: the total only, by sex, by sex and by
    age, or also by sex and age together (1, 5, 10, 20 keys: 9 on average)."""
    by_sex = [f"sex={sex}" for sex in SEXES]
    by_age = [f"age={age}" for age in AGES]
    crossed = [f"age={age};sex={sex}" for age in AGES for sex in SEXES[:2]]
    return [[""], ["", *by_sex], ["", *by_sex, *by_age], ["", *by_sex, *by_age, *crossed]][
        number % 4]


def indicator_rule(number: int) -> dict:
    """Unit, aggregation, direction and kind of indicator `number`, varied like a strategy."""
    aggregation = ("sum", "sum", "mean", "sum", "latest", "mean")[number % 6]
    unit = ("rate_per_100k" if number % 20 == 7 else
            "percent" if aggregation == "mean" else "count")
    return {"kind": "qualitative" if number % 50 == 49 else "quantitative",
            "unit": unit, "aggregation": aggregation,
            "direction": ("increase", "decrease")[number % 2]}


def entities_for(values: int) -> int:
    """How many entities make about `values` values."""
    per_entity = len(QUARTERS) * sum(len(breakdown_keys(n)) for n in range(INDICATORS))
    return max(1, round(values / per_entity))


@dataclass(frozen=True)
class Summary:
    """What was built."""

    url: str
    strategy: str
    indicators: int
    entities: int
    quarters: int
    returns: int
    values: int
    seconds: float

    def __str__(self) -> str:
        return (f"{self.values:,} values ({self.indicators} indicators x {self.entities} "
                f"entities x {self.quarters} quarters, {self.returns:,} returns) in "
                f"{self.seconds:.1f} s")


def scratch_url(backend: str, name: str) -> str:
    """The URL of an empty database called `name`: a file under bench/out/ (SQLite), or a
    database dropped and created again on the local PostgreSQL server."""
    if backend == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    server = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)


def existing_url(backend: str, name: str) -> str:
    """The URL of the database `scratch_url` made for `name`, as it stands."""
    if backend == "sqlite":
        return f"sqlite:///{OUT / f'{name}.db'}"
    return make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)


def build(url: str, values: int = 1_000_000) -> Summary:
    """Fill the empty database at `url` with about `values` values; returns what was built."""
    started = time.perf_counter()
    database = Database(url)
    upgrade(database.engine)
    entities = entities_for(values)
    with database.transaction() as session:
        indicators, entity_ids = _framework(session, entities)
    with database.engine.begin() as connection:
        returns = _returns(connection, entity_ids)
    written = _values(database, indicators, entity_ids, returns)
    after_values(database)
    database.engine.dispose()
    return Summary(url=url, strategy=STRATEGY, indicators=len(indicators), entities=entities,
                   quarters=len(QUARTERS), returns=len(returns), values=written,
                   seconds=time.perf_counter() - started)


def after_values(database: Database) -> None:
    """What a database needs once values were written behind the application's back: the
    planner's statistics and the national series kept current."""
    with database.transaction() as session:
        aggregates.rebuild(session)
    with database.engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def _framework(session, entities: int) -> tuple[list[tuple[int, int]], list[int]]:
    """Strategy, principles, objectives, dimensions, entities with populations, indicators
    with targets; returns (indicator id, number) pairs and the entity ids."""
    strategy = Strategy(code=STRATEGY, title="National strategy", area="Nowhere",
                        start_year=2021, end_year=2026)
    principles = [Principle(strategy=strategy, code=code, name=code.title(), position=n)
                  for n, code in enumerate(("prevent", "pursue", "protect", "promote"))]
    objectives = [Objective(principle=principles[n % 4], code=f"O{n:02d}", title=f"Objective {n}")
                  for n in range(20)]
    sex = Dimension(code="sex", name="Sex", categories=[
        Category(code=code, label=code, position=n) for n, code in enumerate(SEXES)])
    age = Dimension(code="age", name="Age", position=1, categories=[
        Category(code=code, label=code, position=n) for n, code in enumerate(AGES)])
    reporters = [Entity(code=f"E{n:03d}", name=f"Entity {n}", kind="ministry")
                 for n in range(entities)]
    session.add_all([strategy, *principles, *objectives, sex, age, *reporters])
    session.flush()
    session.add_all(EntityPopulation(entity_id=entity.id, year=year, population=500_000 + 7919 * n)
                    for n, entity in enumerate(reporters) for year in range(2021, 2027))
    indicators = [_indicator(strategy, objectives[n % 20], n, sex, age, reporters)
                  for n in range(INDICATORS)]
    session.add_all(indicators)
    session.flush()
    return ([(indicator.id, n) for n, indicator in enumerate(indicators)],
            [entity.id for entity in reporters])


def _indicator(strategy: Strategy, objective: Objective, number: int, sex: Dimension,
               age: Dimension, reporters: list[Entity]) -> Indicator:
    rule = indicator_rule(number)
    keys = breakdown_keys(number)
    indicator = Indicator(
        strategy=strategy, objective=objective, code=f"I{number:03d}",
        name=f"Indicator {number}", kind=rule["kind"],
        unit="level" if rule["kind"] == "qualitative" else rule["unit"],
        direction=rule["direction"], frequency="quarterly",
        aggregation="latest" if rule["kind"] == "qualitative" else rule["aggregation"],
        sex_required=len(keys) > 1, baseline_value=100.0, baseline_period="2020Q4")
    indicator.targets = [Target(period="2026Q4", period_end=dt.date(2026, 12, 31), value=150.0,
                                final=True)]
    dimensions = [sex] if len(keys) == 5 else [sex, age] if len(keys) > 5 else []
    indicator.dimension_links = [IndicatorDimension(dimension=dimension, position=n)
                                 for n, dimension in enumerate(dimensions)]
    indicator.reporters = reporters
    return indicator


def _returns(connection, entity_ids: list[int]) -> dict[tuple[int, str], int]:
    """One upload and one return per entity and quarter, one in seven still submitted;
    returns their ids by (entity id, quarter code)."""
    strategy_id = connection.execute(text("SELECT id FROM strategy WHERE code = :code"),
                                     {"code": STRATEGY}).scalar_one()
    pairs = [(entity_id, quarter) for entity_id in entity_ids for quarter in QUARTERS]
    connection.execute(insert(Upload.__table__), [
        {"sha256": f"{entity_id:032x}{n:032x}", "file_path": "", "original_name": "bench.xlsx",
         "size": 0, "uploaded_by": "bench", "outcome": "submitted", "message": "",
         "validation": {}, "uploaded_at": dt.datetime.combine(quarter.end, dt.time())
         + dt.timedelta(days=20)}
        for n, (entity_id, quarter) in enumerate(pairs)])
    uploads = dict(connection.execute(text("SELECT sha256, id FROM upload")).all())
    connection.execute(insert(Return.__table__), [
        {"strategy_id": strategy_id, "entity_id": entity_id, "period": quarter.code,
         "revision": 1, "state": "submitted" if n % 7 == 3 else "approved",
         "upload_id": uploads[f"{entity_id:032x}{n:032x}"], "validation": {}}
        for n, (entity_id, quarter) in enumerate(pairs)])
    return {(entity_id, period): return_id for return_id, entity_id, period in connection.execute(
        text("SELECT id, entity_id, period FROM return"))}


def _value_rows(indicator_id: int, number: int, entity_ids: list[int],
                returns: dict[tuple[int, str], int], now: dt.datetime,
                rng: np.random.Generator) -> list[tuple]:
    """Every value of one indicator: a random walk per entity, breakdowns sharing the total."""
    keys = breakdown_keys(number)
    qualitative = indicator_rule(number)["kind"] == "qualitative"
    walks = 100 + rng.standard_normal((len(QUARTERS), len(entity_ids))).cumsum(axis=0)
    rows = []
    for q, quarter in enumerate(QUARTERS):
        for e, entity_id in enumerate(entity_ids):
            amount = float(abs(walks[q, e]))
            for key in keys:
                share = 1.0 if not key else 1.0 / (len(SEXES) if key.count("=") == 1 else 8)
                rows.append((
                    indicator_id, entity_id, quarter.code, quarter.end, key,
                    None if qualitative else round(amount * share, 2),
                    1 + int(amount) % 4 if qualitative else None,
                    "As planned." if qualitative else "", "", "none", "",
                    returns[entity_id, quarter.code], "Quantitative", "D7", now,
                    now + dt.timedelta(seconds=e)))
    return rows


def _values(database: Database, indicators: list[tuple[int, int]], entity_ids: list[int],
            returns: dict[tuple[int, str], int]) -> int:
    """Insert every value in bulk: COPY on PostgreSQL, one executemany per indicator on
    SQLite; returns how many."""
    rng = np.random.default_rng(18)
    now = dt.datetime(2027, 1, 10)
    connection = database.engine.raw_connection()
    count = 0
    try:
        cursor = connection.cursor()
        postgres = database.engine.dialect.name == "postgresql"
        columns = ", ".join(VALUE_COLUMNS)
        for indicator_id, number in indicators:
            rows = _value_rows(indicator_id, number, entity_ids, returns, now, rng)
            if postgres:
                with cursor.copy(f"COPY {DataValue.__tablename__} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(VALUE_COLUMNS))
                cursor.executemany(
                    f"INSERT INTO {DataValue.__tablename__} ({columns}) VALUES ({marks})", rows)
            count += len(rows)
        connection.commit()
    finally:
        connection.close()
    return count


def main() -> None:
    values = int(float(sys.argv[1])) if len(sys.argv) > 1 else 1_000_000
    backend = sys.argv[2] if len(sys.argv) > 2 else "sqlite"
    print(build(scratch_url(backend, f"dataset-{values}"), values))


if __name__ == "__main__":
    main()
