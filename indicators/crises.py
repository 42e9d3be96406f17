"""Crises: which ones touch an indicator, and how its series compares before, during and after
one against the pre-crisis baseline and trend (`crisis_comparison`), the one home of that
arithmetic for the indicator page and the progress report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from indicators.errors import Invalid, NotFound
from indicators.framework_texts import set_texts, text_of
from indicators.i18n import _
from indicators.model import Crisis, Entity, Indicator
from indicators.obligations import debtors
from indicators.periods import Period, parse_period
from indicators.vocabulary import CrisisKind, written_number


@dataclass(frozen=True)
class CrisisSpan:
    """A crisis as a chart and a comparison need it: its name, kind, first and last period
    (`last` None while it lasts) and the codes of the entities it affected."""

    name: str
    kind: CrisisKind
    first: Period
    last: Period | None
    entities: tuple[str, ...]

    @property
    def starts(self) -> dt.date:
        return self.first.start

    @property
    def ends(self) -> dt.date:
        return self.last.end if self.last is not None else dt.date.max

    def when(self, period: Period) -> str:
        """"before", "during" or "after" the crisis, by where `period` ends."""
        if period.end < self.starts:
            return "before"
        return "during" if period.end <= self.ends else "after"


def span_of(crisis: Crisis) -> CrisisSpan:
    """The span of a recorded crisis."""
    return CrisisSpan(text_of(crisis, "name"), crisis.kind, parse_period(crisis.start_period),
                      parse_period(crisis.end_period) if crisis.end_period else None,
                      tuple(entity.code for entity in crisis.entities))


def recorded_crises(session: Session) -> list[CrisisSpan]:
    """Every recorded crisis, oldest first."""
    crises = session.scalars(select(Crisis).options(selectinload(Crisis.entities))).all()
    return sorted((span_of(crisis) for crisis in crises), key=lambda span: span.first)


def touches(crisis: CrisisSpan, indicator: Indicator) -> bool:
    """Whether `crisis` affected an entity that owes `indicator` (every indicator when it
    names no entity)."""
    owing = {entity.code for entity in debtors(indicator)}
    return not crisis.entities or bool(owing & set(crisis.entities))


@dataclass(frozen=True)
class CrisisComparison:
    """A series before, during and after a crisis: the mean of each part; `expected` the mean
    over the crisis's periods of the pre-crisis trend projected across them (None with fewer
    than two values before); `gap` how far the values during the crisis fell short of (−) or
    rose above (+) that trend; `change` the mean during against the mean before."""

    crisis: CrisisSpan
    before: float | None
    during: float | None
    after: float | None
    expected: float | None
    gap: float | None
    change: float | None

    def in_words(self) -> str:
        """The comparison in a sentence, as the progress report gives it."""
        crisis = self.crisis
        said = _("%(name)s (%(kind)s, %(first)s–%(last)s, %(entities)s): mean %(before)s "
                 "before, %(during)s during, %(after)s after.", name=crisis.name,
                 kind=crisis.kind.label, first=crisis.first.code,
                 last=crisis.last.code if crisis.last else "…",
                 entities=", ".join(crisis.entities) or "—", before=_written(self.before),
                 during=_written(self.during), after=_written(self.after))
        if self.gap is None:
            return said
        return " ".join([said, _("The pre-crisis trend led to %(expected)s over the crisis: "
                                 "a gap of %(gap)s.", expected=_written(self.expected),
                                 gap=f"{'+' if self.gap > 0 else ''}{_written(self.gap)}")])


def _written(value: float | None) -> str:
    return "—" if value is None else written_number(round(value, 1))


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def pre_crisis_trend(before: Mapping[Period, float], periods: list[Period]) -> float | None:
    """The mean, over `periods`, of the least-squares line through the values `before` (by
    steps of their frequency), None with fewer than two values."""
    if len(before) < 2 or not periods:
        return None
    first = min(before)
    steps = np.array([period.steps_from(first) for period in before], dtype=float)
    slope, intercept = np.polyfit(steps, np.array(list(before.values()), dtype=float), 1)
    return float(np.mean([intercept + slope * period.steps_from(first) for period in periods]))


def crisis_comparison(series: Mapping[Period, float], crisis: CrisisSpan) -> CrisisComparison:
    """How `series` (values by period) compares before, during and after `crisis`."""
    parts: dict[str, dict[Period, float]] = {"before": {}, "during": {}, "after": {}}
    for period in sorted(series):
        parts[crisis.when(period)][period] = float(series[period])
    before, during, after = (_mean(list(parts[name].values()))
                             for name in ("before", "during", "after"))
    expected = pre_crisis_trend(parts["before"], list(parts["during"]))
    gap = during - expected if None not in (during, expected) else None
    change = during / before - 1 if during is not None and before else None
    return CrisisComparison(crisis, before, during, after, expected, gap, change)


def write_crisis(session: Session, name: str, kind: CrisisKind | str, start_period: str,
                 end_period: str | None, entity_codes: list[str], note: str = "",
                 crisis: Crisis | None = None, texts: Mapping[str, str] | None = None) -> Crisis:
    """A crisis recorded (or `crisis` updated): its periods checked (`PeriodError`), its end
    not before its start (`Invalid`), its entities by code (`NotFound`); `texts` its name and
    note in other languages (`name_zh` …)."""
    first = parse_period(start_period)
    if end_period and parse_period(end_period) < first:
        raise Invalid(_("A crisis cannot end (%(end)s) before it starts (%(start)s).",
                        end=end_period, start=start_period))
    entities = [_entity(session, code) for code in entity_codes]
    row = crisis or Crisis()
    row.name, row.kind, row.note = name, CrisisKind(kind), note
    row.start_period, row.end_period = first.code, end_period or None
    row.entities = entities
    set_texts(row, texts or {})
    session.add(row)
    session.flush()
    return row


def _entity(session: Session, code: str) -> Entity:
    found = session.scalars(select(Entity).where(Entity.code == code)).one_or_none()
    if found is None:
        raise NotFound("entity", code)
    return found
