"""The audit trail: who did what to which thing, when, with the before and after.

Every capability that changes something calls `record` in the same transaction as the change,
so that a change and its trace are committed (or rolled back) together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import JSON, DateTime, Select, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from indicators.model import Base, Entity, Indicator, utcnow
from indicators.values import ValueChanges, ValueKey


class AuditEvent(Base):
    """One recorded change or sign-in; never changed once written."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject_type: Mapped[str] = mapped_column(String(60), default="")
    subject_id: Mapped[str] = mapped_column(String(300), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for every field whose value differs, in name order."""
        before, after = self.before or {}, self.after or {}
        return [(name, before.get(name), after.get(name))
                for name in sorted(set(before) | set(after))
                if before.get(name) != after.get(name)]


def record(session: Session, actor: str, action: str, subject_type: str = "",
           subject_id: object = "", before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> AuditEvent:
    """Add an audit event to the session (the caller's transaction commits it)."""
    event = AuditEvent(actor=actor, action=action, subject_type=subject_type,
                       subject_id=str(subject_id), before=_plain(before), after=_plain(after))
    session.add(event)
    return event


def _plain(fields: dict[str, Any] | None) -> dict[str, Any] | None:
    """`fields` with values JSON can hold (dates as ISO text, enums as their value)."""
    if fields is None:
        return None
    return {name: _json_value(value) for name, value in fields.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value.value if isinstance(value, Enum) else value


def value_subject(session: Session, key: ValueKey) -> str:
    """A value named as a person reads it: indicator · entity · period · breakdown."""
    indicator = session.get(Indicator, key.indicator_id)
    entity = session.get(Entity, key.entity_id)
    parts = [indicator.code if indicator else str(key.indicator_id),
             entity.code if entity else str(key.entity_id), key.period]
    return " · ".join(parts + ([key.disaggregation] if key.disaggregation else []))


def record_value_changes(session: Session, actor: str, changes: ValueChanges) -> int:
    """One audit event per value a write added or changed, with its before and after;
    returns how many were recorded."""
    for key in changes.added + changes.changed:
        record(session, actor, "value.change" if key in changes.before else "value.add",
               "value", value_subject(session, key),
               before=changes.before.get(key), after=changes.after[key])
    return changes.touched


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page asks for; empty fields do not filter."""

    actor: str = ""
    action: str = ""
    subject: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def audit_query(criteria: AuditFilter) -> Select:
    """Events matching `criteria`, newest first."""
    statement = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if criteria.actor:
        statement = statement.where(AuditEvent.actor.ilike(f"%{criteria.actor}%"))
    if criteria.action:
        statement = statement.where(AuditEvent.action.ilike(f"{criteria.action}%"))
    if criteria.subject:
        pattern = f"%{criteria.subject}%"
        statement = statement.where(AuditEvent.subject_id.ilike(pattern)
                                    | AuditEvent.subject_type.ilike(pattern))
    if criteria.since:
        statement = statement.where(AuditEvent.at >= criteria.since)
    if criteria.until:
        statement = statement.where(AuditEvent.at < criteria.until + dt.timedelta(days=1))
    return statement


def audit_actions(session: Session) -> list[str]:
    """Every action recorded so far, for the filter's choices."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
