"""Scheduler start-up: the scheduled jobs' context built from configuration, and the scheduler
that `mne serve` runs beside the web application (unless configured off) or `mne scheduler`
runs alone."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import Session

from indicators.model import Return
from indicators.return_review import ReviewDecision
from mne.accounts.service import reminder_recipients, reviewer_addresses
from mne.config import Settings
from mne.database import Database
from reports.archive import ReportSettings
from reports.jobs import JobContext
from reports.notify import notify_decision
from reports.scheduler import start_scheduler

log = logging.getLogger(__name__)


def report_settings(settings: Settings) -> ReportSettings:
    """What compiling a report needs from configuration."""
    return ReportSettings(storage_folder=settings.storage_folder,
                          calendar=settings.calendar,
                          thresholds=settings.thresholds)


def job_context(settings: Settings, database: Database) -> JobContext:
    """The scheduled jobs' view of configuration and database."""
    return JobContext(sessions=database.sessions, reports=report_settings(settings),
                      schedules=dict(settings.jobs), timezone=settings.scheduler_timezone,
                      run_at=settings.run_at, site_url=site_url(settings),
                      misfire_grace_seconds=settings.misfire_grace_seconds,
                      reminder_lookback=settings.reminder_lookback, smtp=settings.smtp,
                      recipients=reminder_recipients, reviewers=reviewer_addresses)


def site_url(settings: Settings) -> str:
    """Where people reach mne, for the links in reminders."""
    return settings.site_url or f"http://{settings.host}:{settings.port}"


def notify_review(settings: Settings, database: Database, session: Session, return_: Return,
                  decision: ReviewDecision) -> None:
    """Tell the coordinators of `return_` (those reminders go to) of a review decision just
    committed: on /notifications, and by e-mail when an SMTP server is configured."""
    notify_decision(database.sessions, return_, decision,
                    reminder_recipients(session, return_.entity), settings.smtp)


def start(settings: Settings, database: Database) -> BackgroundScheduler:
    """Start the scheduler on the application's database."""
    scheduler = start_scheduler(job_context(settings, database), database.engine)
    for job in scheduler.get_jobs():
        log.info("scheduled %s (%s), next run %s", job.id, job.name, job.next_run_time)
    return scheduler
