"""Writing data values: one current value per key, the replaced one kept in history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from indicators import aggregates
from indicators.bulk_insert import insert_rows
from indicators.disaggregation import canonical_key
from indicators.model import VALUE_FIELDS, DataValue, DataValueHistory, Nature, utcnow
from indicators.periods import parse_period


class ValueKey(NamedTuple):
    """What a value is of: indicator, entity, period, breakdown (a tuple: an import hashes
    hundreds of thousands of them)."""

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
    """What a write did: keys added, changed and left as they were, with the fields of each
    changed value before and of each added or changed value after."""

    added: list[ValueKey] = field(default_factory=list)
    changed: list[ValueKey] = field(default_factory=list)
    unchanged: list[ValueKey] = field(default_factory=list)
    before: dict[ValueKey, dict[str, Any]] = field(default_factory=dict)
    after: dict[ValueKey, dict[str, Any]] = field(default_factory=dict)

    @property
    def touched(self) -> int:
        return len(self.added) + len(self.changed)


_DEFAULTS = {"narrative": "", "evidence": "", "nature": Nature.NONE, "comment": "",
             "low": None, "high": None, "at_least": False,
             "source_sheet": "", "source_cell": "", "value": None, "level": None,
             "return_id": None}


def _normalised(fields: dict[str, Any]) -> dict[str, Any]:
    if not fields.keys() <= _DEFAULTS.keys():
        raise TypeError(f"unknown value fields: {sorted(fields.keys() - _DEFAULTS.keys())}")
    merged = {**_DEFAULTS, **fields}
    if type(merged["nature"]) is not Nature:
        merged["nature"] = Nature(merged["nature"])
    for name in ("value", "low", "high"):
        number = merged[name]
        if number is not None and type(number) is not float:
            merged[name] = float(number)
    return merged


def _differs(current: DataValue, fields: dict[str, Any]) -> bool:
    return any(getattr(current, name) != fields[name] for name in VALUE_FIELDS)


def _history_row(current: DataValue) -> dict[str, Any]:
    return {
        "data_value_id": current.id,
        "indicator_id": current.indicator_id,
        "entity_id": current.entity_id,
        "period": current.period,
        "period_end": current.period_end,
        "disaggregation": current.disaggregation,
        "created_at": current.created_at,
        "updated_at": current.updated_at,
        **{name: getattr(current, name) for name in VALUE_FIELDS},
    }


def _archive(session: Session, values: list[DataValue]) -> None:
    if values:
        now = utcnow()
        insert_rows(session, DataValueHistory.__table__,
                    [{**_history_row(value), "superseded_at": now} for value in values])


def write_values(
    session: Session, rows: Iterable[tuple[ValueKey, dict[str, Any]]]
) -> ValueChanges:
    """Write values by key: new keys are added, changed ones archived to history first, and
    identical ones left alone. The caller owns the transaction. Rows are inserted and archived
    in bulk, so a return of thousands of values is written in a few statements."""
    rows = [(key, _normalised(fields)) for key, fields in rows]
    current = _current_values(session, [key for key, _ in rows])
    changes = ValueChanges()
    now = utcnow()
    new: dict[ValueKey, dict[str, Any]] = {}
    replaced: list[tuple[DataValue, dict[str, Any]]] = []
    for key, fields in rows:
        existing = current.get(key)
        pending = new.get(key)
        if pending is not None:
            target = changes.changed if any(pending[n] != fields[n] for n in VALUE_FIELDS) \
                else changes.unchanged
            pending.update(fields)
            target.append(key)
            changes.after[key] = fields
        elif existing is None:
            indicator_id, entity_id, period, disaggregation = key
            new[key] = {"indicator_id": indicator_id, "entity_id": entity_id, "period": period,
                        "period_end": _period_end(period), "disaggregation": disaggregation,
                        "created_at": now, "updated_at": now, **fields}
            changes.added.append(key)
            changes.after[key] = fields
        elif _differs(existing, fields):
            replaced.append((existing, fields))
            changes.before[key] = {name: getattr(existing, name) for name in VALUE_FIELDS}
            changes.after[key] = fields
            changes.changed.append(key)
        else:
            changes.unchanged.append(key)
    _archive(session, [existing for existing, _ in replaced])
    for existing, fields in replaced:
        for name, content in fields.items():
            setattr(existing, name, content)
        existing.updated_at = now
    insert_rows(session, DataValue.__table__, list(new.values()))
    session.flush()
    _mark(session, [*changes.added, *changes.changed])
    return changes


@lru_cache(maxsize=1024)
def _period_end(period: str) -> dt.date:
    """The last day of a period code (parsed once per code: an import repeats a few)."""
    return parse_period(period).end


def _mark(session: Session, keys: Iterable[ValueKey]) -> None:
    """The national series of these keys are to be recomputed (`indicators.aggregates`)."""
    aggregates.mark(session, {(key.indicator_id, key.period) for key in keys})


PROVENANCE = ("return_id", "source_sheet", "source_cell")


def credit_repeated(session: Session, rows: dict[ValueKey, dict[str, Any]],
                    repeated: Iterable[ValueKey]) -> int:
    """Values a later write repeats unchanged (`repeated`, keys of `rows`) take its provenance
    (return, sheet, cell); the earlier provenance is kept in history, so what each return brought
    stays readable. Returns how many."""
    current = _current_values(session, list(repeated))
    _archive(session, list(current.values()))
    now = utcnow()
    for key, value in current.items():
        for name in PROVENANCE:
            setattr(value, name, rows[key][name])
        value.updated_at = now
    session.flush()
    _mark(session, current)
    return len(current)


def record_value(session: Session, key: ValueKey, **fields: Any) -> ValueChanges:
    """Write one value (see `write_values`)."""
    return write_values(session, [(key, fields)])


def _current_values(session: Session, keys: list[ValueKey]) -> dict[ValueKey, DataValue]:
    """The current values of `keys`, read in as few queries as their shape allows: per entity
    and period (a return: one of each, many indicators) or per indicator (a bulk import: few
    indicators, many entities and periods)."""
    wanted = set(keys)
    places = [(key.entity_id, key.period) for key in wanted]
    indicator_ids = [key.indicator_id for key in wanted]
    if len(set(places)) <= len(set(indicator_ids)):
        conditions = [and_(DataValue.entity_id == entity_id, DataValue.period == period,
                           DataValue.indicator_id.in_(indicators))
                      for (entity_id, period), indicators in _grouped(places, indicator_ids)]
    else:
        conditions = [and_(DataValue.indicator_id == indicator_id,
                           DataValue.entity_id.in_({entity for entity, _period in where}),
                           DataValue.period.in_({period for _entity, period in where}))
                      for indicator_id, where in _grouped(indicator_ids, places)]
    found: dict[ValueKey, DataValue] = {}
    for condition in conditions:
        for value in session.scalars(select(DataValue).where(condition)):
            if _key_of(value) in wanted:
                found[_key_of(value)] = value
    return found


def _grouped(groups: list[Any], members: list[Any]) -> Iterable[tuple[Any, set[Any]]]:
    """Each distinct group and the set of its members (`members[i]` belongs to `groups[i]`)."""
    found: dict[Any, set[Any]] = {}
    for group, member in zip(groups, members, strict=True):
        found.setdefault(group, set()).add(member)
    return found.items()


def _key_of(value: DataValue) -> ValueKey:
    return ValueKey(value.indicator_id, value.entity_id, value.period, value.disaggregation)


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


def retire_values(session: Session, values: Iterable[DataValue]) -> int:
    """Move values to history and remove them from the current ones; returns how many."""
    values = list(values)
    _archive(session, values)
    _mark(session, map(_key_of, values))
    for value in values:
        session.delete(value)
    session.flush()
    return len(values)
