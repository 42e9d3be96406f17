"""The strategy overview: each principle with its objectives and indicators, and each
indicator's latest national value."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from indicators.disaggregation import TOTAL
from indicators.errors import NotFound
from indicators.model import (
    Aggregation,
    DataValue,
    Flag,
    Indicator,
    Kind,
    Objective,
    Principle,
    Return,
    ReturnState,
    Strategy,
)


def load_strategy(session: Session, code: str) -> Strategy:
    """The strategy with `code`, or `NotFound` naming it."""
    strategy = session.scalars(
        select(Strategy)
        .where(Strategy.code == code)
        .options(
            selectinload(Strategy.principles)
            .selectinload(Principle.objectives)
            .selectinload(Objective.indicators)
        )
    ).one_or_none()
    if strategy is None:
        raise NotFound("strategy", code)
    return strategy


def approved_figures(statement: Select) -> Select:
    """`statement` on data values, narrowed to the figures those who read approved figures only
    may see: values written by an approved return, and values no return wrote (published
    statistics imported in bulk, which are published figures already). A value written by a
    return still awaiting review, sent back, rejected, or reopened and uploaded again is left
    out until that return is approved."""
    approved = select(Return.id).where(Return.state == ReturnState.APPROVED)
    return statement.where(DataValue.return_id.is_(None) | DataValue.return_id.in_(approved))


def national_totals(session: Session, indicator_ids: list[int],
                    approved_only: bool = False) -> pd.DataFrame:
    """Total (not broken down) values of the indicators, one row per entity and period; with
    `approved_only`, only `approved_figures`."""
    statement = select(
        DataValue.indicator_id,
        DataValue.entity_id,
        DataValue.period,
        DataValue.period_end,
        DataValue.value,
        DataValue.level,
        DataValue.flag,
        DataValue.updated_at,
    ).where(DataValue.indicator_id.in_(indicator_ids), DataValue.disaggregation == TOTAL)
    if approved_only:
        statement = approved_figures(statement)
    frame = pd.DataFrame(session.execute(statement).all(),
                         columns=["indicator_id", "entity_id", "period", "period_end", "value",
                                  "level", "flag", "updated_at"])
    unusable = frame["flag"].isin([Flag.NOT_AVAILABLE, Flag.NOT_APPLICABLE, Flag.SUPPRESSED])
    return frame[~unusable | frame["level"].notna()]


def aggregate(values: pd.Series, rule: Aggregation, updated_at: pd.Series) -> float | None:
    """Combine the values of several entities for one period by the indicator's rule."""
    present = values.dropna()
    if present.empty:
        return None
    if rule is Aggregation.SUM:
        return float(present.sum())
    if rule is Aggregation.MEAN:
        return float(present.mean())
    return float(present.loc[updated_at.loc[present.index].idxmax()])


def latest_national_values(
    session: Session, indicators: list[Indicator], approved_only: bool = False
) -> dict[int, dict[str, Any]]:
    """For each indicator with data, its latest period and the national value then."""
    frame = national_totals(session, [indicator.id for indicator in indicators], approved_only)
    latest: dict[int, dict[str, Any]] = {}
    by_id = {indicator.id: indicator for indicator in indicators}
    for indicator_id, rows in frame.groupby("indicator_id"):
        indicator = by_id[int(indicator_id)]
        newest = rows[rows["period_end"] == rows["period_end"].max()]
        column = "level" if indicator.kind is Kind.QUALITATIVE else "value"
        rule = Aggregation.LATEST if indicator.kind is Kind.QUALITATIVE else indicator.aggregation
        value = aggregate(newest[column].astype(float), rule, newest["updated_at"])
        latest[indicator.id] = {
            "period": newest["period"].iloc[0],
            "value": value,
            "entities_reporting": int(newest["entity_id"].nunique()),
        }
    return latest


def strategy_overview(session: Session, code: str, approved_only: bool = False) -> dict[str, Any]:
    """The strategy's principles, objectives and indicators with their latest national values
    (from approved returns only, when asked), as plain data for a page or the API."""
    strategy = load_strategy(session, code)
    indicators = [
        indicator
        for principle in strategy.principles
        for objective in principle.objectives
        for indicator in objective.indicators
        if not indicator.archived
    ]
    latest = latest_national_values(session, indicators, approved_only)
    return {
        "code": strategy.code,
        "title": strategy.title,
        "area": strategy.area,
        "start_year": strategy.start_year,
        "end_year": strategy.end_year,
        "principles": [
            {
                "code": principle.code,
                "name": principle.name,
                "description": principle.description,
                "objectives": [
                    _objective_entry(objective, latest) for objective in principle.objectives
                ],
            }
            for principle in strategy.principles
        ],
    }


def _objective_entry(objective: Objective, latest: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return {
        "code": objective.code,
        "title": objective.title,
        "parent": objective.parent.code if objective.parent else None,
        "indicators": [
            _indicator_entry(indicator, latest.get(indicator.id))
            for indicator in objective.indicators
            if not indicator.archived
        ],
    }


def _indicator_entry(indicator: Indicator, latest: dict[str, Any] | None) -> dict[str, Any]:
    entry = {
        "code": indicator.code,
        "name": indicator.name,
        "kind": indicator.kind.value,
        "unit": indicator.unit.value,
        "currency": indicator.currency,
        "direction": indicator.direction.value,
        "standard": indicator.standard,
        "latest_period": latest["period"] if latest else None,
        "latest_value": latest["value"] if latest else None,
        "latest_label": None,
    }
    if latest and indicator.kind is Kind.QUALITATIVE and indicator.scale is not None:
        entry["latest_label"] = indicator.scale.label_of(int(latest["value"]))
    return entry
