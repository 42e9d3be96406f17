"""Obligations: what an entity owes for a period of a strategy, by when, and where its return
stands. The one home of the rule the template, the gap report, the reminders, the data-quality
page and the entity page all ask.

- An entity owes an indicator when it is one of the indicator's reporters, or, for an indicator
  without reporters, its responsible entity. Only the entity named owes: neither the entity
  above it nor those below it.
- An indicator is due in a period when its own period containing the period's last day ends on
  that day (`indicators.periods.due_in`): with a quarterly calendar, quarterly and monthly
  indicators every quarter, semi-annual ones in Q2 and Q4, annual ones in Q4.
- The return is due `calendar.due_days` after the period's end; the period's reports are
  compiled `calendar.review_days` after that (the review window), and coordinators who have not
  submitted are reminded `calendar.remind_days_before` the due date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload, load_only, selectinload

from indicators.i18n import _
from indicators.model import Entity, Indicator, Return, ReturnState, Strategy
from indicators.not_collected import prevented_by_crisis
from indicators.periods import (
    Frequency,
    Period,
    due_in,
    period_containing,
    periods_between,
)
from indicators.vocabulary import ReturnStatus


@dataclass(frozen=True)
class Calendar:
    """The reporting calendar of config.toml: period type, days after a period's end that its
    return is due, days of review after that before its reports are compiled, and days before
    the due date that coordinators are reminded."""

    period_type: Frequency
    due_days: int
    review_days: int = 15
    remind_days_before: int = 7

    def __post_init__(self):
        object.__setattr__(self, "period_type", Frequency(self.period_type))

    def due_date(self, period: Period) -> dt.date:
        """The day the return for `period` is due."""
        return period.due_date(self.due_days)

    def reminder_day(self, period: Period) -> dt.date:
        """The day coordinators who have not submitted for `period` are reminded."""
        return self.due_date(period) - dt.timedelta(days=self.remind_days_before)

    def report_day(self, period: Period) -> dt.date:
        """The day the reports of `period` are compiled: its returns are due and the review
        window has passed."""
        return self.due_date(period) + dt.timedelta(days=self.review_days)

    def period_just_ended(self, day: dt.date) -> Period:
        """The last whole reporting period before the one containing `day`."""
        return period_containing(day, self.period_type) - 1

    def period_to_report(self, day: dt.date) -> Period:
        """The latest period whose reports are due to be compiled by `day`."""
        period = self.period_just_ended(day)
        while self.report_day(period) > day:
            period = period - 1
        return period

    def next_report_day(self, day: dt.date) -> tuple[Period, dt.date]:
        """The first period whose reports fall due on or after `day`, and that day."""
        period = self.period_to_report(day - dt.timedelta(days=1)) + 1
        return period, self.report_day(period)

    def explained(self, day: dt.date) -> str:
        """In words, when the next reports are compiled and why."""
        period, report_day = self.next_report_day(day)
        return _(
            "The reports for %(period)s will be compiled on %(day)s: its returns are due on "
            "%(due)s (%(due_days)s days after the period ends) and the review window of "
            "%(review_days)s days ends then.", period=period.code,
            day=report_day.isoformat(), due=self.due_date(period).isoformat(),
            due_days=self.due_days, review_days=self.review_days)

    def periods_between(self, first: dt.date, last: dt.date) -> list[Period]:
        """The reporting periods that end between `first` and `last`, in order."""
        return periods_between(self.period_type, first, last)

    def periods_owed(self, day: dt.date, lookback: int = 4) -> list[Period]:
        """The period containing `day` and the `lookback` periods before it, oldest first: the
        returns a coordinator's list shows."""
        current = period_containing(day, self.period_type)
        return [current - step for step in range(lookback, -1, -1)]


def debtors(indicator: Indicator) -> list[Entity]:
    """The entities that owe `indicator` whenever it is due: its reporters, or, when it names
    none, its responsible entity."""
    if indicator.reporters:
        return list(indicator.reporters)
    return [indicator.responsible_entity] if indicator.responsible_entity else []


def owes(indicator: Indicator, entity: Entity) -> bool:
    """Whether `entity` reports the indicator."""
    return any(debtor.id == entity.id for debtor in debtors(indicator))


def is_due(indicator: Indicator, period: Period) -> bool:
    """Whether a return for `period` asks the indicator: it is not archived and its frequency
    makes it due then."""
    return not indicator.archived and due_in(indicator.frequency, period)


def indicators_due(indicators: Iterable[Indicator], entity: Entity,
                   period: Period) -> list[Indicator]:
    """The indicators among `indicators` that `entity` owes for `period`, in their order."""
    return [indicator for indicator in indicators
            if is_due(indicator, period) and owes(indicator, entity)]


@dataclass(frozen=True)
class Obligation:
    """What one entity owes for one period of a strategy, and by when."""

    entity: Entity
    period: Period
    indicators: tuple[Indicator, ...]
    due_date: dt.date


def reporting_indicators(session: Session, strategy: Strategy) -> list[Indicator]:
    """The strategy's indicators that are not archived, by code, with whoever reports them."""
    return list(session.scalars(
        select(Indicator)
        .where(Indicator.strategy_id == strategy.id, Indicator.archived.is_(False))
        .options(selectinload(Indicator.reporters), selectinload(Indicator.responsible_entity))
        .order_by(Indicator.code)))


def obligations(indicators: Iterable[Indicator], period: Period,
                calendar: Calendar) -> list[Obligation]:
    """Every entity's obligation for `period` under `indicators` (those of one strategy), by
    entity code; entities that owe nothing are left out."""
    owed: dict[int, tuple[Entity, list[Indicator]]] = {}
    for indicator in (item for item in indicators if is_due(item, period)):
        for entity in debtors(indicator):
            owed.setdefault(entity.id, (entity, []))[1].append(indicator)
    return [Obligation(entity, period, tuple(owing), calendar.due_date(period))
            for entity, owing in sorted(owed.values(), key=lambda pair: pair[0].code)]


def strategy_obligations(session: Session, strategy: Strategy, periods: Iterable[Period],
                         calendar: Calendar,
                         indicators: list[Indicator] | None = None) -> list[Obligation]:
    """Every obligation of the strategy in `periods`, period by period (under its
    `reporting_indicators`, read here unless given)."""
    if indicators is None:
        indicators = reporting_indicators(session, strategy)
    return [found for period in periods for found in obligations(indicators, period, calendar)]


@dataclass(frozen=True)
class Standing:
    """An obligation and where its return stands on a day."""

    obligation: Obligation
    status: ReturnStatus
    received_at: dt.datetime | None
    as_of: dt.date
    prevented: bool = False
    """Whether a crisis prevented every figure owed (`indicators.not_collected`): never late."""

    @property
    def days_late(self) -> int | None:
        """Days past the due date the return came, or, while it has not, that it is overdue;
        None before the due date passes, for a return that came in time, or for figures a
        crisis prevented."""
        if self.prevented:
            return None
        day = self.received_at.date() if self.received_at is not None else self.as_of
        late = (day - self.obligation.due_date).days
        return late if late > 0 else None

    @property
    def on_time(self) -> bool:
        return self.received_at is not None and self.days_late is None

    @property
    def days_left(self) -> int | None:
        """Days until the due date of a return awaited after its period ended; None otherwise."""
        if self.status is not ReturnStatus.DUE:
            return None
        return (self.obligation.due_date - self.as_of).days

    def in_words(self, comments: int = 0) -> str:
        """Where the return stands, as its coordinator reads it: "due in 12 days", "late by
        3 days", "sent back with 2 comments" (`comments` counts the reviewer's)."""
        if self.status is ReturnStatus.DUE:
            return _count_words(self.days_left, _("due today"), _("due in 1 day"),
                                _("due in %(count)s days"))
        if self.status is ReturnStatus.LATE:
            return _count_words(self.days_late, "", _("late by 1 day"),
                                _("late by %(count)s days"))
        if self.prevented:
            return _("not collected because of the crisis")
        if self.status is ReturnStatus.SENT_BACK:
            return _count_words(comments, self.status.label, _("sent back with 1 comment"),
                                _("sent back with %(count)s comments"))
        return self.status.label


def _count_words(count: int, none: str, one: str, many: str) -> str:
    """`none`, `one` or `many` (with `%(count)s`) as `count` asks."""
    if count == 0:
        return none
    return one if count == 1 else many % {"count": count}


def standing(obligation: Obligation, returns: list[Return], as_of: dt.date,
             prevented: bool = False) -> Standing:
    """Where `obligation` stands on `as_of` given the returns sent for it: rejected ones do not
    count, the state of the revision in force does, and the return came with its first
    imported upload; `prevented` when a crisis prevented every figure it owes."""
    accepted = [item for item in returns if item.state is not ReturnState.REJECTED]
    standing_ones = [item for item in accepted if item.state.stands]
    if standing_ones:
        newest = max(standing_ones, key=lambda item: item.revision)
        return Standing(obligation, ReturnStatus.of_state(newest.state),
                        min(item.uploaded_at for item in accepted), as_of, prevented)
    if as_of <= obligation.period.end:
        status = ReturnStatus.NOT_DUE
    else:
        status = ReturnStatus.DUE if as_of <= obligation.due_date else ReturnStatus.LATE
    return Standing(obligation, status, None, as_of, prevented)


STANDING_COLUMNS = (load_only(Return.entity_id, Return.period, Return.state, Return.revision,
                              Return.uploaded_at), lazyload(Return.upload))
"""What `standing` reads of a return: not its problems, diff or upload."""


def standings(session: Session, strategy: Strategy, found: list[Obligation],
              as_of: dt.date) -> list[Standing]:
    """Where each obligation of the strategy stands on `as_of`, in the order of `found`."""
    codes = {obligation.period.code for obligation in found}
    returns: dict[tuple[int, str], list[Return]] = {}
    for item in session.scalars(select(Return).where(Return.strategy_id == strategy.id,
                                                     Return.period.in_(codes))
                                .options(*STANDING_COLUMNS)):
        returns.setdefault((item.entity_id, item.period), []).append(item)
    prevented = prevented_by_crisis(session, found)
    return [standing(obligation, returns.get((obligation.entity.id, obligation.period.code), []),
                     as_of, (obligation.entity.id, obligation.period.code) in prevented)
            for obligation in found]


DESK_ORDER: tuple[ReturnStatus, ...] = (
    ReturnStatus.SENT_BACK, ReturnStatus.LATE, ReturnStatus.DUE, ReturnStatus.NOT_DUE,
    ReturnStatus.SUBMITTED, ReturnStatus.APPROVED)
"""The order of a coordinator's list: what asks for work first, sent-back returns first."""


def desk_order(item: Standing) -> tuple[int, dt.date, str]:
    """Sort key of a coordinator's list: by `DESK_ORDER`, then by due date and entity."""
    rank = (DESK_ORDER.index(item.status) if item.status in DESK_ORDER else len(DESK_ORDER))
    return rank, item.obligation.due_date, item.obligation.entity.code


def entity_standings(session: Session, strategy: Strategy, entity_ids: set[int] | None,
                     calendar: Calendar, as_of: dt.date) -> list[Standing]:
    """Where each return owed by the entities `entity_ids` (None: every entity) stands on
    `as_of`, for the periods a coordinator's list shows, in the list's order."""
    owed = [obligation for obligation in strategy_obligations(
                session, strategy, calendar.periods_owed(as_of), calendar)
            if entity_ids is None or obligation.entity.id in entity_ids]
    return sorted(standings(session, strategy, owed, as_of), key=desk_order)


@dataclass(frozen=True)
class Judgement:
    """The period being judged on a day (the last one ended), its calendar and how many of
    its returns are in."""

    period: Period
    due_date: dt.date
    report_day: dt.date
    received: int
    expected: int

    @property
    def complete(self) -> bool:
        return self.received == self.expected


def period_being_judged(session: Session, strategy: Strategy, calendar: Calendar,
                        as_of: dt.date, indicators: list[Indicator] | None = None) -> Judgement:
    """Which period is being judged on `as_of` and whether its returns are complete (see
    `strategy_obligations` for `indicators`)."""
    period = calendar.period_just_ended(as_of)
    found = standings(session, strategy,
                      strategy_obligations(session, strategy, [period], calendar, indicators),
                      as_of)
    return Judgement(period, calendar.due_date(period), calendar.report_day(period),
                     sum(item.received_at is not None for item in found), len(found))
