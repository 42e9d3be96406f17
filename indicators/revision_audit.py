"""A revision's value changes in the audit trail: one event, read back value by value.

Importing a revision records one event (`value.changes`) that names its return; what it changed
is the diff stored once on that return (`Return.diff`, `indicators.diffs`). The audit page and
its export list every value of that diff (`audit_rows`) with who sent it and which revision it
came with, as one line each, the way single value changes are listed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.audit import AuditEvent, record
from indicators.diffs import Diff
from indicators.model import Return

VALUE_CHANGES = "value.changes"
DIFF_ACTIONS = (("added", "value.add"), ("changed", "value.change"), ("removed", "value.remove"))


def record_revision_values(session: Session, actor: str, return_row: Return, entity: str,
                           diff: Diff) -> AuditEvent | None:
    """One audit event for what revision `return_row` of `entity` changed (`diff`, the one
    stored on the return); None when it changed nothing."""
    if diff.empty:
        return None
    subject = f"{entity} {return_row.period} r{return_row.revision}"
    return record(session, actor, VALUE_CHANGES, "return", subject, after={
        "return_id": return_row.id, "entity": entity, "period": return_row.period,
        "added": len(diff.added), "changed": len(diff.changed), "removed": len(diff.removed)})


@dataclass(frozen=True)
class ValueLine:
    """One value a revision changed, as the audit trail lists it (the fields of an event)."""

    at: dt.datetime
    actor: str
    action: str
    subject_id: str
    before: dict[str, Any]
    after: dict[str, Any]
    subject_type: str = "value"

    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) of the value, its cell and the revision it came with."""
        return [(name, self.before.get(name), self.after.get(name))
                for name in ("value", "cell", "return")
                if self.before.get(name) != self.after.get(name)]


def audit_rows(session: Session, events: Iterable[AuditEvent], limit: int,
               action: str = "") -> list[AuditEvent | ValueLine]:
    """The events as the audit trail lists them, at most `limit` rows: each revision's event
    replaced by one line per value of its diff (those whose action begins with the `action`
    asked for, e.g. only `value.change`)."""
    events = list(events)
    diffs = _diffs(session, {event.after["return_id"] for event in events
                             if event.action == VALUE_CHANGES and event.after})
    rows: list[AuditEvent | ValueLine] = []
    for event in events:
        if event.action == VALUE_CHANGES and event.after:
            rows.extend(line for line in _lines(event, diffs.get(event.after["return_id"], Diff()))
                        if _wanted(line.action, action.lower()))
        else:
            rows.append(event)
        if len(rows) >= limit:
            break
    return rows[:limit]


def _wanted(line_action: str, action: str) -> bool:
    return line_action.startswith(action) or action.startswith(VALUE_CHANGES)


def _diffs(session: Session, return_ids: set[int]) -> dict[int, Diff]:
    if not return_ids:
        return {}
    return {return_id: Diff.from_dict(diff) for return_id, diff in session.execute(
        select(Return.id, Return.diff).where(Return.id.in_(return_ids)))}


def _lines(event: AuditEvent, diff: Diff) -> Iterator[ValueLine]:
    place = f"{event.after['entity']} · {event.after['period']}"
    for part, action in DIFF_ACTIONS:
        for entry in getattr(diff, part):
            subject = " · ".join([entry["indicator"], place]
                                 + ([entry["breakdown"]] if entry["breakdown"] else []))
            yield ValueLine(
                event.at, event.actor, action, subject,
                before={"value": entry["before"] or None},
                after={"value": entry["after"] or None, "cell": entry["cell"] or None,
                       "return": event.subject_id})
