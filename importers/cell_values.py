"""Reading what people type into a return's cells: `1,234`, `1 234`, `45%`, `<5`, `N/A`, `-`,
trailing spaces, a nature word, a level as `2`, `2 – in progress` or `in progress`."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from importers.return_form import NATURE_WORDS
from indicators.model import Nature, QualitativeScale

NOT_AVAILABLE_WORDS = {"n/a", "na", "-", "–", "—", "..", "not available", "n.a."}
SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
SUPPRESSED = re.compile(r"^<\s*\d+([.,]\d+)?$")
LEVEL_PREFIX = re.compile(r"^(-?\d{1,9})(\s*[–—:-].*)?$")


@dataclass(frozen=True)
class Reading:
    """What a value cell says: a number, a nature implied by the text, or nothing readable."""

    value: float | None = None
    nature: Nature | None = None
    note: str = ""
    empty: bool = False
    invalid: bool = False


EMPTY = Reading(empty=True)
INVALID = Reading(invalid=True)


def cell_text(raw: Any) -> str:
    """The cell as trimmed text ("" for an empty cell); whole floats lose their `.0`."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime | dt.date):
        return raw.isoformat()
    return SPACES.sub(" ", str(raw)).strip()


def read_number(raw: Any) -> Reading:
    """A number cell: Excel numbers as they are; text with thousands separators, a percent sign,
    `<5` (suppressed), `N/A` or `-` (not available)."""
    if isinstance(raw, bool):
        return Reading(value=float(raw))
    if isinstance(raw, int | float):
        return Reading(value=float(raw))
    text = cell_text(raw)
    if not text:
        return EMPTY
    lowered = text.lower()
    if lowered in NOT_AVAILABLE_WORDS:
        return Reading(nature=Nature.NOT_AVAILABLE)
    if SUPPRESSED.match(text):
        return Reading(nature=Nature.SUPPRESSED, note=text.replace(" ", ""))
    if lowered in ("yes", "no"):
        return Reading(value=1.0 if lowered == "yes" else 0.0)
    return _number_from_text(text)


def _number_from_text(text: str) -> Reading:
    compact = text.replace(" ", "").rstrip("%").strip()
    if GROUPED.match(compact):
        compact = compact.replace(",", "")
    elif DECIMAL_COMMA.match(compact):
        compact = compact.replace(",", ".")
    try:
        value = float(compact)
    except ValueError:
        return INVALID
    if not math.isfinite(value):
        return INVALID
    return Reading(value=value)


def read_nature(raw: Any) -> tuple[Nature, bool]:
    """The nature a cell names, and whether it was readable (an empty cell is no nature)."""
    text = cell_text(raw).lower().replace("_", " ")
    if not text:
        return Nature.NONE, True
    if text in NOT_AVAILABLE_WORDS:
        return Nature.NOT_AVAILABLE, True
    nature = NATURE_WORDS.get(text) or Nature._value2member_map_.get(text.replace(" ", "_"))
    return (nature, True) if nature else (Nature.NONE, False)


def read_level(raw: Any, scale: QualitativeScale | None) -> tuple[int | None, bool]:
    """The level a cell names on `scale` (as `2`, `2 – in progress` or `in progress`), and
    whether it is on the scale; an empty cell gives (None, True)."""
    text = cell_text(raw)
    if not text:
        return None, True
    levels = {level.level: level.label.lower() for level in (scale.levels if scale else [])}
    match = LEVEL_PREFIX.match(text)
    if match:
        level = int(match.group(1))
        return level, level in levels
    by_label = {label: level for level, label in levels.items()}
    level = by_label.get(text.lower())
    return level, level is not None
