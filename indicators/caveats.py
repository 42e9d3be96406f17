"""What qualifies an indicator's series beyond its numbers: the crises that touched it (each
compared before, during and after), its series breaks, and its paired estimate. Read once here
for the indicator page and the progress report."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from indicators.crises import CrisisComparison, crises_touching, crisis_comparison
from indicators.evaluation import Scope, aggregated_series, fully_reported, national_totals
from indicators.model import Indicator
from indicators.pairs import PairReading, pair_reading
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


def caveats_of(session: Session, indicator: Indicator, scope: Scope) -> Caveats:
    """The caveats of `indicator` within `scope`: its national series (the periods every
    usual entity reported, see `fully_reported`) compared with each crisis that touched it."""
    frame = aggregated_series(session, [indicator], scope, sex_only=True)
    series = {parse_period(row.period): float(row.value) for row in
              fully_reported(national_totals(frame).get(indicator.id, []))}
    return Caveats(
        crises=[crisis_comparison(series, crisis)
                for crisis in crises_touching(session, indicator)],
        breaks=breaks_by_indicator(session, [indicator.id]).get(indicator.id, []),
        pair=pair_reading(session, indicator, scope),
    )
