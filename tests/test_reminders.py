"""Coordinators whose returns are late are reminded: in the application, and by e-mail through a
real SMTP server when one is configured."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from indicators.model import Entity
from mne.scheduling import job_context
from reports.jobs import run_recorded
from reports.model import Notification, RunOutcome
from reports.notify import SmtpServer
from tests.helpers import free_port

MONDAY = dt.datetime(2026, 11, 23, 8, 0)


class _Inbox:
    """An SMTP handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free local port; yields its inbox and address."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, SmtpServer(host="127.0.0.1", port=controller.port, sender="mne@localhost")
    finally:
        controller.stop()


@pytest.fixture
def focal_points(db, demo):
    """The prosecution service's focal point has an address; victim support has none."""
    with db.transaction() as session:
        session.scalars(select(Entity).where(Entity.code == "PROS")).one().email = \
            "focal.point@prosecution.example"


def test_reminder_for_a_late_return_reaches_the_coordinator_by_email(db, settings, focal_points,
                                                                     smtp_server):
    inbox, server = smtp_server
    context = job_context(settings, db)
    context.smtp = server
    run = run_recorded(context, "reminders", MONDAY)
    assert run.outcome is RunOutcome.SUCCEEDED, run.error
    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == ["focal.point@prosecution.example"]
    assert message["Subject"] == "Late return: PROS, 2026Q3"
    assert "was due on 2026-10-30" in message.get_payload(decode=True).decode()
    with db.sessions() as session:
        kept = {(row.period, row.recipient): row for row in session.scalars(select(Notification))}
    assert set(kept) == {("2026Q3", "focal.point@prosecution.example"), ("2026Q2", "")}
    assert kept["2026Q3", "focal.point@prosecution.example"].sent_at is not None
    assert kept["2026Q2", ""].sent_at is None


def test_coordinators_of_the_late_entity_and_of_the_entity_above_are_reminded(
        db, settings, focal_points, smtp_server, make_user):
    inbox, server = smtp_server
    own = make_user("coordinator", "PROS")
    national = make_user("coordinator", "NCO")  # the coordination office PROS reports under
    make_user("coordinator", "POL")  # another entity's coordinator: not reminded
    context = job_context(settings, db)
    context.smtp = server
    run_recorded(context, "reminders", MONDAY)
    reached = {recipient for recipients, message in inbox.messages for recipient in recipients
               if message["Subject"] == "Late return: PROS, 2026Q3"}
    assert reached == {"focal.point@prosecution.example", own, national}


def test_a_second_run_the_same_day_reminds_nobody_twice(db, settings, focal_points,
                                                        smtp_server):
    inbox, server = smtp_server
    context = job_context(settings, db)
    context.smtp = server
    run_recorded(context, "reminders", MONDAY)
    again = run_recorded(context, "reminders", MONDAY.replace(hour=9))
    assert again.outputs == [] and len(inbox.messages) == 1
    run_recorded(context, "reminders", MONDAY + dt.timedelta(days=7))
    assert len(inbox.messages) == 2


def test_unreachable_mail_server_is_noted_on_the_notification(db, settings, focal_points):
    context = job_context(settings, db)
    context.smtp = SmtpServer(host="127.0.0.1", port=free_port(), sender="mne@localhost")
    run = run_recorded(context, "reminders", MONDAY)
    assert run.outcome is RunOutcome.SUCCEEDED
    with db.sessions() as session:
        sent = session.scalars(select(Notification).where(Notification.recipient != "")).one()
    assert sent.sent_at is None and "Connection" in sent.send_error


def test_notifications_and_runs_are_shown_in_the_application(evaluator_client, db, settings,
                                                              focal_points):
    run_recorded(job_context(settings, db), "reminders", MONDAY)
    page = evaluator_client.get("/notifications").get_data(as_text=True)
    assert "Late return: PROS, 2026Q3" in page and "focal.point@prosecution.example" in page
    history = evaluator_client.get("/scheduler").get_data(as_text=True)
    assert "reminders" in history and "succeeded" in history
