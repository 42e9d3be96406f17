"""Where each value came from: the return (and its revision), the sheet and the cell."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from indicators.disaggregation import TOTAL
from indicators.evaluation import IndicatorView, Scope
from indicators.framework_texts import text_of
from indicators.model import DataValue, Entity, Kind, Return
from indicators.periods import parse_period

PROVENANCE_COLUMNS = ["entity", "entity_name", "period", "period_end", "disaggregation",
                      "value", "level", "narrative", "evidence", "nature", "low", "high",
                      "at_least", "comment",
                      "return_id", "revision", "source_sheet", "source_cell"]


PROVENANCE_ROWS = 250
"""How many values of its shown period an indicator page lists (the export has them all)."""


def values_with_provenance(session: Session, indicator_id: int, scope: Scope,
                           totals_only: bool = False, limit: int | None = None) -> pd.DataFrame:
    """Every current value of the indicator within `scope` (only totals with `totals_only`, the
    first `limit` when given), entity by entity (named in the reader's language), with the
    return it came from, oldest period first."""
    statement = (
        select(Entity.code, Entity.name, DataValue.period, DataValue.period_end,
               DataValue.disaggregation, DataValue.value, DataValue.level, DataValue.narrative,
               DataValue.evidence, DataValue.nature, DataValue.low, DataValue.high,
               DataValue.at_least, DataValue.comment, DataValue.return_id,
               Return.revision, DataValue.source_sheet, DataValue.source_cell)
        .join(Entity, Entity.id == DataValue.entity_id)
        .outerjoin(Return, Return.id == DataValue.return_id)
        .where(DataValue.indicator_id == indicator_id)
        .order_by(DataValue.period_end, Entity.code, DataValue.disaggregation)
    )
    if totals_only:
        statement = statement.where(DataValue.disaggregation == TOTAL)
    frame = pd.DataFrame(session.execute(scope.applied_to(statement).limit(limit)).all(),
                         columns=PROVENANCE_COLUMNS)
    frame["entity_name"] = frame["entity"].map(_entity_names(session, set(frame["entity"])))
    return frame


def count_values(session: Session, indicator_id: int, scope: Scope) -> int:
    """How many current values the indicator has within `scope`."""
    return session.scalar(scope.applied_to(
        select(func.count()).select_from(DataValue).where(DataValue.indicator_id == indicator_id)))


def _entity_names(session: Session, codes: set[str]) -> dict[str, str]:
    """The names of the entities `codes` in the reader's language."""
    entities = session.scalars(select(Entity).where(Entity.code.in_(codes))) if codes else []
    return {entity.code: text_of(entity, "name") for entity in entities}


def entity_table(values: pd.DataFrame, periods: list[str]) -> list[dict]:
    """Totals by entity over `periods`: `[{"entity", "entity_name", "values": {period:
    value or level}}]`."""
    totals = values[(values["disaggregation"] == TOTAL) & values["period"].isin(periods)]
    amounts = totals.assign(amount=totals["value"].where(totals["value"].notna(),
                                                         totals["level"]))
    table = amounts.pivot(index=["entity", "entity_name"], columns="period", values="amount")
    return [{"entity": code, "entity_name": name,
             "values": {period: amount for period, amount in row.items() if pd.notna(amount)}}
            for (code, name), row in table.iterrows()]


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


def indicator_tables(session: Session, view: IndicatorView, last: int = 8) -> dict:
    """The tables of an indicator page: `periods` (the `last` with data), totals `by_entity`
    over them, `narratives` by period (qualitative indicators), and the values of the latest
    period (`shown`) with where each came from (`provenance`: the first PROVENANCE_ROWS of
    `provenance_count`)."""
    indicator, scope = view.indicator, view.scope
    periods = [point["period"] for point in view.series][-last:]
    shown = view.progress.latest_period
    tables = {"periods": periods, "shown": shown, "by_entity": [], "narratives": [],
              "provenance": [], "provenance_count": 0}
    if periods:
        recent = scope.between(parse_period(periods[0]).start, scope.until)
        tables["by_entity"] = entity_table(
            values_with_provenance(session, indicator.id, recent, totals_only=True), periods)
    if shown:
        period = parse_period(shown)
        within = scope.between(period.start, period.end)
        tables["provenance"] = records(values_with_provenance(
            session, indicator.id, within, limit=PROVENANCE_ROWS))
        tables["provenance_count"] = count_values(session, indicator.id, within)
    if indicator.kind == Kind.QUALITATIVE:
        tables["narratives"] = narratives(values_with_provenance(session, indicator.id, scope))
    return tables
