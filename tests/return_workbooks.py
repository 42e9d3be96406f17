"""A small purpose-built strategy for return tests, and filling a template as a person would."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from sqlalchemy.orm import Session

from importers.return_form import L_CODE, L_EVIDENCE, L_LEVEL, L_NARRATIVE, Q_CODE, Q_KEY
from indicators.framework import ensure_default_scale, ensure_dimensions
from indicators.model import (
    Dimension,
    Entity,
    Indicator,
    IndicatorDimension,
    Kind,
    Objective,
    Principle,
    Strategy,
)
from indicators.values import ValueKey, write_values

DIMENSIONS = {"sex": {"name": "Sex", "categories": {"female": "Female", "male": "Male",
                                                     "unknown": "Unknown"}},
              "age": {"name": "Age", "categories": {"0-17": "0-17", "18+": "18+"}}}
HISTORY = {"2025Q3": 100, "2025Q4": 104, "2026Q1": 98, "2026Q2": 102}


def build_small_strategy(session: Session) -> dict[str, int]:
    """Strategy SMALL: agency AG reports C1 (count by sex), P1 (percent), Y1 (yes/no) and Q1
    (qualitative) quarterly; C1's total has four quarters of history (about 100)."""
    ensure_dimensions(session, DIMENSIONS)
    scale = ensure_default_scale(session)
    strategy = Strategy(code="SMALL", title="Small strategy", area="Testland",
                        start_year=2025, end_year=2028)
    principle = Principle(code="PURSUE", name="Pursue", position=1)
    objective = Objective(code="O1", title="Prosecute more")
    principle.objectives.append(objective)
    strategy.principles.append(principle)
    agency = Entity(code="AG", name="Agency")
    other = Entity(code="OT", name="Other agency")
    session.add_all([strategy, agency, other])
    session.flush()
    sex = session.query(Dimension).filter_by(code="sex").one()

    def indicator(code: str, kind: str, unit: str, **extra: Any) -> Indicator:
        item = Indicator(strategy=strategy, objective=objective, code=code, name=f"Name {code}",
                         kind=Kind(kind), unit=unit, direction="increase",
                         frequency=extra.pop("frequency", "quarterly"), aggregation="sum",
                         responsible_entity_id=agency.id, **extra)
        session.add(item)
        return item

    count = indicator("C1", "quantitative", "count", baseline_value=90)
    count.dimension_links = [IndicatorDimension(dimension_id=sex.id, position=0)]
    indicator("P1", "quantitative", "percent")
    indicator("Y1", "quantitative", "yes_no")
    indicator("A1", "quantitative", "count", frequency="annual")
    indicator("Q1", "qualitative", "level", scale_id=scale.id)
    session.flush()
    write_values(session, [(ValueKey.of(count.id, agency.id, period), {"value": value})
                           for period, value in HISTORY.items()])
    session.commit()
    return {"strategy": strategy.id, "entity": agency.id, "C1": count.id}


def write_sex_history(session: Session, ids: dict[str, int], female_share: float = 0.4) -> None:
    """C1's female and male values in the quarters of HISTORY, women `female_share` of the
    total."""
    write_values(session, [
        (ValueKey.of(ids["C1"], ids["entity"], period, key), {"value": round(total * share)})
        for period, total in HISTORY.items()
        for key, share in (("sex=female", female_share), ("sex=male", 1 - female_share))])


def rows_by_code(sheet, code_column: int, key_column: int | None = None) -> dict:
    """Row numbers of a template sheet by (code, breakdown key)."""
    found = {}
    for row in range(2, sheet.max_row + 1):
        code = sheet.cell(row, code_column).value
        if code:
            key = sheet.cell(row, key_column).value if key_column else ""
            found[(code, key or "")] = row
    return found


GOOD_QUANTITATIVE = {("C1", ""): 100, ("C1", "sex=female"): 40, ("C1", "sex=male"): 55,
                     ("C1", "sex=unknown"): 5, ("P1", ""): 45, ("Y1", ""): 1}
GOOD_QUALITATIVE = {"Q1": ("2 – in progress", "Work has started.", "Decree 12/2026")}


def fill(template: bytes, quantitative: dict | None = None, qualitative: dict | None = None,
         cells: dict[str, Any] | None = None) -> bytes:
    """The template filled like a person would: a good return by default; `quantitative` maps
    (code, breakdown) to the value cell (or to a tuple of value, nature), `qualitative` a code to
    (level, narrative, evidence), `cells` writes raw cells such as `{"Quantitative!H3": 5}`."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    _write_quantitative(workbook, {**GOOD_QUANTITATIVE, **(quantitative or {})})
    levels = workbook["Qualitative"]
    rows = rows_by_code(levels, L_CODE)
    for code, (level, narrative, evidence) in {**GOOD_QUALITATIVE,
                                               **(qualitative or {})}.items():
        row = rows[(code, "")]
        levels.cell(row, L_LEVEL, level)
        levels.cell(row, L_NARRATIVE, narrative)
        levels.cell(row, L_EVIDENCE, evidence)
    for reference, value in (cells or {}).items():
        name, cell = reference.split("!")
        workbook[name][cell] = value
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def fill_cells(workbook_bytes: bytes, quantitative: dict) -> bytes:
    """A filled workbook with some quantitative cells changed (as in `fill`), the rest as sent."""
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes))
    _write_quantitative(workbook, quantitative)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _write_quantitative(workbook, quantitative: dict) -> None:
    sheet = workbook["Quantitative"]
    rows = rows_by_code(sheet, Q_CODE, Q_KEY)
    for key, content in quantitative.items():
        value, nature = content if isinstance(content, tuple) else (content, None)
        sheet.cell(rows[key], 8).value = value  # `cell(row, column, None)` would keep it
        sheet.cell(rows[key], 9).value = nature


def cell_of(template: bytes, code: str, breakdown: str = "", column: str = "H") -> str:
    """The reference of a row's cell in the quantitative sheet of `template`."""
    sheet = openpyxl.load_workbook(io.BytesIO(template))["Quantitative"]
    return f"{column}{rows_by_code(sheet, Q_CODE, Q_KEY)[(code, breakdown)]}"
