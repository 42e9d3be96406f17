"""How far an indicator's figures can be trusted, period by period: the natures of the values
behind each national figure (verified, alleged, estimated ...) and the band their ranges make.

The national figure itself is `indicators.evaluation`'s; here its band is combined by the same
rule: the ends of the entities' ranges add up for a sum (an entity without a range adds its
value to both ends), are averaged for a mean, and are the newest value's for "latest"; one lower
bound among them leaves the band open above. Rates weighted by population carry no band. A value
missing for a reason (`Nature.missing`) is never a zero: it adds nothing to the band.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import fmean

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from indicators.disaggregation import TOTAL
from indicators.evaluation import Scope
from indicators.i18n import _
from indicators.model import DataValue, Indicator
from indicators.vocabulary import Aggregation, Kind, Nature, Unit


@dataclass(frozen=True)
class Certainty:
    """What one period's national figure rests on: the natures of the entities' values (those
    stated, missing-value reasons included) and the band of their ranges (`high` None with a
    `low`: a lower bound)."""

    period: str
    natures: tuple[Nature, ...] = ()
    low: float | None = None
    high: float | None = None

    @property
    def hollow(self) -> bool:
        """Whether the figure rests on a value charts draw hollow (provisional, alleged)."""
        return any(nature.hollow for nature in self.natures)

    @property
    def uncertain(self) -> tuple[Nature, ...]:
        """The natures a status resting on this figure should name (estimated, alleged ...)."""
        return tuple(nature for nature in self.natures if nature.uncertain)

    def as_dict(self) -> dict:
        return {"natures": [str(nature) for nature in self.natures], "low": self.low,
                "high": self.high}


def certainty_by_period(session: Session, indicator: Indicator,
                        scope: Scope) -> dict[str, Certainty]:
    """The certainty of the indicator's national (or the scope's entity's) figure, by period
    code, from the totals within `scope`."""
    return {period: certainty for (_id, period), certainty
            in certainties(session, [indicator], scope).items()}


def certainties(session: Session, indicators: Iterable[Indicator],
                scope: Scope) -> dict[tuple[int, str], Certainty]:
    """`certainty_by_period` of several indicators in one reading, by (indicator id, period
    code)."""
    quantitative = {indicator.id: indicator for indicator in indicators
                    if indicator.kind is not Kind.QUALITATIVE}
    if not quantitative:
        return {}
    statement = scope.applied_to(
        select(DataValue.indicator_id, DataValue.period, DataValue.value, DataValue.nature,
               DataValue.low, DataValue.high, DataValue.at_least, DataValue.updated_at)
        .where(DataValue.indicator_id.in_(quantitative), DataValue.disaggregation == TOTAL))
    totals: dict[tuple[int, str], list[Row]] = {}
    for row in session.execute(statement):
        totals.setdefault((row.indicator_id, row.period), []).append(row)
    return {(indicator_id, period): _certainty(period, rows, quantitative[indicator_id])
            for (indicator_id, period), rows in totals.items()}


def _certainty(period: str, rows: list[Row], indicator: Indicator) -> Certainty:
    natures = tuple(sorted({Nature(row.nature) for row in rows} - {Nature.NONE},
                           key=list(Nature).index))
    figures = sorted((row for row in rows if row.value is not None),
                     key=lambda row: row.updated_at)
    if indicator.unit is Unit.RATE_PER_100K or all(row.low is None for row in figures):
        return Certainty(period, natures)
    if indicator.aggregation is Aggregation.LATEST:
        figures = figures[-1:]
    lows = [float(row.value if row.low is None else row.low) for row in figures]
    highs = [_high_end(row) for row in figures]
    combine = fmean if indicator.aggregation is Aggregation.MEAN else math.fsum
    return Certainty(period, natures, combine(lows),
                     None if None in highs else combine(highs))


def _high_end(row: Row) -> float | None:
    """A value's upper end: its high, none for "at least", the value itself without a range."""
    if row.low is None and row.high is None:
        return float(row.value)
    return None if row.at_least or row.high is None else float(row.high)


def resting_on_words(certainty: Certainty | None) -> str | None:
    """A sentence saying that a status rests on estimated, modelled or alleged figures (naming
    them), or None when it does not."""
    if certainty is None or not certainty.uncertain:
        return None
    return _("This status rests on %(natures)s figures for %(period)s.",
             natures=", ".join(nature.label for nature in certainty.uncertain),
             period=certainty.period)
