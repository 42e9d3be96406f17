"""Writing data values: one current value per key, the replaced one kept in history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from indicators.disaggregation import canonical_key
from indicators.model import VALUE_FIELDS, DataValue, DataValueHistory, Flag, utcnow
from indicators.periods import parse_period


@dataclass(frozen=True)
class ValueKey:
    """What a value is of: indicator, entity, period, breakdown."""

    indicator_id: int
    entity_id: int
    period: str
    disaggregation: str = ""

    @classmethod
    def of(cls, indicator_id: int, entity_id: int, period: str, breakdown: Any = "") -> ValueKey:
        """A key with the period code and the breakdown in canonical form."""
        return cls(indicator_id, entity_id, parse_period(period).code, canonical_key(breakdown))


@dataclass
class ValueChanges:
    """What a write did: keys added, changed (with the value before) and left as they were."""

    added: list[ValueKey] = field(default_factory=list)
    changed: list[ValueKey] = field(default_factory=list)
    unchanged: list[ValueKey] = field(default_factory=list)

    @property
    def touched(self) -> int:
        return len(self.added) + len(self.changed)


def _normalised(fields: dict[str, Any]) -> dict[str, Any]:
    defaults = {"narrative": "", "evidence": "", "flag": Flag.NONE, "comment": "",
                "source_sheet": "", "source_cell": "", "value": None, "level": None,
                "return_id": None}
    unknown = set(fields) - set(VALUE_FIELDS)
    if unknown:
        raise TypeError(f"unknown value fields: {sorted(unknown)}")
    merged = {**defaults, **fields}
    merged["flag"] = Flag(merged["flag"])
    if merged["value"] is not None:
        merged["value"] = float(merged["value"])
    return merged


def _differs(current: DataValue, fields: dict[str, Any]) -> bool:
    return any(getattr(current, name) != fields[name] for name in VALUE_FIELDS)


def _archive(session: Session, current: DataValue) -> None:
    columns = {name: getattr(current, name) for name in VALUE_FIELDS}
    session.add(
        DataValueHistory(
            data_value_id=current.id,
            indicator_id=current.indicator_id,
            entity_id=current.entity_id,
            period=current.period,
            period_end=current.period_end,
            disaggregation=current.disaggregation,
            created_at=current.created_at,
            updated_at=current.updated_at,
            **columns,
        )
    )


def write_values(
    session: Session, rows: Iterable[tuple[ValueKey, dict[str, Any]]]
) -> ValueChanges:
    """Write values by key: new keys are added, changed ones archived to history first, and
    identical ones left alone. Rows go to the database in bulk statements (thousands of values
    a second); value objects already loaded in the session are expired so they read the new
    state. The caller owns the transaction."""
    rows = [(key, _normalised(fields)) for key, fields in rows]
    session.flush()
    current = _current_values(session, [key for key, _ in rows])
    changes = ValueChanges()
    now = utcnow()
    inserts: dict[ValueKey, dict[str, Any]] = {}
    updates: dict[int, dict[str, Any]] = {}
    for key, fields in rows:
        existing = current.get(key)
        if existing is None:
            current[key] = inserts[key] = {
                "indicator_id": key.indicator_id, "entity_id": key.entity_id,
                "period": key.period, "disaggregation": key.disaggregation,
                "period_end": parse_period(key.period).end, "created_at": now, "updated_at": now,
                **fields,
            }
            changes.added.append(key)
        elif any(existing[name] != fields[name] for name in VALUE_FIELDS):
            existing.update(fields, updated_at=now)
            if "id" in existing:
                updates[existing["id"]] = existing
            changes.changed.append(key)
        else:
            changes.unchanged.append(key)
    _execute_bulk(session, list(inserts.values()), list(updates.values()))
    return changes


_TABLE = DataValue.__table__
_HISTORY_COLUMNS = ("indicator_id", "entity_id", "period", "period_end", "disaggregation",
                    "created_at", "updated_at", *VALUE_FIELDS)


def _execute_bulk(session: Session, inserts: list[dict[str, Any]],
                  updates: list[dict[str, Any]]) -> None:
    """Archive the values about to change (as they stand in the database), update them, add
    the new ones, and expire value objects the session holds."""
    for chunk in _chunks([row["id"] for row in updates], 500):
        session.execute(insert(DataValueHistory.__table__).from_select(
            ["data_value_id", *_HISTORY_COLUMNS],
            select(_TABLE.c.id, *(_TABLE.c[name] for name in _HISTORY_COLUMNS))
            .where(_TABLE.c.id.in_(chunk)),
        ))
    if updates:
        session.execute(update(DataValue), [
            {name: row[name] for name in ("id", "updated_at", *VALUE_FIELDS)} for row in updates
        ])
    if inserts:
        session.execute(insert(_TABLE), inserts)
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, DataValue):
            session.expire(loaded)


def record_value(session: Session, key: ValueKey, **fields: Any) -> ValueChanges:
    """Write one value (see `write_values`)."""
    return write_values(session, [(key, fields)])


_KEY_COLUMNS = ("id", "indicator_id", "entity_id", "period", "disaggregation")


def _current_values(session: Session, keys: list[ValueKey]) -> dict[ValueKey, dict[str, Any]]:
    """The current values of `keys` that exist: their id, key and value fields."""
    wanted = set(keys)
    found: dict[ValueKey, dict[str, Any]] = {}
    entities: dict[int, set[int]] = {}
    periods: dict[int, set[str]] = {}
    for key in wanted:
        entities.setdefault(key.indicator_id, set()).add(key.entity_id)
        periods.setdefault(key.indicator_id, set()).add(key.period)
    columns = [_TABLE.c[name] for name in (*_KEY_COLUMNS, *VALUE_FIELDS)]
    for indicator_id, entity_ids in entities.items():
        for chunk in _chunks(sorted(entity_ids), 500):
            statement = select(*columns).where(
                _TABLE.c.indicator_id == indicator_id,
                _TABLE.c.entity_id.in_(chunk),
                _TABLE.c.period.in_(sorted(periods[indicator_id])),
            )
            for row in session.execute(statement).all():
                key = ValueKey(*row[1:5])
                if key in wanted:
                    found[key] = dict(zip((*_KEY_COLUMNS, *VALUE_FIELDS), row, strict=True))
    return found


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def history_of(session: Session, key: ValueKey) -> list[DataValueHistory]:
    """Earlier values of a key, oldest first."""
    statement = (
        select(DataValueHistory)
        .where(
            DataValueHistory.indicator_id == key.indicator_id,
            DataValueHistory.entity_id == key.entity_id,
            DataValueHistory.period == key.period,
            DataValueHistory.disaggregation == key.disaggregation,
        )
        .order_by(DataValueHistory.superseded_at, DataValueHistory.id)
    )
    return list(session.scalars(statement))
