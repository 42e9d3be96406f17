"""Serialising the work on one entity-period: two returns for it never import side by side.

`hold_entity_period` waits until no other transaction holds the entity-period and keeps it until
the caller's transaction ends. PostgreSQL takes a transaction-scoped advisory lock on the
entity-period; SQLite, which lets one writer at a time, takes the database's write lock at once
(a write that changes nothing), waiting its busy timeout while another writer holds it, so that
what the transaction reads next is what the previous writer committed.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from indicators.model import Entity

LOCK_SPACE = 13  # the advisory-lock space of entity-periods (PostgreSQL's first key)


def hold_entity_period(session: Session, strategy_id: int, entity_id: int, period: str) -> None:
    """Hold the entity-period of a strategy until the session's transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        key = func.hashtext(f"{strategy_id}:{entity_id}:{period}")
        session.execute(select(func.pg_advisory_xact_lock(LOCK_SPACE, key)))
    else:
        session.execute(update(Entity).where(Entity.id == entity_id).values(code=Entity.code)
                        .execution_options(synchronize_session=False))
