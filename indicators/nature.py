"""How far an indicator's figures can be trusted, period by period: the natures of the values
behind each national figure (verified, alleged, estimated ...) and the band their ranges make.

The national figure itself is `indicators.evaluation`'s; here its band is combined by the same
rule: the ends of the entities' ranges add up for a sum (an entity without a range adds its
value to both ends), are averaged for a mean, and are the newest value's for "latest"; one lower
bound among them leaves the band open above. Rates weighted by population carry no band. A value
missing for a reason (`Nature.missing`) is never a zero: it adds nothing to the band.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
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


COLUMNS = ["period", "period_end", "value", "nature", "low", "high", "at_least", "updated_at"]


def certainty_by_period(session: Session, indicator: Indicator,
                        scope: Scope) -> dict[str, Certainty]:
    """The certainty of the indicator's national (or the scope's entity's) figure, by period
    code, from the totals within `scope`."""
    if indicator.kind is Kind.QUALITATIVE:
        return {}
    statement = scope.applied_to(
        select(DataValue.period, DataValue.period_end, DataValue.value, DataValue.nature,
               DataValue.low, DataValue.high, DataValue.at_least, DataValue.updated_at)
        .where(DataValue.indicator_id == indicator.id, DataValue.disaggregation == TOTAL))
    frame = pd.DataFrame(session.execute(statement).all(), columns=COLUMNS)
    return {period: _certainty(period, rows, indicator)
            for period, rows in frame.groupby("period", sort=False)}


def _certainty(period: str, rows: pd.DataFrame, indicator: Indicator) -> Certainty:
    natures = tuple(sorted({Nature(nature) for nature in rows["nature"]} - {Nature.NONE},
                           key=list(Nature).index))
    figures = rows[rows["value"].notna()].sort_values("updated_at", kind="stable")
    if indicator.unit is Unit.RATE_PER_100K or figures.empty or figures["low"].isna().all():
        return Certainty(period, natures)
    lows = figures["low"].fillna(figures["value"]).astype(float)
    highs = figures["high"].where(~figures["at_least"].astype(bool))
    highs = highs.where(figures["low"].notna() | figures["high"].notna(), figures["value"])
    if indicator.aggregation is Aggregation.LATEST:
        lows, highs = lows.tail(1), highs.tail(1)
    open_above = bool(highs.isna().any())
    combine = "mean" if indicator.aggregation is Aggregation.MEAN else "sum"
    return Certainty(period, natures, float(getattr(lows, combine)()),
                     None if open_above else float(getattr(highs.astype(float), combine)()))


def resting_on_words(certainty: Certainty | None) -> str | None:
    """A sentence saying that a status rests on estimated, modelled or alleged figures (naming
    them), or None when it does not."""
    if certainty is None or not certainty.uncertain:
        return None
    return _("This status rests on %(natures)s figures for %(period)s.",
             natures=", ".join(nature.label for nature in certainty.uncertain),
             period=certainty.period)
