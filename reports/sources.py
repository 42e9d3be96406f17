"""Which returns (and which of their revisions) a report's figures came from."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.evaluation import approved_figures
from indicators.model import DataValue, Return


def returns_used(session: Session, indicator_ids: list[int], until: dt.date,
                 since: dt.date | None = None, also: list[int] = (),
                 approved_only: bool = True) -> list[dict[str, int]]:
    """The returns whose values of the indicators lie in the periods ending from `since` to
    `until` (plus the returns `also` named), as `{"id", "revision"}` in id order; with
    `approved_only`, the returns of approved figures only."""
    sources = select(DataValue.return_id).distinct().where(
        DataValue.indicator_id.in_(indicator_ids), DataValue.period_end <= until,
        DataValue.return_id.is_not(None))
    if since is not None:
        sources = sources.where(DataValue.period_end >= since)
    if approved_only:
        sources = approved_figures(sources)
    statement = (select(Return.id, Return.revision)
                 .where(Return.id.in_(sources) | Return.id.in_(list(also)))
                 .order_by(Return.id))
    return [{"id": id_, "revision": revision} for id_, revision in session.execute(statement)]
