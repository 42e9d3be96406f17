"""Which returns (and which of their revisions) a report's figures came from."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.evaluation import approved_returns
from indicators.model import DataValue, Return


def returns_used(session: Session, indicator_ids: list[int], until: dt.date,
                 since: dt.date | None = None, also: list[int] = (),
                 approved_only: bool = True) -> list[dict[str, int]]:
    """The returns whose values of the indicators lie in the periods ending from `since` to
    `until` (plus the returns `also` named), as `{"id", "revision"}` in id order; with
    `approved_only`, the returns of approved figures only."""
    values = select(DataValue.id).where(
        DataValue.return_id == Return.id, DataValue.indicator_id.in_(indicator_ids),
        DataValue.period_end <= until)
    if since is not None:
        values = values.where(DataValue.period_end >= since)
    used = values.exists()
    if approved_only:  # `approved_figures`, said of the return the values came from
        used = used & Return.id.in_(approved_returns())
    statement = (select(Return.id, Return.revision)
                 .where(used | Return.id.in_(list(also)))
                 .order_by(Return.id))
    return [{"id": id_, "revision": revision} for id_, revision in session.execute(statement)]
