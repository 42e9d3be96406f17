"""One compilation of a report: its sections of rows and its charts, from which every format
(xlsx, html, json) is rendered, so that they never disagree."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from indicators.i18n import _
from indicators.vocabulary import VOCABULARY, Term
from reports.model import ReportKind

TEXT, NUMBER, PERCENT, DATE, STATUS = "text", "number", "percent", "date", "status"


@dataclass(frozen=True)
class Column:
    """A column of a section: the key of its value in each row, its heading and its kind."""

    key: str
    label: str
    kind: str = TEXT


@dataclass
class Chart:
    """A chart of a section: bars (optionally stacked) or lines, one series per name."""

    kind: str
    title: str
    categories: list[str]
    series: dict[str, list[float | None]]
    stacked: bool = False
    colours: dict[str, str] = field(default_factory=dict, metadata={"doc": "series → RRGGBB"})
    source_row: int | None = field(default=None, metadata={
        "doc": "the index of the section's row it draws (its columns after the first)"})


@dataclass
class Section:
    """A titled table of rows (one sheet in xlsx, one table in html) with its charts."""

    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str = ""
    charts: list[Chart] = field(default_factory=list)
    sheet: str = ""

    @property
    def sheet_title(self) -> str:
        """The short name of the section's sheet in a workbook."""
        return self.sheet or self.title


@dataclass
class Compilation:
    """A report compiled for a strategy and period, as of a day."""

    kind: ReportKind
    strategy_code: str
    strategy_title: str
    period: str
    as_of: dt.date
    sections: list[Section]
    returns_used: list[dict[str, int]] = field(default_factory=list)
    preliminary: bool = False
    narratives: dict[str, dict[str, str]] = field(default_factory=dict, metadata={
        "doc": "an evaluator's words: {'principles': {name: text}, 'indicators': {code: text}}"})

    def narrative(self, about: str, key: str) -> str:
        """The evaluator's narrative on a principle or an indicator ("" when none)."""
        return self.narratives.get(about, {}).get(key, "")

    @property
    def title(self) -> str:
        if self.kind is ReportKind.PROGRESS:
            title = _("Progress report %(period)s", period=self.period)
        else:
            title = _("Gap report %(period)s", period=self.period)
        return f"{title} — {self.preliminary_note}" if self.preliminary else title

    @property
    def preliminary_note(self) -> str:
        """What every page of a preliminary report says of itself."""
        return _("PRELIMINARY: includes submitted figures not yet approved; not for "
                 "circulation")

    def section(self, key: str) -> Section:
        """The section with `key`."""
        return next(section for section in self.sections if section.key == key)

    def to_json(self) -> dict[str, Any]:
        """The whole compilation as plain data (the figures the API serves): a member of the
        vocabulary as its code, with its words beside it under `<key>_label`."""
        return {
            "kind": self.kind.value,
            "strategy": self.strategy_code,
            "strategy_title": self.strategy_title,
            "period": self.period,
            "as_of": self.as_of.isoformat(),
            "returns_used": self.returns_used,
            "preliminary": self.preliminary,
            "narratives": self.narratives,
            "sections": [
                {"key": section.key, "title": section.title, "note": section.note,
                 "sheet": section.sheet,
                 "columns": [asdict(column) for column in section.columns],
                 "rows": [_with_labels(row) for row in section.rows],
                 "charts": [asdict(chart) for chart in section.charts]}
                for section in self.sections
            ],
        }


def from_json(data: dict[str, Any]) -> Compilation:
    """The compilation whose `to_json` gave `data`: the figures of a kept version, to render
    again (with an evaluator's narratives) without compiling anew."""
    return Compilation(
        kind=ReportKind(data["kind"]), strategy_code=data["strategy"],
        strategy_title=data["strategy_title"], period=data["period"],
        as_of=dt.date.fromisoformat(data["as_of"]), returns_used=data["returns_used"],
        narratives=data.get("narratives", {}), preliminary=data.get("preliminary", False),
        sections=[Section(section["key"], section["title"],
                          [Column(**column) for column in section["columns"]],
                          [_with_members(row) for row in section["rows"]], section["note"],
                          [Chart(**chart) for chart in section["charts"]],
                          section.get("sheet", ""))
                  for section in data["sections"]])


def _with_members(row: dict[str, Any]) -> dict[str, Any]:
    """A row of `to_json` with its members of the vocabulary back in place of their codes
    (and their `<key>_label` words left out)."""
    return {key: _member(value, row[f"{key}_label"]) if _holds_member(row, key) else value
            for key, value in row.items()
            if not (key.endswith("_label") and _holds_member(row, key.removesuffix("_label")))}


def _holds_member(row: dict[str, Any], key: str) -> bool:
    value = row.get(key)
    return isinstance(value, str) and f"{key}_label" in row and any(
        value in vocabulary._value2member_map_ for vocabulary in VOCABULARY)


def _member(code: str, label: str) -> Term:
    """The member of the vocabulary with `code` (the one also written `label` when codes of
    several enumerations coincide)."""
    found = [member for vocabulary in VOCABULARY for member in vocabulary if member.value == code]
    return next((member for member in found if member.label == label), found[0])


def _with_labels(row: dict[str, Any]) -> dict[str, Any]:
    return row | {f"{key}_label": value.label for key, value in row.items()
                  if isinstance(value, Term)}


def as_json(value: Any) -> Any:
    """`json.dumps` default: dates as ISO text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def finite(value: Any) -> Any:
    """`value` with every number that is not finite (NaN, infinity) as None, so that its JSON
    is valid for any strict reader."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value
