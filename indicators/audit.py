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

from indicators.i18n import N_, gettext
from indicators.model import Base, Entity, Indicator, utcnow
from indicators.values import ValueChanges, ValueKey
from indicators.vocabulary import (
    Aggregation,
    Direction,
    Frequency,
    Kind,
    Nature,
    ReturnState,
    Status,
    Term,
    Unit,
    shown,
)


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
        """(field, before, after) for every field whose value differs, in name order; a field
        holding a word of the vocabulary (a state, a nature, a unit ...) in words, yes or no
        for a truth, a list as its items."""
        before, after = self.before or {}, self.after or {}
        return [(name, _in_words(name, before.get(name)), _in_words(name, after.get(name)))
                for name in sorted(set(before) | set(after))
                if before.get(name) != after.get(name)]


FIELD_TERMS: dict[str, type[Term]] = {
    "state": ReturnState, "nature": Nature, "flag": Nature, "kind": Kind, "unit": Unit,
    "direction": Direction, "aggregation": Aggregation, "frequency": Frequency, "status": Status}
"""The enumeration a recorded field holds, by field name (`flag`: a value's nature as records
written before migration 0020 name it)."""


def _in_words(name: str, value: Any) -> Any:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    term = FIELD_TERMS.get(name)
    if term is None or value is None:
        return value
    try:
        return shown(term(value))
    except ValueError:
        return value


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


_JSON_NATIVE = frozenset({str, int, float, bool, type(None)})


def _json_value(value: Any) -> Any:
    if type(value) in _JSON_NATIVE:  # most values of a return: checked first, cheaply
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value.value if isinstance(value, Enum) else value


def _value_subjects(session: Session, keys: list[ValueKey]) -> dict[ValueKey, str]:
    """Each value named as a person reads it: indicator · entity · period · breakdown."""
    indicators = dict(session.execute(select(Indicator.id, Indicator.code).where(
        Indicator.id.in_({key.indicator_id for key in keys}))).all())
    entities = dict(session.execute(select(Entity.id, Entity.code).where(
        Entity.id.in_({key.entity_id for key in keys}))).all())
    return {key: " · ".join([indicators.get(key.indicator_id, str(key.indicator_id)),
                             entities.get(key.entity_id, str(key.entity_id)), key.period]
                            + ([key.disaggregation] if key.disaggregation else []))
            for key in keys}


ValueEvent = tuple[str, ValueKey, dict[str, Any] | None, dict[str, Any] | None]


def _record_value_events(session: Session, actor: str, events: list[ValueEvent]) -> int:
    """One audit event per (action, key, before, after), inserted in one statement (a return
    may change thousands of values)."""
    if not events:
        return 0
    subjects = _value_subjects(session, [key for _action, key, _before, _after in events])
    now = utcnow()
    session.execute(AuditEvent.__table__.insert(), [
        {"at": now, "actor": actor, "action": action, "subject_type": "value",
         "subject_id": subjects[key], "before": _plain(before), "after": _plain(after)}
        for action, key, before, after in events])
    return len(events)


def record_value_changes(session: Session, actor: str, changes: ValueChanges) -> int:
    """One audit event per value a write added or changed, with its before and after;
    returns how many were recorded."""
    return _record_value_events(session, actor, [
        ("value.change" if key in changes.before else "value.add", key,
         changes.before.get(key), changes.after[key])
        for key in dict.fromkeys(changes.added + changes.changed)])


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


ACTION_WORDS = {
    "value.add": N_("value added"),
    "value.change": N_("value changed"),
    "value.remove": N_("value removed"),
    "value.changes": N_("values a revision changed"),
    "return.submitted": N_("return submitted"),
    "return.rejected": N_("return rejected"),
    "return.approved": N_("return approved"),
    "return.returned": N_("return sent back"),
    "return.reopened": N_("return reopened"),
    "return.superseded": N_("return superseded"),
    "statistics.import": N_("published statistics imported"),
    "framework.import": N_("framework workbook imported"),
    "framework.add": N_("framework: added"),
    "framework.edit": N_("framework: edited"),
    "framework.delete": N_("framework: deleted"),
    "demo.loaded": N_("demonstration loaded"),
    "demo.framework": N_("demonstration framework written"),
    "user.add": N_("user added"),
    "user.password": N_("password changed"),
    "user.active": N_("user activated or deactivated"),
    "role.grant": N_("role granted"),
    "role.revoke": N_("role revoked"),
    "token.create": N_("API token created"),
    "token.revoke": N_("API token revoked"),
    "login": N_("signed in"),
    "logout": N_("signed out"),
    "login.failed": N_("sign-in failed"),
    "login.throttled": N_("sign-in slowed down"),
}
"""Each action the trail records, in words (the code stays what is stored and filtered on)."""


SUBJECT_WORDS = {
    "user": N_("user"), "address": N_("address"), "return": N_("return"), "file": N_("file"),
    "value": N_("value"), "strategy": N_("strategy"), "principle": N_("principle"),
    "objective": N_("objective"), "indicator": N_("indicator"), "target": N_("target"),
    "entity": N_("entity"), "population": N_("population"), "dimension": N_("dimension"),
    "category": N_("category"), "crisis": N_("crisis"), "series_break": N_("series break"),
    "paired_estimate": N_("paired estimate"),
}
"""Each kind of subject the trail records, in words."""


def action_words(code: str) -> str:
    """An action code (`role.grant`) in the reader's words, the code itself when it has none."""
    return _words(ACTION_WORDS, code)


def subject_words(code: str) -> str:
    """A subject kind (`series_break`) in the reader's words, the code itself when it has
    none."""
    return _words(SUBJECT_WORDS, code)


def _words(vocabulary: dict[str, str], code: str) -> str:
    words = vocabulary.get(code)
    return gettext(words) if words else code
