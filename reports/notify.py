"""Reminders (before a return is due, while it is late, and while it waits for review) and
the news of a review decision (a return sent back or approved); at most one notification per
return, recipient, day and subject, kept in the application and e-mailed when an SMTP server
is configured."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from indicators.framework_texts import text_of
from indicators.i18n import _, in_language
from indicators.model import Entity, Return, Strategy, utcnow
from indicators.obligations import Calendar, Standing
from indicators.periods import Period, parse_period
from indicators.return_review import Decision, ReviewDecision, review_queue
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


LATE_EVERY = dt.timedelta(days=7)
Reviewers = Callable[[Session], list[str]]


def nobody(session: Session) -> list[str]:
    """No reviewer to remind (when the application names none)."""
    return []


Languages = Callable[[Session, str], str | None]


def no_language(session: Session, address: str) -> None:
    """No recipient has a language of their own: reminders go in the default language."""
    return None


@dataclass(frozen=True)
class Reminders:
    """Who is reminded of what, and the site the reminders link to."""

    calendar: Calendar
    lookback: int
    site_url: str = ""
    recipients: Recipients = focal_point_address
    reviewers: Reviewers = nobody
    languages: Languages = no_language


def periods_to_remind(calendar: Calendar, as_of: dt.date, lookback: int) -> list[Period]:
    """The latest `lookback` periods whose returns were due before `as_of`."""
    period = calendar.period_just_ended(as_of)
    while calendar.due_date(period) >= as_of:
        period = period - 1
    return [period - step for step in range(lookback)]


def periods_before_due(calendar: Calendar, as_of: dt.date) -> list[Period]:
    """The periods whose reminder day has come and whose due date has not passed on `as_of`."""
    found, period = [], calendar.period_just_ended(as_of) + 1
    while calendar.due_date(period) >= as_of:
        if calendar.reminder_day(period) <= as_of:
            found.append(period)
        period = period - 1
    return found


def send_reminders(session_factory, reminders: Reminders, as_of: dt.date,
                   smtp: SmtpServer | None) -> list[Notification]:
    """Remind, once per recipient and day however many schedulers run: coordinators who have
    not submitted, once from `remind_days_before` the due date; coordinators of late returns,
    weekly; evaluators of returns waiting for review longer than the review window, weekly.
    E-mail them when `smtp` is given."""
    with session_factory() as session:
        last = _last_reminded(session)
        wanted = [notification for strategy in session.scalars(
                      select(Strategy).where(Strategy.active).order_by(Strategy.code))
                  for notification, since in _reminders_of(session, strategy, reminders, as_of)
                  if last.get(_key(notification), dt.date.min) < since]
    created = [notification for notification in wanted
               if _insert_once(session_factory, notification)]
    for notification in created:
        if smtp and notification.recipient:
            _deliver(session_factory, smtp, notification)
    return created


def _reminders_of(session: Session, strategy: Strategy, reminders: Reminders,
                  as_of: dt.date) -> list[tuple[Notification, dt.date]]:
    """The reminders of the strategy due on `as_of`, each with the day from which an earlier
    one to the same recipient makes it unnecessary: the reminder day before the due date, a
    week for late returns and reviews."""
    calendar, week_ago = reminders.calendar, as_of - LATE_EVERY + dt.timedelta(days=1)
    before = [(_for(session, reminders, recipient, _before_due, strategy, standing, recipient,
                    as_of, reminders.site_url),
               calendar.reminder_day(standing.obligation.period))
              for period in periods_before_due(calendar, as_of)
              for standing in return_statuses(session, strategy, period, calendar, as_of)
              if standing.received_at is None
              for recipient in reminders.recipients(session, standing.obligation.entity) or [""]]
    late = [(_for(session, reminders, recipient, _late, strategy, standing, recipient, as_of,
                  reminders.site_url), week_ago)
            for period in periods_to_remind(calendar, as_of, reminders.lookback)
            for standing in return_statuses(session, strategy, period, calendar, as_of)
            if standing.status is ReturnStatus.LATE
            for recipient in reminders.recipients(session, standing.obligation.entity) or [""]]
    waiting = [(_for(session, reminders, recipient, _review, strategy, item, recipient, as_of,
                     reminders), week_ago)
               for item in review_queue(session) if item.strategy_id == strategy.id
               and (as_of - item.uploaded_at.date()).days > calendar.review_days
               for recipient in reminders.reviewers(session)]
    return before + late + waiting


def _for(session: Session, reminders: Reminders, recipient: str, build, *arguments):
    """The reminder `build(*arguments)` makes, in the language `recipient` chose (else the
    default)."""
    with in_language(reminders.languages(session, recipient)):
        return build(*arguments)


def _last_reminded(session: Session) -> dict[tuple, dt.date]:
    """The last day each (strategy, entity, period, recipient) was reminded."""
    key = (Notification.strategy_id, Notification.entity_id, Notification.period,
           Notification.recipient)
    return {tuple(row[:4]): row[4] for row in session.execute(
        select(*key, func.max(Notification.day)).group_by(*key))}


def _key(notification: Notification) -> tuple:
    return (notification.strategy_id, notification.entity_id, notification.period,
            notification.recipient)


def template_link(site_url: str, strategy: Strategy, entity: Entity, period: str) -> str:
    """Where the coordinator downloads the return template."""
    return f"{site_url}/returns/of/{entity.code}/{period}/template?strategy={strategy.code}"


def _before_due(strategy: Strategy, standing: Standing, recipient: str, as_of: dt.date,
                site_url: str) -> Notification:
    entity, period = standing.obligation.entity, standing.obligation.period.code
    subject = _("Return due on %(due)s: %(entity)s, %(period)s",
                due=standing.obligation.due_date.isoformat(), entity=entity.code, period=period)
    body = _(
        "The return of %(entity)s for %(period)s under the strategy %(strategy)s is due on "
        "%(due)s and has not been received yet. The template to fill in: %(link)s",
        entity=text_of(entity, "name"), period=period, strategy=text_of(strategy, "title"),
        due=standing.obligation.due_date.isoformat(),
        link=template_link(site_url, strategy, entity, period))
    return _kept(strategy, entity, period, recipient, as_of, subject, body)


def _late(strategy: Strategy, standing: Standing, recipient: str, as_of: dt.date,
          site_url: str) -> Notification:
    entity, period = standing.obligation.entity, standing.obligation.period.code
    subject = _("Late return: %(entity)s, %(period)s", entity=entity.code, period=period)
    body = _(
        "The return of %(entity)s for %(period)s under the strategy %(strategy)s was due on "
        "%(due)s and has not been received (%(days)s days late). The template to fill in: "
        "%(link)s",
        entity=text_of(entity, "name"), period=period, strategy=text_of(strategy, "title"),
        due=standing.obligation.due_date.isoformat(), days=standing.days_late,
        link=template_link(site_url, strategy, entity, period))
    return _kept(strategy, entity, period, recipient, as_of, subject, body)


def _review(strategy: Strategy, item: Return, recipient: str, as_of: dt.date,
            reminders: Reminders) -> Notification:
    period = parse_period(item.period)
    subject = _("Return waiting for review: %(entity)s, %(period)s", entity=item.entity.code,
                period=item.period)
    body = _(
        "The return of %(entity)s for %(period)s under the strategy %(strategy)s (due on "
        "%(due)s) was submitted on %(submitted)s and has waited %(days)s days for review, "
        "longer than the review window of %(window)s days. Review it: %(link)s",
        entity=text_of(item.entity, "name"), period=item.period,
        strategy=text_of(strategy, "title"),
        due=reminders.calendar.due_date(period).isoformat(),
        submitted=item.uploaded_at.date().isoformat(),
        days=(as_of - item.uploaded_at.date()).days, window=reminders.calendar.review_days,
        link=f"{reminders.site_url}/review/{item.id}")
    return _kept(strategy, item.entity, item.period, recipient, as_of, subject, body)


def _kept(strategy: Strategy, entity: Entity, period: str, recipient: str, as_of: dt.date,
          subject: str, body: str) -> Notification:
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
                 "by %(who)s. The period is now locked.", entity=text_of(entity, "name"),
                 period=period,
                 revision=return_.revision, who=decision.actor)
    else:
        subject = _("Return sent back: %(entity)s, %(period)s, revision %(revision)s",
                    entity=entity.code, period=period, revision=return_.revision)
        lines = [f"- {comment.indicator.code} {comment.disaggregation or _('total')}: "
                 f"{comment.body}" for comment in decision.comments]
        body = "\n".join([
            _("The return of %(entity)s for %(period)s (revision %(revision)s) was sent back "
              "by %(who)s. Correct what the comments point at and upload it again.",
              entity=text_of(entity, "name"), period=period, revision=return_.revision,
              who=decision.actor),
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
