"""What a crisis prevented: the obligations whose every owed figure was stated "not collected
because of the crisis" (`Nature.NOT_COLLECTED_CRISIS`). Such an entity is not late for them
(`indicators.obligations.Standing.prevented`), though the gap is still listed, with its reason,
by the gap report; the missing figure is never a zero (it has no value)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.disaggregation import TOTAL
from indicators.model import DataValue, Entity, Indicator
from indicators.periods import Period
from indicators.vocabulary import Nature


class Owed(Protocol):
    entity: Entity
    period: Period
    indicators: tuple[Indicator, ...]


def prevented_by_crisis(session: Session, owed: Iterable[Owed]) -> set[tuple[int, str]]:
    """The (entity id, period code) of the obligations in `owed` whose every indicator's total
    is stated not collected because of the crisis."""
    owed = list(owed)
    if not owed:
        return set()
    statement = select(DataValue.entity_id, DataValue.period, DataValue.indicator_id).where(
        DataValue.nature == Nature.NOT_COLLECTED_CRISIS, DataValue.disaggregation == TOTAL,
        DataValue.period.in_({item.period.code for item in owed}))
    stated: dict[tuple[int, str], set[int]] = {}
    for entity_id, period, indicator_id in session.execute(statement):
        stated.setdefault((entity_id, period), set()).add(indicator_id)
    return {place for item in owed if (place := (item.entity.id, item.period.code)) in stated
            and {indicator.id for indicator in item.indicators} <= stated[place]}
