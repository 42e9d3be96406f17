"""Where each value came from: the return (and its revision), the sheet and the cell."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.evaluation import Scope
from indicators.model import DataValue, Entity, Return
from indicators.periods import parse_period

PROVENANCE_COLUMNS = ["entity", "entity_name", "period", "period_end", "disaggregation",
                      "value", "level", "narrative", "evidence", "flag", "comment",
                      "return_id", "revision", "source_sheet", "source_cell"]


def values_with_provenance(session: Session, indicator_id: int, scope: Scope) -> pd.DataFrame:
    """Every current value of the indicator within `scope`, entity by entity, with the return
    it came from, oldest period first."""
    statement = (
        select(Entity.code, Entity.name, DataValue.period, DataValue.period_end,
               DataValue.disaggregation, DataValue.value, DataValue.level, DataValue.narrative,
               DataValue.evidence, DataValue.flag, DataValue.comment, DataValue.return_id,
               Return.revision, DataValue.source_sheet, DataValue.source_cell)
        .join(Entity, Entity.id == DataValue.entity_id)
        .outerjoin(Return, Return.id == DataValue.return_id)
        .where(DataValue.indicator_id == indicator_id)
        .order_by(DataValue.period_end, Entity.code, DataValue.disaggregation)
    )
    return pd.DataFrame(session.execute(scope.applied_to(statement)).all(),
                        columns=PROVENANCE_COLUMNS)


def entity_table(values: pd.DataFrame, last: int = 8) -> tuple[list[str], list[dict]]:
    """Totals by entity (rows) and period (the `last` periods, columns):
    `(periods, [{"entity", "entity_name", "values": {period: value or level}}])`."""
    totals = values[values["disaggregation"] == ""]
    periods = sorted(totals["period"].unique(), key=lambda code: parse_period(code).end)[-last:]
    rows = []
    for (code, name), group in totals.groupby(["entity", "entity_name"]):
        amounts = group["value"].where(group["value"].notna(), group["level"])
        rows.append({"entity": code, "entity_name": name,
                     "values": {period: amount for period, amount in
                                zip(group["period"], amounts, strict=True)
                                if period in periods and pd.notna(amount)}})
    return periods, rows


def narratives(values: pd.DataFrame) -> list[dict]:
    """Qualitative answers by period, newest first: period, entity, level, narrative,
    evidence, return_id."""
    answered = values[values["level"].notna() | (values["narrative"] != "")]
    answered = answered.sort_values(["period_end", "entity"], ascending=[False, True])
    return records(answered[["period", "entity", "level", "narrative", "evidence",
                             "return_id"]])


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows of `frame` as mappings, missing numbers as None (not NaN), whole ids as int."""
    plain = frame.astype(object).where(frame.notna(), None)
    rows = plain.to_dict("records")
    for row in rows:
        for name in ("return_id", "revision", "level"):
            if row.get(name) is not None:
                row[name] = int(row[name])
    return rows
