"""The reporting calendar drives the quarter: each period's reports are compiled once, after its
returns are due and reviewed; coordinators are reminded before and after the due date, once per
recipient and day; a return approved after its report was issued marks that report revised."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from dataclasses import replace

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from sqlalchemy import func, select

from indicators.i18n import DEFAULT_LANGUAGE
from indicators.model import Entity, Return, ReturnState, Strategy
from indicators.obligations import Calendar
from indicators.periods import parse_period
from indicators.return_review import approve
from mne.scheduling import job_context
from reports.archive import report_bytes
from reports.jobs import Clock, run_recorded
from reports.model import CompiledReport, JobRun, Notification, ReportFormat, RunOutcome
from reports.scheduler import start_scheduler
from tests.helpers import csrf_token_of

QUARTERLY = Calendar("quarterly", 30)
MONTHLY = Calendar("monthly", 30)
YEAR = [dt.date(2026, 1, 1) + dt.timedelta(days=step) for step in range(365)]
OUTPUT = re.compile(r"^(?P<kind>\w+) SMALL (?P<period>\w+) v(?P<version>\d+)")


@pytest.mark.parametrize(("calendar", "period", "report_day", "reminder_day"), [
    (QUARTERLY, "2026Q3", dt.date(2026, 11, 14), dt.date(2026, 10, 23)),
    (MONTHLY, "2026M01", dt.date(2026, 3, 17), dt.date(2026, 2, 23)),
    (Calendar("semiannual", 30), "2026S1", dt.date(2026, 8, 14), dt.date(2026, 7, 23)),
    (Calendar("annual", 60, review_days=30, remind_days_before=14), "2026",
     dt.date(2027, 3, 31), dt.date(2027, 2, 15)),
])
def test_the_calendar_names_the_report_day_and_the_reminder_day(calendar, period, report_day,
                                                                 reminder_day):
    found = parse_period(period)
    assert calendar.report_day(found) == report_day
    assert calendar.reminder_day(found) == reminder_day
    assert calendar.period_to_report(report_day) == found
    assert calendar.period_to_report(report_day - dt.timedelta(days=1)) == found - 1
    assert calendar.next_report_day(report_day) == (found, report_day)
    assert calendar.next_report_day(report_day + dt.timedelta(days=1))[0] == found + 1


def test_the_configuration_says_when_the_next_report_is_compiled_and_why():
    words = QUARTERLY.explained(dt.date(2026, 11, 30))
    assert words == ("The reports for 2026Q4 will be compiled on 2027-02-14: its returns are "
                     "due on 2027-01-30 (30 days after the period ends) and the review window "
                     "of 15 days ends then.")


@pytest.fixture
def agency(db, small_strategy, make_user) -> dict[str, str]:
    """The agency of the small strategy, with a focal-point address and a coordinator; it sends
    no return all year."""
    with db.transaction() as session:
        session.scalars(select(Entity).where(Entity.code == "AG")).one().email = "ag@example.org"
    return {"focal point": "ag@example.org", "coordinator": make_user("coordinator", "AG")}


def _live_through_the_year(db, settings, calendar: Calendar) -> list[JobRun]:
    """Run both jobs every day of 2026 at 06:00, on a frozen clock, as the scheduler would."""
    context = job_context(settings, db)
    context.reports = replace(context.reports, calendar=calendar)
    runs = []
    for day in YEAR:
        moment = dt.datetime.combine(day, dt.time(6))
        runs += [run_recorded(context, job, moment) for job in ("quarterly_reports",
                                                                "reminders")]
    assert {run.outcome for run in runs} == {RunOutcome.SUCCEEDED}, [run.error for run in runs]
    return runs


@pytest.mark.parametrize("calendar", [QUARTERLY, MONTHLY], ids=["quarterly", "monthly"])
def test_over_a_year_reports_and_reminders_follow_the_calendar(db, settings, agency, calendar):
    runs = _live_through_the_year(db, settings, calendar)
    _each_report_compiled_once_on_its_report_day(db, runs, calendar)
    _reminded_before_and_after_the_due_date(db, agency, calendar)


def _each_report_compiled_once_on_its_report_day(db, runs: list[JobRun], calendar: Calendar):
    """The period reported on before the year is caught up on its first day; every other is
    compiled on its report day, its due date plus the review window, exactly once."""
    compiled_on = {}
    for run in runs:
        for output in run.outputs if run.job_id == "quarterly_reports" else []:
            found = OUTPUT.match(output)
            compiled_on.setdefault((found["kind"], found["period"]), []).append(
                run.scheduled_for.date())
    periods = [period for period in calendar.periods_between(dt.date(2025, 1, 1), YEAR[-1])
               if YEAR[0] <= calendar.report_day(period) <= YEAR[-1]]
    caught_up = calendar.period_to_report(YEAR[0])
    assert compiled_on == {
        **{(kind, caught_up.code): [YEAR[0]] for kind in ("gaps", "progress")},
        **{(kind, period.code): [calendar.report_day(period)]
           for period in periods for kind in ("gaps", "progress")}}
    assert all(calendar.report_day(period) > calendar.due_date(period) for period in periods)
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(CompiledReport)) == \
            2 * (len(periods) + 1)


def _reminded_before_and_after_the_due_date(db, agency: dict[str, str], calendar: Calendar):
    """Once on the reminder day, then from the day after the due date weekly; never twice a
    day to one recipient."""
    with db.sessions() as session:
        sent = [(row.period, row.recipient, row.day, row.subject)
                for row in session.scalars(select(Notification))]
    assert {recipient for _period, recipient, _day, _subject in sent} == set(agency.values())
    assert len({(period, recipient, day) for period, recipient, day, _ in sent}) == len(sent)
    for period_code in {period for period, *_ in sent}:
        period = parse_period(period_code)
        due = calendar.due_date(period)
        for recipient in agency.values():
            days = sorted(day for found, to, day, _ in sent
                          if found == period_code and to == recipient)
            before = [day for day in days if day <= due]
            late = [day for day in days if day > due]
            if calendar.reminder_day(period) >= YEAR[0]:
                assert before == [calendar.reminder_day(period)], (period_code, days)
            if due + dt.timedelta(days=1) >= YEAR[0]:
                assert late[0] == due + dt.timedelta(days=1), (period_code, days)
            gaps = {(later - earlier).days for earlier, later in zip(late, late[1:], strict=False)}
            assert gaps <= {7}, (period_code, late)
    subjects = {subject for *_, subject in sent}
    assert "Return due on 2026-10-30: AG, 2026Q3" in subjects or calendar is MONTHLY
    assert any(subject.startswith("Late return: AG") for subject in subjects)


def test_a_reminder_names_the_entity_the_period_the_due_date_and_the_template(db, settings,
                                                                              agency):
    run_recorded(job_context(settings, db), "reminders", dt.datetime(2026, 10, 23, 6))
    with db.sessions() as session:
        reminder = session.scalars(select(Notification).where(
            Notification.recipient == "ag@example.org", Notification.period == "2026Q3")).one()
    assert reminder.subject == "Return due on 2026-10-30: AG, 2026Q3"
    assert "Agency" in reminder.body and "2026Q3" in reminder.body
    assert f"{settings.port}/returns/of/AG/2026Q3/template?strategy=SMALL" in reminder.body


def test_evaluators_are_reminded_of_returns_waiting_longer_than_the_review_window(
        db, settings, demo, make_user):
    evaluator = make_user("evaluator")
    with db.sessions() as session:
        waiting = session.scalars(select(Return).where(
            Return.state == ReturnState.SUBMITTED).order_by(Return.id)).first()
        submitted = waiting.uploaded_at.date()
    context = job_context(settings, db)
    run_recorded(context, "reminders", dt.datetime.combine(submitted + dt.timedelta(days=15),
                                                           dt.time(6)))
    run_recorded(context, "reminders", dt.datetime.combine(submitted + dt.timedelta(days=16),
                                                           dt.time(6)))
    with db.sessions() as session:
        reminders = session.scalars(select(Notification).where(
            Notification.recipient == evaluator)).all()
    about = [item for item in reminders if item.entity_id == waiting.entity_id
             and item.period == waiting.period]
    assert [item.day for item in about] == [submitted + dt.timedelta(days=16)]
    assert about[0].subject.startswith("Return waiting for review:")
    assert f"/review/{waiting.id}" in about[0].body


def test_a_return_approved_after_issue_marks_the_report_revised_and_the_next_lists_it(
        db, settings, demo, client_as):
    context = job_context(settings, db)
    run_recorded(context, "quarterly_reports", dt.datetime(2026, 11, 14, 6))
    with db.transaction() as session:
        issued = session.scalars(select(CompiledReport).where(
            CompiledReport.period == "2026Q3", CompiledReport.kind == "progress",
            CompiledReport.language == DEFAULT_LANGUAGE)).one()
        kept = report_bytes(issued, ReportFormat.XLSX, settings.storage_folder)
        late = session.scalars(select(Return).join(Entity).where(
            Entity.code == "POL", Return.period == "2026Q3",
            Return.state == ReturnState.SUBMITTED)).one()
        approve(session, late, "evaluator@example.org")
        issued_id, late_id, strategy_code = issued.id, late.id, issued.strategy.code
        issued_version = issued.version
    evaluator = client_as("evaluator")
    page = evaluator.get("/reports").get_data(as_text=True)
    row = page[page.index(f'data-report="{issued_id}"'):]
    row = row[:row.index("</tr>")]
    assert "revised since issue" in row and "return POL r" in row
    assert "Compile the revised version" in row

    run_recorded(context, "quarterly_reports", dt.datetime(2027, 2, 14, 6))
    with db.sessions() as session:
        following = session.scalars(select(CompiledReport).where(
            CompiledReport.period == "2026Q4", CompiledReport.kind == "progress",
            CompiledReport.language == DEFAULT_LANGUAGE)).one()
        listed = report_bytes(following, ReportFormat.JSON, settings.storage_folder).decode()
        assert report_bytes(session.get(CompiledReport, issued_id), ReportFormat.XLSX,
                            settings.storage_folder) == kept
        revision = session.get(Return, late_id).revision
    assert '"revisions"' in listed and '"POL"' in listed and f'"{revision}"' in listed

    evaluator.post("/reports/compile", data={
        "kind": "progress", "strategy": strategy_code,
        "period": "2026Q3", "csrf_token": csrf_token_of(evaluator, "/reports")})
    with db.sessions() as session:
        versions = session.scalars(select(CompiledReport.version).where(
            CompiledReport.period == "2026Q3", CompiledReport.kind == "progress",
            CompiledReport.language == DEFAULT_LANGUAGE)).all()
    assert len(versions) == 2 and min(versions) == issued_version  # issued, then revised
    page = evaluator.get("/reports").get_data(as_text=True)
    # the English progress report's revised version clears its mark; the demonstration reports
    # in English and Chinese, so the Chinese progress report and both gap reports stay revised
    assert page.count("revised since issue") == 3


def test_administrators_send_the_reminders_now_from_the_notifications_page(
        db, settings, agency, client_as):
    admin = client_as("administrator")
    page = admin.get("/notifications").get_data(as_text=True)
    assert "Send now" in page
    assert "Send now" not in client_as("evaluator").get("/notifications").get_data(as_text=True)
    admin.post("/notifications/send",
               data={"csrf_token": csrf_token_of(admin, "/notifications")})
    with db.sessions() as session:
        runs = session.scalars(select(JobRun)).all()
    assert [(run.job_id, run.outcome) for run in runs] == [("reminders", RunOutcome.SUCCEEDED)]


class FastClock(Clock):
    """A calendar whose day lasts `day_seconds` of wall time, from `start` on."""

    def __init__(self, start: dt.datetime, day_seconds: float):
        self.start, self.wall_start = start, dt.datetime.now(dt.UTC)
        self.speed = 86_400 / day_seconds

    def calendar_time(self, wall: dt.datetime) -> dt.datetime:
        return self.start + (wall - self.wall_start) * self.speed

    def wall_time(self, moment: dt.datetime) -> dt.datetime:
        return self.wall_start + (moment - self.start) / self.speed


class Executions:
    """The scheduler's job executions, as its events report them."""

    def __init__(self):
        self.jobs: list[str] = []
        self.changed = threading.Condition()

    def __call__(self, event) -> None:
        with self.changed:
            self.jobs.append(event.job_id)
            self.changed.notify_all()

    def await_(self, condition: Callable[[list[str]], bool], timeout: float = 60) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: condition(self.jobs), timeout), self.jobs


def test_the_real_scheduler_follows_a_fast_calendar(db, settings, agency):
    context = job_context(settings, db)
    context.clock = FastClock(dt.datetime(2026, 11, 11, 23, tzinfo=dt.UTC), day_seconds=1.5)
    context.misfire_grace_seconds = 1
    executions = Executions()
    scheduler = start_scheduler(context, db.engine, paused=True)
    scheduler.add_listener(executions, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.resume()
    try:
        executions.await_(lambda jobs: "quarterly_reports" in jobs
                          and jobs.count("reminders") >= 3)
    finally:
        scheduler.shutdown()
    with db.sessions() as session:
        runs = session.scalars(select(JobRun).order_by(JobRun.id)).all()
        sent = session.execute(select(Notification.period, Notification.day)).all()
        reports = session.scalars(select(CompiledReport.period)).all()
    assert sorted(reports) == ["2026Q3", "2026Q3"], "progress and gaps of 2026Q3, once"
    assert {run.outcome for run in runs} == {RunOutcome.SUCCEEDED}, [run.error for run in runs]
    report_runs = [run for run in runs if run.job_id == "quarterly_reports"]
    assert len(report_runs) == 1
    assert abs(report_runs[0].scheduled_for - dt.datetime(2026, 11, 14, 6)) < dt.timedelta(
        seconds=1), "at 06:00 on the report day (a calendar second is a wall microsecond)"
    reminder_days = [run.scheduled_for.date() for run in runs if run.job_id == "reminders"]
    assert reminder_days[:3] == [dt.date(2026, 11, 12), dt.date(2026, 11, 13),
                                 dt.date(2026, 11, 14)]
    assert ("2026Q3", dt.date(2026, 11, 12)) in set(sent)
    assert {day for _period, day in sent} == {dt.date(2026, 11, 12)}, "late ones weekly"


def test_the_pages_show_the_calendar(db, settings, demo, evaluator_client):
    today = dt.date.today()
    calendar = settings.calendar
    judged = calendar.period_just_ended(today)
    with db.sessions() as session:
        code = session.scalars(select(Strategy.code)).first()
    dashboard = evaluator_client.get(f"/strategies/{code}/dashboard").get_data(as_text=True)
    assert f'data-judged="{judged.code}"' in dashboard
    due = calendar.due_date(judged)  # written as English writes dates
    assert f"returns due {due:%b} {due.day}, {due.year}" in dashboard
    scheduler = evaluator_client.get("/scheduler").get_data(as_text=True)
    assert calendar.explained(today) in scheduler
    assert "by the reporting calendar, at 06:00" in scheduler
    evaluator_client.post("/reports/compile", data={
        "kind": "gaps", "strategy": code, "period": judged.code,
        "csrf_token": csrf_token_of(evaluator_client, "/reports")})
    with db.sessions() as session:
        gaps = session.scalars(select(CompiledReport).where(CompiledReport.kind == "gaps")).one()
        html = report_bytes(gaps, ReportFormat.HTML, settings.storage_folder).decode()
    assert f"the returns were due on {calendar.due_date(judged).isoformat()}" in html
