"""Reminders for late returns (one notification per late return, recipient and day) and the
news of a review decision (a return sent back or approved), kept in the application and
e-mailed when an SMTP server is configured."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from indicators.i18n import _
from indicators.model import Entity, Return, Strategy, utcnow
from indicators.obligations import Calendar, Standing
from indicators.periods import Period
from indicators.return_review import Decision, ReviewDecision
from indicators.vocabulary import ReturnStatus
from reports.gaps import return_statuses
from reports.model import Notification


@dataclass(frozen=True)
class SmtpServer:
    """Where reminders are e-mailed from; credentials come from the environment."""

    host: str
    port: int
    sender: str
    starttls: bool = False
    username: str = ""
    password: str = ""


Recipients = Callable[[Session, Entity], list[str]]


def focal_point_address(session: Session, entity: Entity) -> list[str]:
    """The entity's focal-point address, where it has one: where reminders go when the
    application names no one else (the application adds its coordinator users)."""
    return [entity.email] if entity.email else []


def send_mail(server: SmtpServer, recipient: str, subject: str, body: str) -> None:
    """Send one plain-text message."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = server.sender, recipient, subject
    message.set_content(body)
    with smtplib.SMTP(server.host, server.port, timeout=30) as connection:
        if server.starttls:
            connection.starttls()
        if server.username:
            connection.login(server.username, server.password)
        connection.send_message(message)


def periods_to_remind(calendar: Calendar, as_of: dt.date, lookback: int) -> list[Period]:
    """The latest `lookback` periods whose returns were due before `as_of`."""
    period = calendar.period_just_ended(as_of)
    while calendar.due_date(period) >= as_of:
        period = period - 1
    return [period - step for step in range(lookback)]


def remind_late_returns(session_factory, calendar: Calendar, as_of: dt.date, lookback: int,
                        smtp: SmtpServer | None,
                        recipients: Recipients = focal_point_address) -> list[Notification]:
    """Notify the coordinators of each missing return past its due date (once a day, however
    many schedulers run), and e-mail them when `smtp` is given."""
    with session_factory() as session:
        strategies = list(session.scalars(select(Strategy).where(Strategy.active)))
        wanted = [
            _notification(strategy, standing, recipient, as_of)
            for strategy in strategies
            for period in periods_to_remind(calendar, as_of, lookback)
            for standing in return_statuses(session, strategy, period, calendar, as_of)
            if standing.status is ReturnStatus.LATE
            for recipient in recipients(session, standing.obligation.entity) or [""]
        ]
    created = [notification for notification in wanted
               if _insert_once(session_factory, notification)]
    for notification in created:
        if smtp and notification.recipient:
            _deliver(session_factory, smtp, notification)
    return created


def _notification(strategy: Strategy, standing: Standing, recipient: str,
                  as_of: dt.date) -> Notification:
    entity, period = standing.obligation.entity, standing.obligation.period.code
    subject = _("Late return: %(entity)s, %(period)s", entity=entity.code, period=period)
    body = _(
        "The return of %(entity)s for %(period)s under the strategy %(strategy)s was due on "
        "%(due)s and has not been received (%(days)s days late). Please upload it in mne.",
        entity=entity.name, period=period, strategy=strategy.title,
        due=standing.obligation.due_date.isoformat(), days=standing.days_late,
    )
    return Notification(strategy_id=strategy.id, entity_id=entity.id, period=period,
                        recipient=recipient, day=as_of, subject=subject, body=body,
                        created_at=utcnow())


def notify_decision(session_factory, return_: Return, decision: ReviewDecision,
                    recipients: list[str], smtp: SmtpServer | None) -> list[Notification]:
    """Tell the coordinators of a return that it was sent back (with the comments) or
    approved: kept in the application, e-mailed when `smtp` is given. Other decisions
    (reopening) and a return without recipients notify no one."""
    if decision.decision not in (Decision.RETURNED, Decision.APPROVED):
        return []
    wanted = [_decision_notification(return_, decision, recipient) for recipient in recipients]
    created = [notification for notification in wanted
               if _insert_once(session_factory, notification)]
    for notification in created:
        if smtp:
            _deliver(session_factory, smtp, notification)
    return created


def _decision_notification(return_: Return, decision: ReviewDecision,
                           recipient: str) -> Notification:
    entity, period = return_.entity, return_.period
    if decision.decision is Decision.APPROVED:
        subject = _("Return approved: %(entity)s, %(period)s, revision %(revision)s",
                    entity=entity.code, period=period, revision=return_.revision)
        body = _("The return of %(entity)s for %(period)s (revision %(revision)s) was approved "
                 "by %(who)s. The period is now locked.", entity=entity.name, period=period,
                 revision=return_.revision, who=decision.actor)
    else:
        subject = _("Return sent back: %(entity)s, %(period)s, revision %(revision)s",
                    entity=entity.code, period=period, revision=return_.revision)
        lines = [f"- {comment.indicator.code} {comment.disaggregation or _('total')}: "
                 f"{comment.body}" for comment in decision.comments]
        body = "\n".join([
            _("The return of %(entity)s for %(period)s (revision %(revision)s) was sent back "
              "by %(who)s. Correct what the comments point at and upload it again.",
              entity=entity.name, period=period, revision=return_.revision, who=decision.actor),
            "", decision.note, *lines]).strip()
    return Notification(strategy_id=return_.strategy_id, entity_id=entity.id, period=period,
                        recipient=recipient, day=decision.at.date(), subject=subject,
                        body=body, created_at=utcnow())


def _insert_once(session_factory, notification: Notification) -> bool:
    """Keep the notification unless one for the same return, recipient and day exists."""
    try:
        with session_factory() as session, session.begin():
            session.add(notification)
        return True
    except IntegrityError:
        return False


def _deliver(session_factory, smtp: SmtpServer, notification: Notification) -> None:
    try:
        send_mail(smtp, notification.recipient, notification.subject, notification.body)
        outcome = {"sent_at": utcnow()}
    except (OSError, smtplib.SMTPException) as problem:
        outcome = {"send_error": f"{problem!r}"}
    with session_factory() as session, session.begin():
        row = session.get(Notification, notification.id)
        for name, value in outcome.items():
            setattr(row, name, value)
        notification.sent_at, notification.send_error = row.sent_at, row.send_error
