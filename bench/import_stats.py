"""Benchmark: import the UNODC GLOTIP file (46,556 rows) with `import_statistics`.

Prints seconds, rows per second, peak memory and the ratio to the floor: reading the file with
python-calamine plus a bare executemany of its rows into a table of the same database.
Goal: ratio <= 1.5. Then the same as whole processes, start-up included: `mne import-stats`
against a floor script run by the same Python (goal: ratio <= 2.0). Database: a scratch SQLite
file, or MNE_BENCH_DATABASE_URL (an empty PostgreSQL database, for instance)."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
GOAL = 1.5
PROCESS_GOAL = 2.0
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


FLOOR_SCRIPT = """
import sys
from python_calamine import CalamineWorkbook
from sqlalchemy import create_engine
url, path = sys.argv[1:]
grid = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
header, rows = grid[0], grid[1:]
with create_engine(url).begin() as connection:
    columns = ", ".join(f"c{index} TEXT" for index in range(len(header)))
    connection.exec_driver_sql(f"CREATE TABLE bench_floor ({columns})")
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO bench_floor VALUES ({', '.join([marker] * len(header))})",
        [tuple(None if cell == "" else str(cell) for cell in row) for row in rows])
    connection.exec_driver_sql("DROP TABLE bench_floor")
"""


def timed_process(arguments: list[str], environment: dict[str, str], folder: str) -> float:
    """Seconds a whole process takes, from its start to its exit."""
    start = time.perf_counter()
    subprocess.run(arguments, env=environment, cwd=folder, check=True, capture_output=True)
    return time.perf_counter() - start


def whole_processes(path: Path) -> tuple[float, float]:
    """The best of RUNS of `mne import-stats` (into a freshly initialised database) and of the
    floor script, each a whole process."""
    command = shutil.which("mne", path=str(Path(sys.executable).parent)) or "mne"
    imports, floors = [], []
    for _run in range(RUNS):
        with scratch_database() as (folder, url, _database):
            shutil.copy(ROOT / "config.toml", Path(folder) / "config.toml")
            environment = {**os.environ, "MNE_CONFIG": f"{folder}/config.toml",
                           "MNE_DATABASE_URL": url}
            subprocess.run([command, "init"], env=environment, cwd=folder, check=True,
                           capture_output=True)
            imports.append(timed_process([command, "import-stats", str(path), "--mapping",
                                          "unodc", "--create-missing"], environment, folder))
            floors.append(timed_process([sys.executable, "-c", FLOOR_SCRIPT, url, str(path)],
                                        environment, folder))
    return min(imports), min(floors)


@contextmanager
def scratch_database() -> Iterator[tuple[str, str, Database]]:
    """A temporary folder and an empty database for one run, its URL (MNE_BENCH_DATABASE_URL
    names a scratch database, else a SQLite file in the folder), emptied afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("MNE_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        database = Database(url)
        _drop_everything(database)
        try:
            yield folder, url, database
        finally:
            _drop_everything(database)
            database.engine.dispose()


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
        with scratch_database() as (_folder, _url, database):
            upgrade(database.engine)
            imports.append(timed_import(database, path))
            if run == 0:
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            floors.append(timed_floor(database, path))
    seconds, rows = min(imports)
    floor = min(floors)
    ratio = seconds / floor
    print(f"database: {database.engine.url.get_backend_name()}")
    print(f"import: {seconds:.2f} s for {rows} rows ({rows / seconds:,.0f} rows/s), "
          f"peak memory {peak:.0f} MiB")
    print(f"floor (calamine read + executemany): {floor:.2f} s")
    print(f"ratio to floor: {ratio:.2f} (goal <= {GOAL}; best of {RUNS} runs)")
    process, process_floor = whole_processes(path)
    print(f"whole process: mne import-stats {process:.2f} s, floor script {process_floor:.2f} s, "
          f"ratio {process / process_floor:.2f} (goal <= {PROCESS_GOAL}; start-up included, "
          f"best of {RUNS})")


if __name__ == "__main__":
    main()
