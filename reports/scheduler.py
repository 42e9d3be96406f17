"""APScheduler wiring: a background scheduler whose jobs live in the application's database.

A run missed while no scheduler was up runs once when one starts (misfire grace, coalescing);
several schedulers may share one database, the jobs themselves making sure each report and
each reminder happens once. One scheduler per process: the job callable finds its context in
this module, since a job kept in the database can only name a function.
"""

from __future__ import annotations

import datetime as dt

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reports.jobs import JOBS, JobContext, run_recorded
from reports.model import JOB_STORE_TABLE, apscheduler_jobs

_context: JobContext | None = None


class ScheduleError(ValueError):
    """A cron expression or job name in configuration that cannot be scheduled."""


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A trigger from a crontab expression: minute hour day month day-of-week, optionally
    preceded by a seconds field."""
    fields = expression.split()
    try:
        if len(fields) == 6:
            return CronTrigger(second=fields[0], minute=fields[1], hour=fields[2],
                               day=fields[3], month=fields[4], day_of_week=fields[5],
                               timezone=timezone)
        return CronTrigger.from_crontab(expression, timezone=timezone)
    except ValueError as problem:
        raise ScheduleError(f"cron expression '{expression}': {problem}") from None


def run_job(job_id: str) -> None:
    """The callable every stored job names: run `job_id` for its latest due time."""
    if _context is None:
        raise RuntimeError("no scheduler context in this process")
    trigger = cron_trigger(_context.crons[job_id], _context.timezone)
    run_recorded(_context, job_id, _latest_fire_time(trigger, _context.misfire_grace_seconds))


def _latest_fire_time(trigger: CronTrigger, grace_seconds: int) -> dt.datetime:
    """The latest time the trigger fired up to now, within the grace (else now)."""
    now = dt.datetime.now(trigger.timezone)
    fire = trigger.get_next_fire_time(None, now - dt.timedelta(seconds=grace_seconds))
    latest = now
    for _step in range(100_000):
        if fire is None or fire > now:
            break
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + dt.timedelta(microseconds=1))
    return latest.astimezone(dt.UTC).replace(tzinfo=None)


def build_scheduler(context: JobContext, engine: Engine) -> BackgroundScheduler:
    """A background scheduler keeping its jobs in the database of `engine`."""
    unknown = set(context.crons) - set(JOBS)
    if unknown:
        raise ScheduleError(f"unknown scheduled jobs {sorted(unknown)}: known are {sorted(JOBS)}")
    for expression in context.crons.values():
        cron_trigger(expression, context.timezone)
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_STORE_TABLE)},
        executors={"default": ThreadPoolExecutor(2)},
        job_defaults={"coalesce": True, "max_instances": 1,
                      "misfire_grace_time": context.misfire_grace_seconds},
        timezone=context.timezone,
    )


def start_scheduler(context: JobContext, engine: Engine,
                    paused: bool = False) -> BackgroundScheduler:
    """Start a scheduler on the database and bring its jobs in line with configuration.
    A job whose cron expression did not change keeps its next run time, so that a run missed
    while no scheduler was running happens now (once)."""
    global _context
    _context = context
    scheduler = build_scheduler(context, engine)
    scheduler.start(paused=paused)
    stored = {job.id: job for job in scheduler.get_jobs()}
    for job_id, expression in context.crons.items():
        name = f"{expression} [{context.timezone}]"
        if job_id in stored and stored[job_id].name == name:
            continue
        scheduler.add_job(f"{__name__}:run_job", cron_trigger(expression, context.timezone),
                          args=[job_id], id=job_id, name=name, replace_existing=True)
    for job_id in set(stored) - set(context.crons):
        scheduler.remove_job(job_id)
    return scheduler


def next_run_times(session: Session) -> dict[str, dt.datetime | None]:
    """When each stored job runs next (UTC), as the job store keeps it."""
    rows = session.execute(select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time))
    return {job_id: None if stamp is None else
            dt.datetime.fromtimestamp(stamp, dt.UTC).replace(tzinfo=None)
            for job_id, stamp in rows}
