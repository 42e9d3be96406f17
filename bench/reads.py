"""Benchmark: what evaluators read at national scale — the dashboard page, an indicator page
(a series by sex and age) and both quarterly reports compiled and rendered in every format —
over 1,000,000 and 4,000,000 values (bench/dataset.py), on SQLite and on PostgreSQL.

Pages are requested through the real application (an evaluator signed in, HTML rendered);
reports through `reports.archive`. Each figure is the best of three requests after one to warm
up; the reports' peak memory is traced in one more run. Prints each figure with its goal.

    python bench/reads.py                       # 1M and 4M, SQLite and PostgreSQL
    BENCH_SCALE=0.1 python bench/reads.py       # a tenth of the size
    python bench/reads.py --values 1e6 --backends sqlite
    python bench/reads.py --profile dashboard   # the top lines of cProfile for one read
    python bench/reads.py --direct              # as before: series computed from every value
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import re
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from dataset import (  # noqa: E402
    CALENDAR,
    OUT,
    ROOT,
    STRATEGY,
    THRESHOLDS,
    build,
    existing_url,
    scratch_url,
)
from sqlalchemy import delete, select  # noqa: E402

from indicators import aggregates  # noqa: E402
from mne import create_app  # noqa: E402
from mne.accounts.model import Role, User  # noqa: E402
from mne.accounts.service import grant_role, hash_password  # noqa: E402
from mne.config import load_settings  # noqa: E402
from mne.database import Database  # noqa: E402
from reports.archive import ReportSettings, compile_report, render  # noqa: E402
from reports.model import ReportKind  # noqa: E402

EMAIL, PASSWORD = "evaluator@bench.example", "bench-password-long-enough"
PERIOD, AS_OF = "2025Q4", dt.date(2026, 2, 15)
INDICATOR = "I002"  # by sex and by age
GOALS = {  # seconds at 1M, at 4M
    "dashboard": (0.3, 0.5),
    "indicator page": (0.1, 0.1),
    "both reports, every format": (3.0, 10.0),
}
GOAL_MB = 1000.0


def signed_in_client(url: str):
    """A test client of the application on `url`, signed in as an evaluator."""
    folder = OUT / "reads-instance"
    folder.mkdir(parents=True, exist_ok=True)
    config = (ROOT / "config.toml").read_text(encoding="utf-8")
    config = re.sub(r'(?m)^url = .*$', f'url = "{url}"', config, count=1)
    config = re.sub(r'(?m)^folder = .*$', f'folder = "{folder / "storage"}"', config, count=1)
    (folder / "config.toml").write_text(config, encoding="utf-8")
    settings = load_settings(folder / "config.toml")
    database = Database(url)
    with database.transaction() as session:
        if session.scalars(select(User).where(User.email == EMAIL)).first():
            session.execute(delete(User).where(User.email == EMAIL))
        user = User(email=EMAIL, name="Evaluator", password_hash=hash_password(PASSWORD))
        session.add(user)
        session.flush()
        grant_role(session, "bench", user, Role("evaluator"), None)
    database.engine.dispose()
    app = create_app(settings)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                         "csrf_token": token})
    assert answer.status_code == 302, "the evaluator could not sign in"
    return app, client


def page(client, path: str) -> Callable[[], int]:
    def get() -> int:
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        return len(answer.data)
    return get


def reports(database: Database) -> Callable[[], int]:
    """Both reports compiled and rendered in every format (the bytes rendered)."""
    settings = ReportSettings(storage_folder=OUT, calendar=CALENDAR, thresholds=THRESHOLDS)

    def compile_and_render() -> int:
        with database.sessions() as session:
            return sum(len(data) for kind in ReportKind for data in render(
                compile_report(session, kind, STRATEGY, PERIOD, settings, AS_OF)).values())
    return compile_and_render


def best_of(work: Callable[[], int], runs: int = 3) -> float:
    work()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def peak_mb(work: Callable[[], int]) -> float:
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return peak


def profile(work: Callable[[], int], lines: int = 25) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(work)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(lines)
    print(text.getvalue())


def verdict(seconds: float, goal: float) -> str:
    return f"{seconds:6.3f} s  goal <= {goal} s  ratio {seconds / goal:4.2f}  " \
           f"{'ok' if seconds <= goal else 'ABOVE GOAL'}"


def run(backend: str, values: int, profiled: str | None, reuse: bool) -> None:
    name = f"reads-{values / 1e6:g}m".replace(".", "_")
    if reuse:
        url = existing_url(backend, name)
        print(f"== {backend}, {values:,} values built before", flush=True)
    else:
        url = scratch_url(backend, name)
        print(f"== {backend}, {build(url, values)}", flush=True)
    app, client = signed_in_client(url)
    reads = {
        "dashboard": page(client, f"/strategies/{STRATEGY}/dashboard"),
        "indicator page": page(client, f"/strategies/{STRATEGY}/indicators/{INDICATOR}"),
        "both reports, every format": reports(app.extensions["mne.database"]),
    }
    scale = 0 if values <= 2_000_000 else 1
    for label, work in reads.items():
        if profiled and label.startswith(profiled):
            profile(work)
        print(f"  {label:28s} {verdict(best_of(work), GOALS[label][scale])}", flush=True)
    peak = peak_mb(reads["both reports, every format"])
    print(f"  {'reports, peak memory':28s} {peak:6.0f} MB goal <= {GOAL_MB:.0f} MB  "
          f"{'ok' if peak <= GOAL_MB else 'ABOVE GOAL'}", flush=True)
    app.extensions["mne.database"].engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    parser.add_argument("--values", type=float, nargs="*", default=[1e6 * scale, 4e6 * scale])
    parser.add_argument("--backends", nargs="*", default=["sqlite", "postgresql"])
    parser.add_argument("--profile", choices=["dashboard", "indicator", "both"], default=None)
    parser.add_argument("--reuse", action="store_true",
                        help="read the databases an earlier run built")
    parser.add_argument("--direct", action="store_true",
                        help="compute the national series from every value (as before the "
                             "series were kept), to compare")
    arguments = parser.parse_args()
    aggregates.READ_FROM_SUMMARY = not arguments.direct
    for backend in arguments.backends:
        for values in arguments.values:
            run(backend, int(values), arguments.profile, arguments.reuse)


if __name__ == "__main__":
    main()
