"""What qualifies an indicator's series beyond its numbers: the crises that touched it (each
compared before, during and after), its series breaks, and its paired estimate. Read here for
the indicator page (`caveats_of`) and the progress report (`strategy_caveats`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.crises import CrisisComparison, crisis_comparison, recorded_crises, touches
from indicators.evaluation import Scope, aggregated_series, fully_reported, national_totals
from indicators.model import Indicator, PairedEstimate
from indicators.pairs import PairReading, pairing_of, reading_of
from indicators.periods import parse_period
from indicators.series_breaks import Break, breaks_by_indicator


@dataclass(frozen=True)
class Caveats:
    """An indicator's crises compared, its breaks and its paired estimate (None: none)."""

    crises: list[CrisisComparison] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)
    pair: PairReading | None = None

    def __bool__(self) -> bool:
        return bool(self.crises or self.breaks or self.pair)

    def in_words(self) -> list[str]:
        """Each caveat in a sentence."""
        return ([found.in_words() for found in self.crises]
                + [found.in_words() for found in self.breaks]
                + ([self.pair.in_words()] if self.pair else []))


def strategy_caveats(session: Session, indicators: list[Indicator], frame: pd.DataFrame,
                     pairings: dict[int, PairedEstimate] | None = None) -> dict[int, Caveats]:
    """The caveats of each of `indicators` that has any, by indicator id, from their
    `aggregated_series` `frame` (which holds the paired estimates' series too): each crisis
    compared on the periods every usual entity reported (see `fully_reported`)."""
    totals = national_totals(frame)
    crises = recorded_crises(session)
    breaks = breaks_by_indicator(session, [indicator.id for indicator in indicators])
    if pairings is None:
        pairings = {row.indicator_id: row for row in session.scalars(select(PairedEstimate))}
    found = {}
    for indicator in indicators:
        rows = totals.get(indicator.id, [])
        series = {parse_period(row.period): float(row.value) for row in fully_reported(rows)}
        pairing = pairings.get(indicator.id)
        caveats = Caveats(
            crises=[crisis_comparison(series, crisis) for crisis in crises
                    if touches(crisis, indicator)],
            breaks=breaks.get(indicator.id, []),
            pair=reading_of(pairing, rows, totals.get(pairing.estimate_id, []))
            if pairing else None)
        if caveats:
            found[indicator.id] = caveats
    return found


def caveats_of(session: Session, indicator: Indicator, scope: Scope) -> Caveats:
    """The caveats of `indicator` within `scope` (its paired estimate read for the whole
    strategy)."""
    pairing = pairing_of(session, indicator)
    frame = aggregated_series(session, [indicator], scope, sex_only=True)
    if pairing is not None:
        estimate = aggregated_series(session, [pairing.estimate], Scope(
            until=scope.until, since=scope.since, approved_only=scope.approved_only),
            sex_only=True)
        frame = pd.concat([frame, estimate], ignore_index=True)
    pairings = {indicator.id: pairing} if pairing else {}
    return strategy_caveats(session, [indicator], frame, pairings).get(indicator.id, Caveats())
