"""Series breaks: where an indicator's values stop comparing with the earlier ones (a new
definition, data source or reporting channel). The one home of what a break does: the trend
reads only the values since the latest break, a line is not drawn across one, and a change
measured across one is marked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.i18n import _
from indicators.model import Indicator, SeriesBreak
from indicators.periods import Period, parse_period
from indicators.vocabulary import BreakKind


@dataclass(frozen=True)
class Break:
    """A break: from `period` on the series is measured anew, for the reason `kind`."""

    period: Period
    kind: BreakKind
    note: str = ""

    def in_words(self) -> str:
        """The break in a sentence, as the progress report gives it."""
        said = _("Series break in %(period)s (%(reason)s): the trend reads the values since "
                 "then; a change measured across it is not like for like.",
                 period=self.period.code, reason=self.kind.label)
        return f"{said} {self.note}".strip()


def breaks_by_indicator(session: Session, indicator_ids: Iterable[int]) -> dict[int, list[Break]]:
    """The breaks of each indicator, oldest first."""
    found: dict[int, list[Break]] = {}
    rows = session.scalars(select(SeriesBreak).where(
        SeriesBreak.indicator_id.in_(list(indicator_ids))))
    for row in rows:
        found.setdefault(row.indicator_id, []).append(
            Break(parse_period(row.period), row.kind, row.note))
    return {key: sorted(breaks, key=lambda found_break: found_break.period)
            for key, breaks in found.items()}


def latest_break(breaks: Sequence[Break], until: Period | None = None) -> Break | None:
    """The latest break at or before `until` (any when None)."""
    passed = [found for found in breaks if until is None or found.period.start <= until.end]
    return passed[-1] if passed else None


def since_latest_break(periods: Sequence[Period], breaks: Sequence[Break]) -> list[bool]:
    """For each of `periods` (oldest first), whether it belongs to the series since the latest
    break before the last of them: what a trend may read."""
    if not periods:
        return []
    found = latest_break(breaks, max(periods))
    return [found is None or period.start >= found.period.start for period in periods]


def crosses_break(first: Period | None, last: Period | None, breaks: Sequence[Break]) -> bool:
    """Whether a comparison of `first` with `last` spans a break (a break after `first`
    and at or before `last`)."""
    if first is None or last is None:
        return False
    return any(first.end < found.period.end and found.period.start <= last.end
               for found in breaks)


def segment_of(period: Period, breaks: Sequence[Break]) -> int:
    """Which piece of a broken series `period` falls in: 0 before the first break, 1 after it …"""
    return sum(1 for found in breaks if found.period.start <= period.start)


def write_break(session: Session, indicator: Indicator, period: str, kind: BreakKind | str,
                note: str = "") -> SeriesBreak:
    """The break of `indicator` at `period` recorded, or its reason updated."""
    code = parse_period(period).code
    row = session.scalars(select(SeriesBreak).where(
        SeriesBreak.indicator_id == indicator.id, SeriesBreak.period == code)).one_or_none()
    row = row or SeriesBreak(indicator_id=indicator.id, period=code)
    row.kind, row.note = BreakKind(kind), note
    session.add(row)
    session.flush()
    return row
