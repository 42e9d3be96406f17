"""Benchmark: the multi-user deployment under load.

Builds a national-scale database on PostgreSQL (`bench/dataset.py`, 1M values by default),
serves it as docs/deploy.md describes (gunicorn, several workers, on loopback), and runs
clients for a while over a mix of the dashboard, indicator pages and the API's series, while a
coordinator uploads a return every few seconds. Each client is a user who reads a page before
asking for the next (a pause of `--think` seconds on average, drawn at random); `--think 0`
asks without pause, which measures how many requests the machine can serve rather than how
long a user waits. Prints requests per second and the 50th, 95th
and 99th percentile of each route's answer time against the goals (p95 <= 150 ms for the
indicator page and the API, <= 300 ms for the dashboard, no error).

    python bench/load.py                               # 1M values, 8 clients, 60 s
    python bench/load.py --values 100000 --seconds 10  # a quick try
    python bench/load.py --think 0                     # clients that never pause: saturation

The database (`mne_load_<values>` on the local server) is kept for a look afterwards and built
again on the next run.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dataset import POSTGRES_SERVER, STRATEGY, build, scratch_url  # noqa: E402
from sqlalchemy import create_engine, select  # noqa: E402

from importers.return_form import L_CODE, L_NATURE, Q_CODE, Q_KEY, Q_VALUE, build_form  # noqa: E402
from importers.template import write_template  # noqa: E402
from indicators.model import Entity, Indicator, Kind, Strategy  # noqa: E402
from indicators.periods import parse_period  # noqa: E402
from indicators.vocabulary import Nature  # noqa: E402
from mne.accounts.service import hash_password  # noqa: E402
from mne.database import Database  # noqa: E402
from tests.deployment import Browser, gunicorn  # noqa: E402
from tests.helpers import add_user, write_config  # noqa: E402

PASSWORD = "a long benchmark password"
GOALS_MS = {"dashboard": 300, "indicator page": 150, "API series": 150, "upload": None}
MIX = (("dashboard", 1), ("indicator page", 2), ("API series", 2))
UPLOAD_PERIOD = "2026Q3"  # after the built quarters: each upload a new revision
# what an uploaded return says: a total and breakdowns that add up within it, valid in any unit
FILLED = {0: 40, 1: 8, 2: 4}  # by the number of categories in a breakdown key


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    parser.add_argument("--values", type=int, default=int(1_000_000 * scale))
    parser.add_argument("--seconds", type=float, default=max(10.0, 60 * scale))
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker")
    parser.add_argument("--upload-every", type=float, default=5.0, help="seconds")
    parser.add_argument("--warm-up", type=float, default=5.0, help="seconds not recorded")
    parser.add_argument("--think", type=float, default=1.0,
                        help="seconds a user reads a page, on average (0: no pause)")
    return parser.parse_args()


def prepare(url: str, uploads: int) -> tuple[list[str], str, list[bytes]]:
    """Users, the indicator codes to read and the filled returns a coordinator uploads."""
    database = Database(url)
    with database.transaction() as session:
        password = hash_password(PASSWORD)
        entity = session.scalars(select(Entity.code).order_by(Entity.code)).first()
        add_user(session, password, "evaluator", email="evaluator@bench.example")
        add_user(session, password, "coordinator", entity, email="coordinator@bench.example")
        codes = list(session.scalars(select(Indicator.code).join(Strategy).where(
            Strategy.code == STRATEGY, Indicator.kind == Kind.QUANTITATIVE)))
        template = write_template(session, build_form(session, entity,
                                                      parse_period(UPLOAD_PERIOD)))
    database.engine.dispose()
    return codes, entity, [filled(template, number) for number in range(uploads)]


def filled(template: bytes, number: int) -> bytes:
    """The template with every quantitative row filled (breakdowns within their total), the
    totals raised by `number` so that each upload differs from the one before."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook["Quantitative"]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, Q_CODE).value:
            key = sheet.cell(row, Q_KEY).value or ""
            sheet.cell(row, Q_VALUE).value = FILLED[min(key.count("="), 2)] + (
                0 if key else number % 50)
    levels = workbook["Qualitative"]
    for row in range(2, levels.max_row + 1):
        if levels.cell(row, L_CODE).value:
            levels.cell(row, L_NATURE).value = str(Nature.NOT_AVAILABLE.label)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


class Timings:
    """Answer times and failures per route, from several threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.failures: dict[str, list[str]] = defaultdict(list)

    def time(self, route: str, request) -> bytes:
        started = time.perf_counter()
        try:
            status, body = request()
            failure = None if status == 200 else f"HTTP {status}"
        except OSError as problem:
            failure, body = str(problem), b""
        elapsed = time.perf_counter() - started
        with self.lock:
            self.seconds[route].append(elapsed)
            if failure:
                self.failures[route].append(failure)
        return body


def client(browser: Browser, codes: list[str], timings: Timings, start: float, until: float,
           seed: int, think: float) -> None:
    """Read pages of the mix at random until `until`, pausing `think` seconds on average
    between them, recording from `start` on (before it, the workers warm up: their first
    answers fill their caches of templates)."""
    rng = random.Random(seed)
    routes = [route for route, weight in MIX for _ in range(weight)]
    while time.monotonic() < until:
        route, code = rng.choice(routes), rng.choice(codes)
        path = _path(route, code)
        if time.monotonic() < start:
            browser.get(path)
        else:
            timings.time(route, lambda path=path: browser.get(path))
        if think:
            time.sleep(rng.expovariate(1 / think))


def _path(route: str, code: str) -> str:
    return {"dashboard": f"/strategies/{STRATEGY}/dashboard",
            "indicator page": f"/strategies/{STRATEGY}/indicators/{code}",
            "API series": f"/api/v1/indicators/{code}/series?strategy={STRATEGY}"}[route]


def uploader(browser: Browser, entity: str, workbooks: list[bytes], timings: Timings,
             start: float, every: float, outcomes: list[str]) -> None:
    """From `start` on, upload the next workbook as a new revision every `every` seconds."""
    page = f"/returns/of/{entity}/{UPLOAD_PERIOD}"
    time.sleep(max(0.0, start - time.monotonic()))
    for workbook in workbooks:
        started = time.monotonic()
        body = timings.time("upload", lambda workbook=workbook: browser.post(
            page, {"action": "submit"}, form_at=page,
            files={"file": (f"{entity}-{UPLOAD_PERIOD}.xlsx", workbook)}))
        outcome = body.split(b'data-outcome="', 1)[-1].split(b'"', 1)[0].decode(errors="replace")
        outcomes.append(outcome)
        time.sleep(max(0.0, every - (time.monotonic() - started)))


def report(timings: Timings, seconds: float, outcomes: list[str]) -> None:
    total = sum(len(times) for times in timings.seconds.values())
    print(f"{total} requests in {seconds:.0f} s: {total / seconds:.1f} requests per second")
    for route, goal in GOALS_MS.items():
        times = sorted(timings.seconds.get(route, []))
        if not times:
            print(f"  {route:15s} no request")
            continue
        p50, p95, p99 = (_percentile(times, share) for share in (0.50, 0.95, 0.99))
        verdict = (f"goal p95 <= {goal} ms: {'met' if p95 <= goal else 'missed'}, "
                   f"ratio {p95 / goal:.2f}") if goal else "no goal"
        print(f"  {route:15s} {len(times):6d} requests, {len(times) / seconds:6.1f}/s   "
              f"p50 {p50:7.0f} ms  p95 {p95:7.0f} ms  p99 {p99:7.0f} ms   {verdict}")
    failures = {route: len(found) for route, found in timings.failures.items() if found}
    print(f"errors: {failures or 'none'} (goal: none)")
    for route, found in timings.failures.items():
        for failure in sorted(set(found))[:3]:
            print(f"  {route}: {failure}")
    print(f"uploads: {', '.join(f'{outcomes.count(o)} {o}' for o in sorted(set(outcomes)))}")


def _percentile(times: list[float], share: float) -> float:
    return 1000 * (statistics.quantiles(times, n=100, method="inclusive")[round(share * 100) - 1]
                   if len(times) > 1 else times[0])


def postgresql_answers() -> bool:
    engine = create_engine(POSTGRES_SERVER, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return True
    except Exception:  # noqa: BLE001 - any failure means: no PostgreSQL here
        return False
    finally:
        engine.dispose()


def run(base: str, options: argparse.Namespace, codes: list[str], entity: str,
        workbooks: list[bytes]) -> tuple[Timings, list[str]]:
    """The clients and the uploader against the deployment at `base`, all logged in first."""
    timings, outcomes = Timings(), []
    readers = [Browser(base, "evaluator@bench.example", PASSWORD) for _ in range(options.clients)]
    sender = Browser(base, "coordinator@bench.example", PASSWORD)
    start = time.monotonic() + options.warm_up
    until = start + options.seconds
    threads = [threading.Thread(target=client, args=(reader, codes, timings, start, until, n,
                                                     options.think))
               for n, reader in enumerate(readers)]
    threads.append(threading.Thread(target=uploader, args=(
        sender, entity, workbooks, timings, start, options.upload_every, outcomes)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, outcomes


def main() -> None:
    options = arguments()
    if not postgresql_answers():
        print(f"skipped: no PostgreSQL server answers at {POSTGRES_SERVER}")
        return
    url = scratch_url("postgresql", f"mne_load_{options.values}")
    print(f"built {build(url, options.values)}", flush=True)
    codes, entity, workbooks = prepare(url, int(options.seconds // options.upload_every))
    with tempfile.TemporaryDirectory() as folder, \
            gunicorn(write_config(Path(folder), url), options.workers, options.threads) as base:
        print(f"gunicorn: {options.workers} workers x {options.threads} threads; "
              f"{options.clients} clients for {options.seconds:.0f} s "
              f"(a pause of {options.think:g} s on average between pages), "
              f"an upload every {options.upload_every:.0f} s", flush=True)
        timings, outcomes = run(base, options, codes, entity, workbooks)
    report(timings, options.seconds, outcomes)


if __name__ == "__main__":
    main()
