"""With nobody at the keyboard the scheduler compiles the quarterly reports once in each of the
strategy's report languages, catches up on a run it missed, and records every run, failed ones
included."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from indicators.model import Strategy
from mne.scheduling import job_context
from reports.archive import report_bytes
from reports.jobs import quarterly_reports, run_recorded
from reports.model import ClaimState, CompiledReport, JobRun, ReportClaim, RunOutcome
from reports.scheduler import start_scheduler
from tests.helpers import write_config

KINDS = {"gaps", "progress"}
LANGUAGES = ("en", "zh")  # the demonstration strategy's report languages
TITLES = {"en": "National Strategy to Prevent and Counter Organized Crime",
          "zh": "预防和打击有组织犯罪国家战略"}


def _cron_at(moment: dt.datetime, seconds: int = 1) -> str:
    """A cron expression (with a seconds field) firing at `moment` and the following seconds."""
    span = f"{moment.second}-{moment.second + seconds - 1}" if seconds > 1 else moment.second
    return f"{span} {moment.minute} {moment.hour} {moment.day} {moment.month} *"


def _moment_ahead(lead: float, seconds: int = 1) -> dt.datetime:
    """A whole second at least `lead` seconds from now whose next `seconds` share its minute."""
    moment = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=lead + 1)).replace(microsecond=0)
    if moment.second + seconds > 59:
        moment = moment.replace(second=0) + dt.timedelta(minutes=1)
    return moment


def _wait_for(condition: Callable[[], bool], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout} s waiting for {condition.__doc__}")
        time.sleep(0.25)


def _count(db, statement) -> int:
    with db.sessions() as session:
        return session.scalar(statement)


def _reports_per_key(db) -> dict[tuple[str, str, str], int]:
    """How many reports were kept of each (kind, period, language)."""
    with db.sessions() as session:
        rows = session.execute(select(
            CompiledReport.kind, CompiledReport.period, CompiledReport.language, func.count())
            .group_by(CompiledReport.kind, CompiledReport.period, CompiledReport.language)).all()
    return {(str(kind), period, language): count for kind, period, language, count in rows}


def _once_each(*periods: str) -> dict[tuple[str, str, str], int]:
    """One report of each kind and language for each period."""
    return {(kind, period, language): 1
            for kind in KINDS for period in periods for language in LANGUAGES}


def _finished_runs(db) -> int:
    return _count(db, select(func.count()).select_from(JobRun).where(
        JobRun.outcome != RunOutcome.RUNNING))


def test_scheduler_compiles_the_quarterly_reports_in_english_and_chinese_when_its_cron_fires(
        app, db, demo, settings):
    moment = _moment_ahead(3)
    context = job_context(settings, db)
    context.schedules = {"quarterly_reports": _cron_at(moment)}
    scheduler = start_scheduler(context, db.engine)
    try:
        def reports_stored():
            """both reports of the quarter just ended, in both languages"""
            return _reports_per_key(db) == _once_each("2026Q3")
        _wait_for(reports_stored)
        _wait_for(lambda: _finished_runs(db) == 1)
    finally:
        scheduler.shutdown()
    with db.sessions() as session:
        run = session.scalars(select(JobRun)).one()
        reports = session.scalars(select(CompiledReport)).all()
        titles = {(report.kind.value, report.language): json.loads(report_bytes(
            report, "json", settings.storage_folder))["strategy_title"] for report in reports}
    assert run.outcome is RunOutcome.SUCCEEDED, run.error
    assert run.scheduled_for == moment.replace(tzinfo=None)
    assert {report.compiled_by for report in reports} == {"scheduler"}
    assert len(run.outputs) == len(KINDS) * len(LANGUAGES)
    assert set(titles) == {(kind, language) for kind in KINDS for language in LANGUAGES}
    for (_kind, language), title in titles.items():
        assert TITLES[language] in title, (language, title)


def test_run_missed_while_no_scheduler_was_up_runs_once_on_start(db, settings):
    moment = _moment_ahead(2, seconds=3)
    context = job_context(settings, db)
    context.schedules = {"reminders": _cron_at(moment, seconds=3)}
    down = start_scheduler(context, db.engine, paused=True)
    assert down.get_job("reminders").next_run_time == moment
    down.shutdown()
    time.sleep(max(0.0, (moment - dt.datetime.now(dt.UTC)).total_seconds()) + 4)
    scheduler = start_scheduler(context, db.engine)
    try:
        _wait_for(lambda: _finished_runs(db) >= 1)
        time.sleep(2)
        assert _finished_runs(db) == 1, "three missed firings are coalesced into one run"
        assert scheduler.get_job("reminders").next_run_time.year == moment.year + 1
    finally:
        scheduler.shutdown()


def test_concurrent_runs_compile_each_report_exactly_once(db, demo, settings):
    context = job_context(settings, db)
    due = dt.datetime(2026, 11, 15, 6, 0)
    start = threading.Barrier(3)
    outputs: list[list[str]] = []

    def run() -> None:
        start.wait()
        outputs.append(quarterly_reports(context, due))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _reports_per_key(db) == _once_each("2026Q3")
    assert sorted(len(produced) for produced in outputs)[-1] >= 1
    assert sum(len(produced) for produced in outputs) == len(KINDS) * len(LANGUAGES)


def test_failed_compilation_is_recorded_and_retried_by_the_next_trigger(db, demo, settings,
                                                                        tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the storage folder should be")
    context = job_context(settings, db)
    context.reports = replace(context.reports, storage_folder=blocked)
    due = dt.datetime(2026, 11, 15, 6, 0)
    failed = run_recorded(context, "quarterly_reports", due)
    assert failed.outcome is RunOutcome.FAILED and "not-a-folder" in failed.error
    with db.sessions() as session:
        assert {claim.state for claim in session.scalars(select(ReportClaim))} == {
            ClaimState.FAILED}
    context.reports = replace(context.reports, storage_folder=settings.storage_folder)
    next_quarter = run_recorded(context, "quarterly_reports", dt.datetime(2027, 2, 15, 6, 0))
    assert next_quarter.outcome is RunOutcome.SUCCEEDED, next_quarter.error
    assert _reports_per_key(db) == _once_each("2026Q3", "2026Q4")


def _start_scheduler_process(config: Path, log: Path) -> subprocess.Popen:
    command = shutil.which("mne", path=str(Path(sys.executable).parent)) or "mne"
    with log.open("w") as stream:
        return subprocess.Popen([command, "scheduler"], stdout=stream, stderr=subprocess.STDOUT,
                                env={**os.environ, "MNE_CONFIG": str(config)})


def test_two_scheduler_processes_on_one_database_compile_each_report_once(
        db, demo, database_url, tmp_path, monkeypatch):
    monkeypatch.delenv("MNE_DATABASE_URL", raising=False)
    moment = _moment_ahead(12)
    config = write_config(tmp_path, database_url,
                          quarterly_reports=f'"{_cron_at(moment)}"')
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    processes = [_start_scheduler_process(config, log) for log in logs]
    try:
        def both_started():
            """both schedulers to start"""
            return all("quarterly_reports next at" in log.read_text() for log in logs)
        _wait_for(both_started, timeout=60)
        assert dt.datetime.now(dt.UTC) < moment, "both were up before the trigger"

        def compiled():
            """the reports of the quarter just ended"""
            return set(_reports_per_key(db)) == set(_once_each("2026Q3"))
        _wait_for(compiled)
        _wait_for(lambda: _finished_runs(db) >= 1)
        time.sleep(3)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    assert _reports_per_key(db) == _once_each("2026Q3")
    assert all(process.returncode == 0 for process in processes), [
        log.read_text() for log in logs]


@pytest.fixture(autouse=True)
def _no_scheduler_left_running():
    yield
    assert not any(thread.name.startswith("APScheduler") for thread in threading.enumerate())


def test_claim_of_a_process_that_died_is_taken_over(db, demo):
    from reports.claims import STALE_CLAIM, claim
    from reports.model import ReportKind

    with db.sessions() as session:
        strategy_id = session.scalar(select(Strategy.id))
    assert claim(db.sessions, strategy_id, ReportKind.GAPS, "2026Q3", "first")
    assert not claim(db.sessions, strategy_id, ReportKind.GAPS, "2026Q3", "second")
    with db.transaction() as session:
        session.scalars(select(ReportClaim)).one().claimed_at -= STALE_CLAIM * 2
    assert claim(db.sessions, strategy_id, ReportKind.GAPS, "2026Q3", "third")
    with db.sessions() as session:
        assert session.scalars(select(ReportClaim)).one().claimed_by == "third"


def test_failing_run_under_mne_serve_is_recorded_and_the_site_stays_up(
        db, demo, database_url, tmp_path, monkeypatch, token_for):
    import urllib.request

    from tests.deployment import wait_until_answers
    from tests.helpers import free_port

    monkeypatch.delenv("MNE_DATABASE_URL", raising=False)
    blocked = tmp_path / "storage-is-a-file"
    moment = _moment_ahead(8)
    config = write_config(tmp_path, database_url, quarterly_reports=f'"{_cron_at(moment)}"')
    config.write_text(config.read_text().replace('folder = "instance/storage"',
                                                 f'folder = "{blocked}"'))
    port = free_port()
    command = shutil.which("mne", path=str(Path(sys.executable).parent)) or "mne"
    server = subprocess.Popen([command, "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env={**os.environ, "MNE_CONFIG": str(config)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_answers(f"http://127.0.0.1:{port}/scheduler", server)
        blocked.rmdir()  # the storage breaks after mne started (it checks it at start)
        blocked.write_text("no folder here")

        def failed_run():
            """the failed run of the quarterly reports"""
            return _count(db, select(func.count()).select_from(JobRun).where(
                JobRun.outcome == RunOutcome.FAILED)) == 1
        _wait_for(failed_run)
        as_evaluator = urllib.request.Request(
            f"http://127.0.0.1:{port}/scheduler",
            headers={"Authorization": f"Bearer {token_for('evaluator')}"})
        with urllib.request.urlopen(as_evaluator, timeout=10) as answer:
            page = answer.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "failed" in page and "storage-is-a-file" in page


def test_scheduler_page_shows_each_job_and_its_next_run(evaluator_client, db, settings):
    scheduler = start_scheduler(job_context(settings, db), db.engine, paused=True)
    try:
        expected = scheduler.get_job("quarterly_reports").next_run_time
    finally:
        scheduler.shutdown()
    page = evaluator_client.get("/scheduler").get_data(as_text=True)
    assert settings.jobs["quarterly_reports"] in page
    expected = expected.astimezone(dt.UTC)  # the page shows UTC, as English writes dates
    assert f"{expected:%b} {expected.day}, {expected:%Y %H:%M:%S}" in page
