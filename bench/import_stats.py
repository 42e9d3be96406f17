"""Benchmark: import the UNODC GLOTIP file (46,556 rows) with `import_statistics`.

Prints seconds, rows per second, peak memory and the ratio to the floor: reading the file with
python-calamine plus a bare executemany of its rows into a table of the same database.
Goal: ratio <= 2.0. Database: a scratch SQLite file, or MNE_BENCH_DATABASE_URL (an empty
PostgreSQL database, for instance)."""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from python_calamine import CalamineWorkbook
from sqlalchemy import Column, MetaData, Table, Text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from importers.statistics import import_statistics, load_mapping  # noqa: E402
from indicators.framework import ensure_dimensions  # noqa: E402
from mne.config import load_settings  # noqa: E402
from mne.database import Database, upgrade  # noqa: E402

GLOTIP = ROOT.parent / "shared" / "data" / "unodc-glotip-2003-2021.xlsx"
GOAL = 2.0
RUNS = 3  # the best of three runs of each, as the machine may be busy


def timed_import(database: Database, path: Path) -> tuple[float, int]:
    """Seconds to import the file into a freshly initialised database, and the rows read."""
    with database.transaction() as session:
        ensure_dimensions(session, load_settings(ROOT / "config.toml").dimensions)
    start = time.perf_counter()
    with database.transaction() as session:
        summary = import_statistics(session, path, load_mapping("unodc"), create_missing=True)
    return time.perf_counter() - start, summary.rows


def timed_floor(database: Database, path: Path) -> float:
    """Seconds to read the file with calamine and executemany its rows into a bare table."""
    start = time.perf_counter()
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header, rows = grid[0], grid[1:]
    table = Table("bench_floor", MetaData(),
                  *(Column(f"c{index}", Text) for index in range(len(header))))
    with database.engine.begin() as connection:
        table.create(connection)
        marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql(
            f"INSERT INTO bench_floor VALUES ({', '.join([marker] * len(header))})",
            [tuple(None if cell == "" else str(cell) for cell in row) for row in rows],
        )
    seconds = time.perf_counter() - start
    with database.engine.begin() as connection:
        table.drop(connection)
    return seconds


def _drop_everything(database: Database) -> None:
    """An empty database for the next run (MNE_BENCH_DATABASE_URL names a scratch database;
    a scratch SQLite file goes with its folder)."""
    if database.engine.url.get_backend_name() == "sqlite":
        return
    metadata = MetaData()
    metadata.reflect(database.engine)
    metadata.drop_all(database.engine)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else GLOTIP
    imports, floors = [], []
    for run in range(RUNS):
        with tempfile.TemporaryDirectory() as folder:
            url = os.environ.get("MNE_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
            database = Database(url)
            _drop_everything(database)
            upgrade(database.engine)
            imports.append(timed_import(database, path))
            if run == 0:
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            floors.append(timed_floor(database, path))
            _drop_everything(database)
            database.engine.dispose()
    seconds, rows = min(imports)
    floor = min(floors)
    ratio = seconds / floor
    print(f"database: {database.engine.url.get_backend_name()}")
    print(f"import: {seconds:.2f} s for {rows} rows ({rows / seconds:,.0f} rows/s), "
          f"peak memory {peak:.0f} MiB")
    print(f"floor (calamine read + executemany): {floor:.2f} s")
    print(f"ratio to floor: {ratio:.2f} (goal <= {GOAL}; best of {RUNS} runs)")


if __name__ == "__main__":
    main()
