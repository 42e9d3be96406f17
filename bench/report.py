"""Benchmark: compile the progress and gap reports and render each in every format (xlsx, html,
json) over 1,000,000 and 4,000,000 values.

Reuses the evaluators' benchmark database (bench/progress.py: 300 indicators, 40 quarters,
50 entities for 1M values and 200 for 4M, one indicator in six by sex) in a scratch SQLite file
under bench/out/, and prints seconds (best of two), peak memory traced during one more run, and
the ratio of time at 4M to time at 1M. Goals: at most 3 s and 1 GB at 1M, ratio at most 4.4.

    python bench/report.py             # 1M and 4M values
    python bench/report.py --quick     # 100k and 400k values (also BENCH_SCALE=0.1)
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from progress import CALENDAR, OUT, STRATEGY, THRESHOLDS, build  # noqa: E402  (bench/progress.py)

from mne.database import Database  # noqa: E402
from reports.archive import ReportSettings, compile_report, render  # noqa: E402
from reports.model import ReportKind  # noqa: E402

PERIOD = "2026Q4"
AS_OF = dt.date(2027, 2, 15)
GOAL_SECONDS, GOAL_MB, GOAL_RATIO = 3.0, 1000.0, 4.4


def compile_and_render(database: Database, settings: ReportSettings, strategy: str = STRATEGY,
                       period: str = PERIOD, as_of: dt.date = AS_OF) -> int:
    """Both reports compiled and rendered in every format; returns the bytes rendered."""
    size = 0
    with database.sessions() as session:
        for kind in ReportKind:
            compilation = compile_report(session, kind, strategy, period, settings, as_of)
            size += sum(len(data) for data in render(compilation).values())
    return size


def run(entities: int, settings: ReportSettings) -> dict[str, float]:
    """Build the database for `entities`, then time and trace the reports over it."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"report-{entities}.db"
    started = time.perf_counter()
    values = build(path, entities)
    print(f"  built {values:,} values ({entities} entities) in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    database = Database(f"sqlite:///{path}")
    timings = []
    for _attempt in range(2):
        started = time.perf_counter()
        size = compile_and_render(database, settings)
        timings.append(time.perf_counter() - started)
    tracemalloc.start()
    compile_and_render(database, settings)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    seconds = min(timings)
    print(f"  progress + gaps, xlsx + html + json: {seconds:6.2f} s   peak {peak:7.1f} MB   "
          f"({size / 1e6:.1f} MB rendered)", flush=True)
    database.engine.dispose()
    path.unlink(missing_ok=True)
    return {"values": values, "seconds": seconds, "peak": peak}


def main() -> None:
    scale = 0.1 if "--quick" in sys.argv else float(os.environ.get("BENCH_SCALE", "1"))
    settings = ReportSettings(storage_folder=OUT, calendar=CALENDAR,
                              thresholds=THRESHOLDS)
    small, large = max(1, round(50 * scale)), max(4, round(200 * scale))
    print(f"== 1x ({small} entities)")
    first = run(small, settings)
    print(f"== 4x ({large} entities)")
    second = run(large, settings)
    ratio = second["seconds"] / first["seconds"]
    print(f"at {first['values']:,} values: {first['seconds']:.2f} s (goal <= {GOAL_SECONDS} s: "
          f"{'ok' if first['seconds'] <= GOAL_SECONDS else 'ABOVE GOAL'}), peak "
          f"{first['peak']:.0f} MB (goal <= {GOAL_MB:.0f} MB: "
          f"{'ok' if first['peak'] <= GOAL_MB else 'ABOVE GOAL'})")
    print(f"ratio {second['values']:,} / {first['values']:,} values: {ratio:.2f} "
          f"(goal <= {GOAL_RATIO}: {'ok' if ratio <= GOAL_RATIO else 'ABOVE GOAL'})")


if __name__ == "__main__":
    main()
