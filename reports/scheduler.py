"""APScheduler wiring: a background scheduler whose jobs live in the application's database.

A run missed while no scheduler was up runs once when one starts (misfire grace, coalescing);
several schedulers may share one database, the jobs themselves making sure each report and
each reminder happens once. One scheduler per process: the job callable finds its context in
this module, since a job kept in the database can only name a function.

A job's schedule is "calendar" (the reporting calendar decides: reports on each period's report
day, reminders every day, both at the configured time of day) or a cron expression that
overrides it.
"""

from __future__ import annotations

import datetime as dt

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.util import astimezone
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from indicators.obligations import Calendar
from reports.job_names import CALENDAR, REPORTS_JOB
from reports.jobs import JOBS, Clock, JobContext, run_recorded
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


class CalendarTrigger(BaseTrigger):
    """Fires at `at` on the calendar's days: each period's report day for the reports, every
    day for the reminders, on `clock`."""

    def __init__(self, calendar: Calendar, reports: bool, at: dt.time, timezone: str,
                 clock: Clock):
        self.calendar, self.reports, self.at, self.clock = calendar, reports, at, clock
        self.timezone = astimezone(timezone)

    def get_next_fire_time(self, previous_fire_time: dt.datetime | None,
                           now: dt.datetime) -> dt.datetime:
        after = (self.clock.calendar_time(previous_fire_time) + dt.timedelta(microseconds=1)
                 if previous_fire_time else self.clock.calendar_time(now))
        after = after.astimezone(self.timezone)
        day = after.date()
        while self._moment(self._next_day(day)) < after:
            day += dt.timedelta(days=1)
        return self.clock.wall_time(self._moment(self._next_day(day)))

    def _next_day(self, day: dt.date) -> dt.date:
        return self.calendar.next_report_day(day)[1] if self.reports else day

    def _moment(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.at, tzinfo=self.timezone)

    def __str__(self) -> str:
        """In short, as the stored job's name (a change of calendar re-schedules it)."""
        what = (f"report day ({self.calendar.period_type} + {self.calendar.due_days} + "
                f"{self.calendar.review_days} days)" if self.reports else "every day")
        return f"{CALENDAR}: {what} at {self.at.isoformat('minutes')}"


def trigger_for(context: JobContext, job_id: str) -> BaseTrigger:
    """The trigger of a job: the calendar's, or the cron expression that overrides it."""
    schedule = context.schedules[job_id]
    if schedule == CALENDAR:
        return CalendarTrigger(context.reports.calendar, job_id == REPORTS_JOB, context.run_at,
                               context.timezone, context.clock)
    return cron_trigger(schedule, context.timezone)


def run_job(job_id: str) -> None:
    """The callable every stored job names: run `job_id` for its latest due time."""
    if _context is None:
        raise RuntimeError("no scheduler context in this process")
    fired = _latest_fire_time(trigger_for(_context, job_id), _context.misfire_grace_seconds)
    run_recorded(_context, job_id, _context.clock.calendar_time(fired)
                 .astimezone(dt.UTC).replace(tzinfo=None))


def _latest_fire_time(trigger: BaseTrigger, grace_seconds: int) -> dt.datetime:
    """The latest time the trigger fired up to now, within the grace (else now)."""
    now = dt.datetime.now(dt.UTC)
    fire = trigger.get_next_fire_time(None, now - dt.timedelta(seconds=grace_seconds))
    latest = now
    for _step in range(100_000):
        if fire is None or fire > now:
            break
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + dt.timedelta(microseconds=1))
    return latest


def build_scheduler(context: JobContext, engine: Engine) -> BackgroundScheduler:
    """A background scheduler keeping its jobs in the database of `engine`."""
    unknown = set(context.schedules) - set(JOBS)
    if unknown:
        raise ScheduleError(f"unknown scheduled jobs {sorted(unknown)}: known are {sorted(JOBS)}")
    for job_id in context.schedules:
        trigger_for(context, job_id)
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
    for job_id in context.schedules:
        trigger = trigger_for(context, job_id)
        shown = trigger if isinstance(trigger, CalendarTrigger) else context.schedules[job_id]
        name = f"{shown} [{context.timezone}]"
        if job_id in stored and stored[job_id].name == name:
            continue
        scheduler.add_job(f"{__name__}:run_job", trigger, args=[job_id], id=job_id, name=name,
                          replace_existing=True)
    for job_id in set(stored) - set(context.schedules):
        scheduler.remove_job(job_id)
    return scheduler


def next_run_times(session: Session) -> dict[str, dt.datetime | None]:
    """When each stored job runs next (UTC), as the job store keeps it."""
    rows = session.execute(select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time))
    return {job_id: None if stamp is None else
            dt.datetime.fromtimestamp(stamp, dt.UTC).replace(tzinfo=None)
            for job_id, stamp in rows}
