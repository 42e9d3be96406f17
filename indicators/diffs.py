"""What a revision of a return changes: the one diff engine.

A revision's diff is computed once, when it is imported, against the values in force for its
entity and period (those of the revision in force before it), and stored on the return
(`Return.diff`); the coordinator's page, the review page and the API all show that diff.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from indicators.model import DataValue, Nature
from indicators.vocabulary import written_range

CONTENT_FIELDS = ("value", "level", "narrative", "evidence", "nature", "low", "high", "at_least",
                  "comment")
DEFAULTS = {"value": None, "level": None, "narrative": "", "evidence": "", "nature": "none",
            "low": None, "high": None, "at_least": False, "comment": ""}
ValueSlot = tuple[int, str]  # (indicator id, breakdown)


@dataclass(frozen=True)
class IncomingValue:
    """A value a revision brings: its indicator (id and code), breakdown, source cell
    (`Sheet!A1`) and content fields."""

    indicator_id: int
    indicator: str
    breakdown: str
    cell: str
    fields: Mapping[str, Any]

    @property
    def slot(self) -> ValueSlot:
        return self.indicator_id, self.breakdown


@dataclass
class Diff:
    """What a revision changes against the values in force before it: rows of indicator,
    breakdown, cell, before and after (as shown to people)."""

    added: list[dict[str, str]] = field(default_factory=list)
    changed: list[dict[str, str]] = field(default_factory=list)
    removed: list[dict[str, str]] = field(default_factory=list)
    against_revision: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"against_revision": self.against_revision, "added": self.added,
                "changed": self.changed, "removed": self.removed}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Diff:
        data = data or {}
        return cls(added=list(data.get("added", [])), changed=list(data.get("changed", [])),
                   removed=list(data.get("removed", [])),
                   against_revision=data.get("against_revision"))

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def revision_diff(incoming: Iterable[IncomingValue], current: Mapping[ValueSlot, DataValue],
                  against_revision: int | None,
                  left_empty: Mapping[ValueSlot, str] | None = None) -> Diff:
    """The diff of the `incoming` values of a revision against the values `current`ly in force
    of the rows its template asks (written by revision `against_revision`, None when there is
    none); a value in force whose row the revision left empty (`left_empty`, the row's cell) is
    removed."""
    diff = Diff(against_revision=against_revision)
    seen = set()
    for item in incoming:
        slot = item.slot
        seen.add(slot)
        before = current.get(slot)
        if before is None:
            diff.added.append(_entry(item, ""))
        elif not same_content(before, item.fields):
            diff.changed.append(_entry(item, shown(fields_of(before))))
    for slot, value in current.items():
        if slot not in seen:
            diff.removed.append({"indicator": value.indicator.code, "breakdown": slot[1],
                                 "cell": (left_empty or {}).get(slot) or _source_of(value),
                                 "before": shown(fields_of(value)), "after": ""})
    return diff


def _entry(item: IncomingValue, before: str) -> dict[str, str]:
    return {"indicator": item.indicator, "breakdown": item.breakdown, "cell": item.cell,
            "after": shown(item.fields), "before": before}


def _source_of(value: DataValue) -> str:
    return f"{value.source_sheet}!{value.source_cell}" if value.source_cell else ""


def fields_of(value: DataValue) -> dict[str, Any]:
    """The content fields of a stored value."""
    return {name: getattr(value, name) for name in CONTENT_FIELDS}


def shown_stored(value: DataValue) -> str:
    """A stored value as the diff shows it (see `shown`)."""
    return shown(fields_of(value))


def shown(fields: Mapping[str, Any]) -> str:
    """A value as the diff shows it, the way people write it: the number (or level), its range,
    then its nature in words in brackets (`2,586,150`, `470 [460–480]`, `≥ 2,000`,
    `45.5 (estimated)`, `(not available)`)."""
    number = fields.get("value")
    if number is None:
        number = fields.get("level")
    written = "" if number is None else written_range(number, fields.get("low"),
                                                      fields.get("high"),
                                                      bool(fields.get("at_least")))
    nature = fields.get("nature") or Nature.NONE
    if nature == Nature.NONE:
        return written
    return " ".join(part for part in (written, f"({Nature(nature).label})") if part)


def same_content(current: DataValue, fields: Mapping[str, Any]) -> bool:
    """Whether `fields` say what the stored value says (numbers compared as numbers)."""
    for name in CONTENT_FIELDS:
        new = fields.get(name, DEFAULTS[name])
        old = getattr(current, name)
        if name in ("value", "level", "low", "high") and new is not None and old is not None:
            if float(new) != float(old):
                return False
        elif str(new if new is not None else "") != str(old if old is not None else ""):
            return False
    return True
