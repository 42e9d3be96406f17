"""Checking what a return says about a value besides its number: its nature and its range.

A quantitative row may give a range (Low and High around the value, the best estimate) or mark
the value a lower bound ("at least"). The rules: both ends or none; low ≤ value ≤ high; a lower
bound has no high end; a range needs its value; a reason for a missing figure (not available,
not collected because of the crisis ...) comes with no value. Each broken rule is a problem of
the catalogue naming its cell; `return_checks` calls `range_fields` for every row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from importers.cell_values import cell_text, read_number
from importers.return_form import AT_LEAST_WORDS, Q_AT_LEAST, Q_HIGH, Q_LOW, Q_NATURE, Q_VALUE
from indicators import problems
from indicators.i18n import _
from indicators.problems import ProblemReport
from indicators.vocabulary import Nature, written_number

Place = Callable[[int], dict[str, str]]
"""Where a cell of the row is, by column: sheet, cell, indicator, breakdown."""
NO_RANGE: dict[str, Any] = {"low": None, "high": None, "at_least": False}
RANGE_COLUMNS = (Q_LOW, Q_HIGH, Q_AT_LEAST)
EMPTY_CELLS = ("", None)
"""How the reader gives an empty cell."""


def range_fields(report: ProblemReport, cell_of: Callable[[int], Any], value: float | None,
                 nature: Nature, place: Place, left_empty: bool) -> dict[str, Any]:
    """The low, high and "at least" of a row (`cell_of(column)` its cells; `left_empty` when
    its value cell was), each broken rule reported; a lower bound is stored as its low end. A
    row whose range cells are all empty gives no range (the common case, told at once)."""
    if not nature.missing and all(cell_of(column) in EMPTY_CELLS for column in RANGE_COLUMNS):
        return NO_RANGE
    if nature.missing and value is not None:
        report.add(problems.MissingReasonWithValue, found=written_number(value),
                   nature=nature.label, **place(Q_NATURE))
    low, high = (_end(report, cell_of(column), column, place) for column in (Q_LOW, Q_HIGH))
    at_least = _at_least(report, cell_of(Q_AT_LEAST), place)
    if low is None and high is None and not at_least:
        return NO_RANGE
    if value is None:
        if left_empty and not nature.missing:
            report.add(problems.RangeWithoutValue, **place(Q_VALUE))
        return NO_RANGE
    if at_least:
        return _lower_bound(report, value, low, high, place)
    return _range(report, value, low, high, place)


def _end(report: ProblemReport, raw: Any, column: int, place: Place) -> float | None:
    reading = read_number(raw)
    if reading.empty:
        return None
    if reading.value is None or isinstance(raw, bool):
        report.add(problems.RangeNotANumber, found=cell_text(raw),
                   end=_("low") if column == Q_LOW else _("high"), **place(column))
        return None
    return reading.value


def _at_least(report: ProblemReport, raw: Any, place: Place) -> bool:
    text = cell_text(raw).lower()
    if text and text not in AT_LEAST_WORDS:
        report.add(problems.UnknownAtLeast, found=cell_text(raw), **place(Q_AT_LEAST))
    return text in AT_LEAST_WORDS


def _lower_bound(report: ProblemReport, value: float, low: float | None, high: float | None,
                 place: Place) -> dict[str, Any]:
    """"At least" the value: no high end; a low end typed as well must not exceed the value."""
    if high is not None:
        report.add(problems.LowerBoundWithHigh, found=written_number(high), **place(Q_HIGH))
    if low is not None and low > value:
        report.add(problems.ValueOutsideRange, found=written_number(value),
                   low=written_number(low), high="…", **place(Q_VALUE))
    return {"low": value if low is None else low, "high": None, "at_least": True}


def _range(report: ProblemReport, value: float, low: float | None, high: float | None,
           place: Place) -> dict[str, Any]:
    if low is None or high is None:
        report.add(problems.RangeIncomplete, **place(Q_LOW if low is None else Q_HIGH))
        return NO_RANGE
    if low > high:
        report.add(problems.RangeReversed, found=written_number(low), high=written_number(high),
                   **place(Q_LOW))
        return NO_RANGE
    if not low <= value <= high:
        report.add(problems.ValueOutsideRange, found=written_number(value),
                   low=written_number(low), high=written_number(high), **place(Q_VALUE))
    return {"low": low, "high": high, "at_least": False}
