"""The scheduled jobs (quarterly reports, reminders) and the record of each of their runs."""

from __future__ import annotations

import datetime as dt
import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from indicators.model import Strategy, utcnow
from reports.archive import ReportSettings
from reports.claims import compile_scheduled, failed_claims
from reports.job_names import REMINDERS_JOB, REPORTS_JOB
from reports.model import JobRun, ReportKind, RunOutcome
from reports.notify import (
    Languages,
    Recipients,
    Reminders,
    Reviewers,
    SmtpServer,
    focal_point_address,
    no_language,
    nobody,
    send_reminders,
)


def this_worker() -> str:
    """Which process is working: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Clock:
    """Calendar time against wall time. This one, the system's, keeps them equal; a test may
    run the calendar faster than the wall clock."""

    def calendar_time(self, wall: dt.datetime) -> dt.datetime:
        """The calendar's moment at wall-clock `wall` (both aware)."""
        return wall

    def wall_time(self, moment: dt.datetime) -> dt.datetime:
        """The wall-clock time the calendar's `moment` comes (both aware)."""
        return moment


@dataclass
class JobContext:
    """What the scheduled jobs need: the database and the configuration."""

    sessions: sessionmaker
    reports: ReportSettings
    schedules: dict[str, str]
    timezone: str = "UTC"
    run_at: dt.time = dt.time(6)
    clock: Clock = field(default_factory=Clock)
    site_url: str = ""
    misfire_grace_seconds: int = 86_400
    reminder_lookback: int = 4
    smtp: SmtpServer | None = None
    recipients: Recipients = focal_point_address
    reviewers: Reviewers = nobody
    languages: Languages = no_language
    worker: str = field(default_factory=this_worker)


class JobFailed(Exception):
    """Some of a run's work failed; the rest was done and is listed in `outputs`."""

    def __init__(self, outputs: list[str], errors: list[str]):
        super().__init__("\n".join(errors))
        self.outputs = outputs


def quarterly_reports(context: JobContext, scheduled_for: dt.datetime) -> list[str]:
    """Progress and gap reports of each active strategy for the latest period whose returns
    are due and reviewed (`Calendar.period_to_report`), in each of the strategy's report
    languages (none listed: the default language), and any earlier scheduled compilation that
    failed, each compiled once however many schedulers run."""
    period = context.reports.calendar.period_to_report(scheduled_for.date())
    with context.sessions() as session:
        strategies = {row.id: row for row in session.scalars(
            select(Strategy).where(Strategy.active).order_by(Strategy.code))}
        targets = [(strategy, kind, period.code, language)
                   for strategy in strategies.values() for kind in ReportKind
                   for language in strategy.report_languages or [""]]
        targets += [(strategies[claim.strategy_id], claim.kind, claim.period, claim.language)
                    for claim in failed_claims(session)
                    if claim.strategy_id in strategies
                    and (strategies[claim.strategy_id], claim.kind, claim.period,
                         claim.language) not in targets]
    outputs, errors = [], []
    for (strategy, code, language), kinds in _grouped(targets).items():
        label = f"{strategy.code} {code}" + (f" {language}" if language else "")
        try:
            reports = compile_scheduled(context.sessions, strategy, kinds, code,
                                        context.reports, scheduled_for.date(), context.worker,
                                        language)
        except Exception:  # noqa: BLE001 - one strategy failing must not stop the others
            errors.append(f"{label}: {traceback.format_exc(limit=4)}")
            continue
        outputs += [f"{report.kind.value} {label} v{report.version} (report {report.id})"
                    for report in reports]
    if errors:
        raise JobFailed(outputs, errors)
    return outputs


def _grouped(targets: list[tuple]) -> dict[tuple, list[ReportKind]]:
    grouped: dict[tuple, list[ReportKind]] = {}
    for strategy, kind, code, language in targets:
        grouped.setdefault((strategy, code, language), []).append(kind)
    return grouped


def reminders(context: JobContext, scheduled_for: dt.datetime) -> list[str]:
    """Remind coordinators before and after their returns are due, and evaluators of returns
    waiting for review."""
    reminders = Reminders(context.reports.calendar, context.reminder_lookback, context.site_url,
                          context.recipients, context.reviewers, context.languages)
    created = send_reminders(context.sessions, reminders, scheduled_for.date(), context.smtp)
    return [f"{item.period} {item.entity_id} → {item.recipient or '-'}"
            + (" (sent)" if item.sent_at else f" ({item.send_error})" if item.send_error else "")
            for item in created]


JOBS: dict[str, Callable[[JobContext, dt.datetime], list[str]]] = {
    REPORTS_JOB: quarterly_reports,
    REMINDERS_JOB: reminders,
}


def run_recorded(context: JobContext, job_id: str,
                 scheduled_for: dt.datetime) -> JobRun | None:
    """Run a job and record the run: start, end, outcome, error text, outputs. Never raises
    for the job's own failure, so that a scheduler (and the web process it lives in) goes on.
    When another scheduler already recorded this job's run for `scheduled_for`, it is that
    scheduler's to run: None."""
    try:
        with context.sessions() as session, session.begin():
            run = JobRun(job_id=job_id, scheduled_for=scheduled_for, started_at=utcnow(),
                         worker=context.worker)
            session.add(run)
    except IntegrityError:
        return None
    outputs, error, outcome = [], "", RunOutcome.SUCCEEDED
    try:
        outputs = JOBS[job_id](context, scheduled_for)
    except JobFailed as failure:
        outputs, error, outcome = failure.outputs, str(failure), RunOutcome.FAILED
    except Exception:  # noqa: BLE001 - recorded, and retried by the next trigger
        error, outcome = traceback.format_exc(limit=6), RunOutcome.FAILED
    with context.sessions() as session, session.begin():
        run = session.get(JobRun, run.id)
        run.finished_at, run.outcome, run.error, run.outputs = utcnow(), outcome, error, outputs
    return run


def recent_runs(session, limit: int = 200) -> list[JobRun]:
    """The latest runs of every job, newest first."""
    return list(session.scalars(select(JobRun).order_by(JobRun.started_at.desc(),
                                                        JobRun.id.desc()).limit(limit)))
