"""Validating every cell of a return and collecting all problems, not only the first.

Each problem is an entry of the catalogue (`indicators.problems`): an error means nothing is
imported; the warnings (outlier against the series' own history, jump from the previous period,
breakdown below its total, estimated value) let the return in all the same.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from statistics import median
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from importers.cell_values import cell_text, read_level, read_nature
from importers.nature_checks import range_fields
from importers.return_form import (
    L_CODE,
    L_COMMENT,
    L_EVIDENCE,
    L_LEVEL,
    L_NARRATIVE,
    L_NATURE,
    NATURE_WORDS,
    Q_CODE,
    Q_COMMENT,
    Q_KEY,
    Q_NATURE,
    Q_VALUE,
    QUALITATIVE,
    QUANTITATIVE,
    PastValue,
    ReturnForm,
    previous_of,
)
from importers.share_check import return_shares
from importers.value_rules import first_failures, read_values
from importers.workbook import SafeWorkbook
from indicators import problems
from indicators.breakdown import inconsistent_totals
from indicators.diffs import ValueSlot, shown_stored
from indicators.disaggregation import TOTAL, DisaggregationError, canonical_key, parse_key
from indicators.model import DataValue, Indicator, Nature, Unit
from indicators.problems import ProblemReport
from indicators.quality import is_unusual
from indicators.vocabulary import written_number

EMPTY_ALLOWED = {nature for nature in Nature if nature.missing}
JUMP_RATIO = 0.5
JUMP_MIN_CHANGE = 5.0


@dataclass
class CheckedValue:
    """A value ready to write, with the cell it came from."""

    indicator: Indicator
    breakdown: str
    sheet: str
    cell: str
    fields: dict[str, Any]


@dataclass
class CheckedReturn:
    """The outcome of validating a return: its values and every problem found."""

    values: list[CheckedValue] = field(default_factory=list)
    report: ProblemReport = field(default_factory=ProblemReport)
    left_empty: dict[ValueSlot, str] = field(default_factory=dict)
    """The breakdown categories left empty (they bring no value), with their cell `Sheet!H14`."""


class _Where(NamedTuple):
    sheet: str
    row: int
    indicator: str
    breakdown: str = ""

    def cell(self, column: int) -> str:
        """The cell's reference in this row, e.g. `H14`."""
        return f"{get_column_letter(column)}{self.row}"

    def at(self, column: int) -> dict[str, str]:
        return {"sheet": self.sheet, "cell": self.cell(column), "indicator": self.indicator,
                "breakdown": self.breakdown}


def _get(row: list[Any], column: int) -> Any:
    return row[column - 1] if len(row) >= column else ""


def _text_of(raw: Any) -> str:
    """`cell_text`, without its work for the empty cells most rows have."""
    return "" if raw == "" or raw is None else cell_text(raw)


def check_return(workbook: SafeWorkbook, form: ReturnForm,
                 history: dict[tuple[int, str], list[PastValue]],
                 in_force: Mapping[ValueSlot, DataValue] | None = None) -> CheckedReturn:
    """Validate the filled-in template against `form`; `history` feeds the warnings and the
    values `in_force` for the form's rows tell an emptied cell from one never filled."""
    checked = CheckedReturn()
    if form.quantitative:
        _QuantitativeCheck(workbook, form, checked, in_force or {}, history).run()
    if form.qualitative:
        _QualitativeCheck(workbook, form, checked, in_force or {}).run()
    return checked


class _SheetCheck:
    sheet_name = ""
    code_column = 1

    def __init__(self, workbook: SafeWorkbook, form: ReturnForm, checked: CheckedReturn,
                 in_force: Mapping[ValueSlot, DataValue]):
        self.workbook, self.form, self.checked = workbook, form, checked
        self.report = checked.report
        self.in_force = in_force

    def held(self, indicator: Indicator, breakdown: str) -> str:
        """The value in force of a row as people read it, or "" when it holds none."""
        value = self.in_force.get((indicator.id, breakdown))
        if value is None or (value.value is None and value.level is None):
            return ""
        return shown_stored(value)

    def emptied(self, indicator: Indicator, where: _Where, column: int) -> bool:
        """Whether an empty required cell without a nature held a value (then reported as
        emptied)."""
        before = self.held(indicator, where.breakdown)
        if before:
            self.report.add(problems.ValueEmptied, before=before, **where.at(column))
        return bool(before)

    def data_rows(self, expected: dict[tuple[str, str], Any],
                  key_of: Any) -> Iterator[tuple[int, list[Any], Any, _Where]]:
        """Each filled row matched to what it answers; unknown, duplicate and missing rows
        are reported. Blank rows and section titles (no code) are skipped."""
        if self.sheet_name not in self.workbook.sheet_names:
            self.report.add(problems.MissingSheet, sheet=self.sheet_name)
            return
        self.formulas = self.workbook.formula_cells(self.sheet_name)
        seen: set[tuple[str, str]] = set()
        for index, row in enumerate(self.workbook.rows(self.sheet_name)[1:], start=2):
            code = cell_text(_get(row, self.code_column))
            if not code:
                continue
            key = key_of(code, row)
            where = _Where(self.sheet_name, index, code, key[1])
            if key not in expected:
                self.report.add(problems.UnknownRow, row=index, code=code, found=code,
                                **where.at(self.code_column))
            elif key in seen:
                self.report.add(problems.DuplicateRow, row=index, code=code, found=code,
                                **where.at(self.code_column))
            else:
                seen.add(key)
                yield index, row, expected[key], where
        for code, breakdown in expected.keys() - seen:
            self.report.add(problems.MissingRow, code=code, sheet=self.sheet_name,
                            indicator=code, breakdown=breakdown)

    def raw(self, row: list[Any], column: int, where: _Where) -> tuple[Any, bool]:
        """The cell's value and whether it is usable (a formula Excel never computed is not)."""
        value = _get(row, column)
        reference = where.cell(column)
        if reference in self.formulas and cell_text(value) == "":
            self.report.add(problems.FormulaWithoutValue, found=self.formulas[reference],
                            **where.at(column))
            return value, False
        return value, True

    def nature(self, row: list[Any], column: int, where: _Where) -> Nature:
        raw = _get(row, column)
        if raw == "" or raw is None:
            return Nature.NONE
        nature, readable = read_nature(raw)
        if not readable:
            self.report.add(problems.UnknownNature, found=cell_text(raw),
                            expected=", ".join(NATURE_WORDS), **where.at(column))
        return nature


class _QuantitativeCheck(_SheetCheck):
    sheet_name = QUANTITATIVE
    code_column = Q_CODE

    def __init__(self, workbook, form, checked, in_force, history):
        super().__init__(workbook, form, checked, in_force)
        self.history = history
        self.parts: list[tuple[int, str, float | None]] = []
        self.part_cells: dict[tuple[int, str], _Where] = {}

    def run(self) -> None:
        expected = {(row.indicator.code, row.breakdown): row for row in self.form.quantitative}
        def key_of(code: str, row: list[Any]) -> tuple[str, str]:
            text = cell_text(_get(row, Q_KEY))
            return (code, text) if (code, text) in expected else (code, _canonical(text))

        rows = list(self.data_rows(expected, key_of))
        self.percent_cells = self.cells_typed_as_percent(rows)
        cells = self.read_cells(rows)
        values = self.judge_values(rows, cells)
        readings = zip(*(cells[name].to_numpy() for name in ("usable", "empty", "nature", "note")),
                       strict=True)
        for (_index, row, item, where), value, reading in zip(rows, values, readings,
                                                               strict=True):
            self.check_row(row, item.indicator, where, value, reading)
        self.check_breakdowns()

    def cells_typed_as_percent(self, rows: list) -> set[str]:
        """Value cells of percent indicators that Excel holds as a fraction because `45%` was
        typed into them (shown with a percent format): they are read as 45, not 0.45."""
        candidates = {where.cell(Q_VALUE)
                      for _index, row, item, where in rows
                      if item.indicator.unit is Unit.PERCENT
                      and isinstance(_get(row, Q_VALUE), float) and 0 < _get(row, Q_VALUE) <= 1}
        formats = self.workbook.number_formats(QUANTITATIVE, candidates)
        return {cell for cell, number_format in formats.items() if "%" in number_format}

    def read_cells(self, rows: list) -> pd.DataFrame:
        """The value cells of `rows` read at once (`importers.value_rules.read_values`), with
        their unit and whether each is usable (a formula Excel never computed is not); a
        percentage typed as `45%` reads 45."""
        cells = read_values([_get(row, Q_VALUE) for _index, row, _item, _where in rows])
        cells["unit"] = [item.indicator.unit for _index, _row, item, _where in rows]
        cells["usable"] = [self.raw(row, Q_VALUE, where)[1] if self.formulas else True
                           for _index, row, _item, where in rows]
        if self.percent_cells:
            typed = [where.cell(Q_VALUE) in self.percent_cells
                     for _index, _row, _item, where in rows]
            cells.loc[typed, "number"] *= 100
        return cells

    def judge_values(self, rows: list, cells: pd.DataFrame) -> list[float | None]:
        """Each usable cell judged by the rules of `importers.value_rules` (a message for each
        cell that fails one); the value of each row, None where there is none to take."""
        usable = cells["usable"].to_numpy(dtype=bool)
        taken = usable & ~np.isnan(cells["number"].to_numpy())
        for kind, positions in first_failures(cells, usable):
            taken[positions] = False
            for position in positions:
                _index, row, item, where = rows[position]
                self.report.add(kind, **self.value_fields(kind, _get(row, Q_VALUE),
                                                          item.indicator.unit), **where.at(Q_VALUE))
        return [float(number) if take else None
                for number, take in zip(cells["number"].to_numpy(), taken, strict=True)]

    @staticmethod
    def value_fields(kind: type[problems.ProblemType], raw: Any, unit: Unit) -> dict[str, str]:
        """What the message of a value rule names: the cell as found (and for a number beyond
        its unit's range, the unit and the largest it takes)."""
        found = cell_text(raw)
        if kind is problems.LogicalValue:
            return {"found": found.upper()}
        if kind is problems.ImplausiblyLarge:
            return {"found": found, "unit": unit.label, "largest": written_number(unit.largest)}
        return {"found": found}

    def check_row(self, row: list[Any], indicator: Indicator, where: _Where,
                  value: float | None,
                  reading: tuple[bool, bool, Nature | None, str]) -> None:
        """The row's nature, range, comment, emptied or required cell, warnings, and its value
        (`reading`: whether the value cell is usable, empty, the nature and note its text
        implies)."""
        usable, empty, implied, note = reading
        breakdown = where.breakdown
        nature = self.nature(row, Q_NATURE, where)
        comment = _text_of(_get(row, Q_COMMENT))
        if usable and empty and nature not in EMPTY_ALLOWED and breakdown == TOTAL:
            if not self.emptied(indicator, where, Q_VALUE):
                self.report.add(problems.RequiredEmpty, **where.at(Q_VALUE))
        nature = implied or nature
        if note:
            comment = "; ".join(part for part in (note, comment) if part)
        self.record_part(indicator, breakdown, value, where)
        if usable and empty and nature is Nature.NONE and breakdown != TOTAL:
            self.category_left_empty(indicator, where)
            return
        bounds = range_fields(self.report, lambda column: _get(row, column), value, nature,
                              where.at, empty)
        self.checked.values.append(CheckedValue(
            indicator, breakdown, QUANTITATIVE, where.cell(Q_VALUE),
            {"value": value, "nature": nature, "comment": comment, **bounds}))
        if value is not None:
            self.history_warnings(indicator, breakdown, value, where)
        if nature is Nature.ESTIMATED:
            self.report.add(problems.Estimated, found=cell_text(_get(row, Q_VALUE)),
                            **where.at(Q_VALUE))

    def category_left_empty(self, indicator: Indicator, where: _Where) -> None:
        """A breakdown category is optional: left empty it brings no value, and when it held
        one the coordinator is warned that the value goes."""
        self.checked.left_empty[indicator.id, where.breakdown] = \
            f"{where.sheet}!{where.cell(Q_VALUE)}"
        before = self.held(indicator, where.breakdown)
        if before:
            self.report.add(problems.CategoryEmptied, before=before, **where.at(Q_VALUE))

    def record_part(self, indicator: Indicator, breakdown: str, value: float | None,
                    where: _Where) -> None:
        if not indicator.unit.additive:
            return
        self.parts.append((indicator.id, breakdown, value))
        self.part_cells[indicator.id, breakdown] = where

    def check_breakdowns(self) -> None:
        frame = pd.DataFrame(self.parts, columns=["indicator_id", "disaggregation", "value"])
        for found in inconsistent_totals(frame).itertuples(index=False):
            self.report_breakdown(found, self.part_cells[found.indicator_id, TOTAL])
        self.share_warnings()

    def share_warnings(self) -> None:
        """A count's category whose share of the total departs from its history warns (an
        indicator without earlier values has no usual shares to depart from)."""
        earlier = {indicator_id for indicator_id, _breakdown in self.history}
        rows = {(row.indicator.id, row.breakdown): row for row in self.form.quantitative
                if row.indicator.id in earlier and row.indicator.unit is Unit.COUNT}
        if not rows:
            return
        for found in return_shares(self.form, [part for part in self.parts if part[:2] in rows],
                                   self.history):
            slot = found["indicator"], found["disaggregation"]
            self.report.add(problems.UnusualShare, category=rows[slot].label,
                            found=f"{found['share']:.0%}", total=written_number(found["total"]),
                            usual=f"{found['usual']:.0%}", **self.part_cells[slot].at(Q_VALUE))

    def report_breakdown(self, found: Any, where: _Where) -> None:
        """A breakdown above its total marks the total and every category cell given, each
        with the sum and the total; one below it (complete) warns on the total."""
        parts, total = found.breakdown_sum, found.total
        numbers = {"sum": written_number(parts), "total": written_number(total),
                   "dimension": found.dimension, "found": written_number(parts)}
        if found.exceeds:
            for cell in [where, *self.category_cells(found.indicator_id, found.dimension)]:
                self.report.add(problems.BreakdownExceedsTotal, **numbers, **cell.at(Q_VALUE))
        else:
            self.report.add(problems.BreakdownBelowTotal, expected=written_number(total),
                            **numbers, **where.at(Q_VALUE))

    def category_cells(self, indicator_id: int, dimension: str) -> list[_Where]:
        """Where the categories of `dimension` that carry a value were read."""
        return [self.part_cells[indicator_id, breakdown]
                for found_id, breakdown, value in self.parts
                if found_id == indicator_id and value is not None and breakdown != TOTAL
                and list(parse_key(breakdown)) == [dimension]]

    def history_warnings(self, indicator: Indicator, breakdown: str, value: float,
                         where: _Where) -> None:
        past = self.history.get((indicator.id, breakdown))
        if not past:
            return
        series = [item.value for item in past if item.value is not None]
        if is_unusual(value, series, indicator.unit is Unit.COUNT):
            self.report.add(problems.Outlier, found=written_number(value),
                            median=written_number(median(series)), **where.at(Q_VALUE))
        previous = previous_of(past, self.form)
        if previous is not None and previous.value:
            change = abs(value - previous.value)
            if change >= JUMP_MIN_CHANGE and change > JUMP_RATIO * abs(previous.value):
                self.report.add(problems.Jump, found=written_number(value),
                                previous=written_number(previous.value), period=previous.period,
                                **where.at(Q_VALUE))


def _canonical(text: str) -> str:
    try:
        return canonical_key(text)
    except DisaggregationError:
        return text


class _QualitativeCheck(_SheetCheck):
    sheet_name = QUALITATIVE
    code_column = L_CODE

    def run(self) -> None:
        expected = {(indicator.code, TOTAL): indicator for indicator in self.form.qualitative}
        for _index, row, indicator, where in self.data_rows(expected, lambda code, _row:
                                                             (code, TOTAL)):
            self.check_row(row, indicator, where)

    def check_row(self, row: list[Any], indicator: Indicator, where: _Where) -> None:
        raw, usable = self.raw(row, L_LEVEL, where)
        narrative, narrative_usable = self.raw(row, L_NARRATIVE, where)
        nature = self.nature(row, L_NATURE, where)
        level, on_scale = read_level(raw, indicator.scale) if usable else (None, True)
        found = cell_text(raw)
        if not on_scale:
            self.report.add(problems.LevelNotOnScale, found=found,
                            expected=", ".join(str(item.level) for item in indicator.scale.levels)
                            if indicator.scale else "", **where.at(L_LEVEL))
            level = None
        elif level is None and usable and nature not in EMPTY_ALLOWED:
            if not self.emptied(indicator, where, L_LEVEL):
                self.report.add(problems.LevelEmpty, **where.at(L_LEVEL))
        if level is not None and narrative_usable and not cell_text(narrative):
            self.report.add(problems.NarrativeMissing, **where.at(L_NARRATIVE))
        self.checked.values.append(CheckedValue(
            indicator, TOTAL, QUALITATIVE, where.cell(L_LEVEL),
            {"level": level, "narrative": cell_text(narrative),
             "evidence": cell_text(_get(row, L_EVIDENCE)), "nature": nature,
             "comment": cell_text(_get(row, L_COMMENT))}))
