"""Benchmark: validate and import a return of 500 indicators x 12 breakdown rows (6,000 values),
and a large ministry's return of 2,500 indicators x 48 breakdown rows (120,000 values).

Prints the seconds to validate and import, values per second, peak memory, and the ratio to
the floor: reading the same workbook with python-calamine plus a bare `executemany` of the same
rows into the same (SQLite) database. Goals: ratio <= 2.0 for 6,000 values; <= 4 s for
120,000. `--small` runs the first only. The large return has more rows than a template's
default limit (`Limits.max_rows`), so it is read with a limit that takes it.
"""

from __future__ import annotations

import datetime as dt
import io
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from importers.return_form import Q_CODE, Q_KEY, Q_VALUE, build_form  # noqa: E402
from importers.returns import receive_return  # noqa: E402
from importers.template import write_template  # noqa: E402
from importers.workbook import Limits  # noqa: E402
from indicators.disaggregation import parse_key  # noqa: E402
from indicators.framework import ensure_dimensions  # noqa: E402
from indicators.model import (  # noqa: E402
    Dimension,
    Entity,
    Indicator,
    IndicatorDimension,
    Kind,
    Objective,
    Principle,
    Strategy,
)
from indicators.periods import parse_period  # noqa: E402
from mne.database import Database, upgrade  # noqa: E402

INDICATORS = 500
LARGE_INDICATORS = 2500
RUNS = 3  # each measured on a fresh copy of the database; the best run counts
PERIOD = "2026Q3"


def _dimensions(regions: int) -> dict[str, dict]:
    """Sex (4 categories), age (3) and `regions` regions: 1 + 4 + 3 + regions rows each."""
    names = ("north", "south", "east", "west") if regions == 4 else \
        tuple(f"region-{number:02d}" for number in range(regions))
    return {
        "sex": {"name": "Sex", "categories": {code: code for code in
                                              ("female", "male", "other", "unknown")}},
        "age": {"name": "Age", "categories": {code: code for code in
                                              ("0-17", "18+", "unknown")}},
        "region": {"name": "Region", "categories": {code: code for code in names}},
    }


DIMENSIONS = _dimensions(4)


def build_database(path: Path, indicators: int = INDICATORS,
                   dimensions: dict[str, dict] = DIMENSIONS) -> None:
    """A database with one strategy of count indicators by sex, age and region."""
    database = Database(f"sqlite:///{path}")
    upgrade(database.engine)
    with database.transaction() as session:
        ensure_dimensions(session, dimensions)
        dimensions = list(session.query(Dimension).order_by(Dimension.position))
        strategy = Strategy(code="BENCH", title="Benchmark", area="Benchland",
                            start_year=2025, end_year=2028)
        principle = Principle(code="PURSUE", name="Pursue")
        objective = Objective(code="O1", title="Objective")
        principle.objectives.append(objective)
        strategy.principles.append(principle)
        entity = Entity(code="AG", name="Agency")
        session.add_all([strategy, entity])
        session.flush()
        for number in range(indicators):
            indicator = Indicator(
                strategy=strategy, objective=objective, code=f"I{number:03d}",
                name=f"Indicator {number}", kind=Kind.QUANTITATIVE, unit="count",
                direction="increase", frequency="quarterly", aggregation="sum",
                responsible_entity_id=entity.id)
            indicator.dimension_links = [
                IndicatorDimension(dimension_id=dimension.id, position=position)
                for position, dimension in enumerate(dimensions)]
            session.add(indicator)
    database.engine.dispose()


def _share(total: int, codes: list[str], category: str) -> int:
    """A category's part of the total; the last category takes the rest, so parts add up."""
    parts = [total // len(codes)] * (len(codes) - 1)
    parts.append(total - sum(parts))
    return parts[codes.index(category)]


def filled_return(path: Path, dimensions: dict[str, dict] = DIMENSIONS) -> bytes:
    """The template of AG for the period, every value cell filled consistently."""
    database = Database(f"sqlite:///{path}")
    with database.sessions() as session:
        template = write_template(session, build_form(session, "AG", parse_period(PERIOD)))
    database.engine.dispose()
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook["Quantitative"]
    for row in range(2, sheet.max_row + 1):
        code = sheet.cell(row, Q_CODE).value
        if not code:
            continue
        total = 1000 + int(code[1:])
        breakdown = parse_key(sheet.cell(row, Q_KEY).value or "")
        value = total
        for dimension, category in breakdown.items():
            value = _share(total, list(dimensions[dimension]["categories"]), category)
        sheet.cell(row, Q_VALUE, value)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def import_once(database_path: Path, storage: Path, data: bytes,
                limits: Limits | None = None) -> tuple[float, int]:
    database = Database(f"sqlite:///{database_path}")
    started = time.perf_counter()
    result = receive_return(database.sessions, storage, data, "bench.xlsx", "bench", limits)
    seconds = time.perf_counter() - started
    database.engine.dispose()
    if result.report.has_errors or result.outcome != "submitted":
        raise SystemExit(f"benchmark return not imported: {result.message}")
    return seconds, len(result.diff.added)


def floor_once(database_path: Path, data: bytes) -> float:
    """python-calamine read of the workbook plus a bare executemany of the same rows."""
    connection = sqlite3.connect(database_path)
    indicator_ids = dict(connection.execute("SELECT code, id FROM indicator"))
    entity_id = connection.execute("SELECT id FROM entity WHERE code = 'AG'").fetchone()[0]
    started = time.perf_counter()
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = workbook.get_sheet_by_name("Quantitative").to_python(skip_empty_area=False)
    now = dt.datetime.now().isoformat(sep=" ")
    records = [
        (indicator_ids[row[0]], entity_id, PERIOD, "2026-09-30", row[Q_KEY - 1] or "",
         float(row[Q_VALUE - 1]), "", "", "none", "", "Quantitative", f"H{index}", now, now)
        for index, row in enumerate(rows[1:], start=2) if row[0] in indicator_ids
    ]
    with connection:
        connection.executemany(
            "INSERT INTO data_value (indicator_id, entity_id, period, period_end, "
            "disaggregation, value, narrative, evidence, nature, comment, source_sheet, "
            "source_cell, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", records)
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def small_return(folder: Path) -> None:
    """The 6,000 values, against the floor."""
    base = folder / "base.db"
    build_database(base)
    data = filled_return(base)
    copies = [folder / f"copy-{number}.db" for number in range(2 * RUNS + 1)]
    for copy in copies:
        shutil.copy(base, copy)
    timings = [import_once(copies[run], folder / f"storage-{run}", data)
               for run in range(RUNS)]
    seconds, values = min(timings)
    floor = min(floor_once(copies[RUNS + run], data) for run in range(RUNS))
    tracemalloc.start()
    import_once(copies[-1], folder / "storage-memory", data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"return: {INDICATORS} indicators x 12 breakdown rows = {values} values "
          f"({len(data) / 1024:.0f} KiB workbook), SQLite")
    print(f"validate + import (best of {RUNS}): {seconds:.2f} s, "
          f"{values / seconds:,.0f} values/s")
    print(f"peak memory (tracemalloc): {peak / 1024 / 1024:.1f} MiB")
    print(f"floor (python-calamine read + executemany, best of {RUNS}): {floor:.3f} s")
    print(f"ratio to floor: {seconds / floor:.1f} (goal <= 2.0)")


def large_return(folder: Path) -> None:
    """The 120,000 values of a large ministry, once (building its workbook takes a while)."""
    dimensions = _dimensions(40)
    base = folder / "large.db"
    build_database(base, LARGE_INDICATORS, dimensions)
    data = filled_return(base, dimensions)
    copy = folder / "large-floor.db"
    shutil.copy(base, copy)
    limits = Limits(max_rows=200_000, memory_bytes=1500 * 1024 * 1024)
    seconds, values = import_once(base, folder / "storage-large", data, limits)
    floor = floor_once(copy, data)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"large return: {LARGE_INDICATORS} indicators x 48 breakdown rows = {values} values "
          f"({len(data) / 1024 / 1024:.1f} MiB workbook), SQLite")
    print(f"validate + import (one run): {seconds:.2f} s, {values / seconds:,.0f} values/s "
          f"(goal <= 4 s; ratio to goal {seconds / 4:.1f}); peak memory of this process "
          f"{peak:.0f} MiB")
    print(f"floor (python-calamine read + executemany): {floor:.3f} s; ratio to floor "
          f"{seconds / floor:.1f}")


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="mne-bench-"))
    try:
        small_return(folder)
        if "--small" not in sys.argv:
            large_return(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
