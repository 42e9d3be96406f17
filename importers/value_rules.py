"""The rules a return's value cells are checked by, each over a whole column at once.

A sheet's value cells are read into a frame, one row per cell (`read_values`): the number read
(NaN when none), whether the cell was empty, unreadable, a logical TRUE/FALSE, and the nature its
text implies. Each rule is a function of that frame giving the rows it fails (a boolean mask);
`importers.return_checks` writes a message only for those rows. A new rule is one more
function in `VALUE_RULES` (or `UNIT_RULES` for a rule of one unit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from importers.cell_values import read_number
from indicators import problems
from indicators.model import Unit

Mask = Callable[[Any], Any]  # numbers (an array or one float) -> whether each fails

UNIT_RULES: tuple[tuple[type[problems.ProblemType], Unit, Mask], ...] = (
    (problems.NegativeCount, Unit.COUNT, lambda numbers: numbers < 0),
    (problems.FractionInCount, Unit.COUNT, lambda numbers: numbers != np.floor(numbers)),
    (problems.PercentOutOfRange, Unit.PERCENT, lambda numbers: (numbers < 0) | (numbers > 100)),
    (problems.NotYesNo, Unit.YES_NO, lambda numbers: (numbers != 0) & (numbers != 1)),
)
"""The errors a number is for its unit, in the order they are told (a negative fractional count
is a negative count)."""


def unit_problem(value: float, unit: Unit) -> type[problems.ProblemType] | None:
    """The error a number is for its unit (a negative or fractional count, a percentage
    outside 0-100, a yes/no other than 0 or 1), or None."""
    return next((kind for kind, rule_unit, fails in UNIT_RULES
                 if rule_unit is unit and fails(value)), None)


def read_values(raws: Sequence[Any]) -> pd.DataFrame:
    """The value cells read: columns `number` (float, NaN when the cell gives none or one
    not finite), `not_finite`, `empty`, `invalid`, `logical` (TRUE or FALSE typed), `nature`
    (the nature the text implies, or None) and `note`. Numbers Excel holds are taken as they
    are; only other cells are read one by one (`importers.cell_values.read_number`)."""
    kinds = [type(raw) for raw in raws]
    plain = np.array([kind is float or kind is int for kind in kinds], dtype=bool)
    numbers = np.array([raw if is_plain else np.nan for raw, is_plain in zip(raws, plain,
                                                                            strict=True)],
                       dtype=float)
    columns: dict[str, Any] = {"empty": np.zeros(len(raws), dtype=bool),
                               "invalid": np.zeros(len(raws), dtype=bool),
                               "nature": np.full(len(raws), None, dtype=object),
                               "note": np.full(len(raws), "", dtype=object)}
    for position in np.flatnonzero(~plain):
        reading = read_number(raws[position])
        numbers[position] = np.nan if reading.value is None else reading.value
        columns["empty"][position], columns["invalid"][position] = reading.empty, reading.invalid
        columns["nature"][position], columns["note"][position] = reading.nature, reading.note
    not_finite = np.isinf(numbers) | (plain & np.isnan(numbers))
    numbers[not_finite] = np.nan
    return pd.DataFrame({"number": numbers, "not_finite": not_finite, **columns,
                         "logical": np.array([kind is bool for kind in kinds], dtype=bool)})


def logical_values(frame: pd.DataFrame) -> pd.Series:
    """TRUE or FALSE typed where a number is asked (yes/no indicators take them as 1 and 0)."""
    return frame["logical"] & (frame["unit"] != Unit.YES_NO)


def not_finite(frame: pd.DataFrame) -> pd.Series:
    return frame["not_finite"]


def not_a_number(frame: pd.DataFrame) -> pd.Series:
    return frame["invalid"]


def _unit_rule(unit: Unit, fails: Mask) -> Callable[[pd.DataFrame], pd.Series]:
    def rule(frame: pd.DataFrame) -> pd.Series:
        numbers = frame["number"].to_numpy()
        with np.errstate(invalid="ignore"):
            failing = np.isfinite(numbers) & fails(numbers)
        return (frame["unit"] == unit) & pd.Series(failing, index=frame.index)
    return rule


def implausibly_large(frame: pd.DataFrame) -> pd.Series:
    """Numbers beyond the largest plausible value of their unit (`Unit.largest`)."""
    largest = frame["unit"].map({unit: unit.largest for unit in Unit}).astype(float)
    return frame["number"].abs() > largest


Rule = Callable[[pd.DataFrame], pd.Series]
VALUE_RULES: tuple[tuple[type[problems.ProblemType], Rule], ...] = (
    (problems.LogicalValue, logical_values),
    (problems.NotFinite, not_finite),
    (problems.NotANumber, not_a_number),
    *((kind, _unit_rule(unit, fails)) for kind, unit, fails in UNIT_RULES),
    (problems.ImplausiblyLarge, implausibly_large),
)
"""Every rule of a value cell, in the order a cell is judged: a cell is told only the first it
fails, and its value is not taken. The frame holds `read_values`' columns and `unit`."""


def first_failures(frame: pd.DataFrame, judged: np.ndarray
                   ) -> list[tuple[type[problems.ProblemType], np.ndarray]]:
    """For each rule of `VALUE_RULES`, the positions of the rows among those `judged` whose
    first failed rule it is (in row order)."""
    passed = judged.copy()
    found = []
    for kind, rule in VALUE_RULES:
        failing = passed & rule(frame).to_numpy(dtype=bool)
        passed &= ~failing
        found.append((kind, np.flatnonzero(failing)))
    return found
