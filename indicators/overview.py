"""The strategy overview: each principle with its objectives and indicators, and each
indicator's latest national value, from the dashboard's aggregation."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from indicators.evaluation import Scope, aggregated_series, latest_totals, load_strategy
from indicators.framework_texts import text_of
from indicators.model import Indicator, Kind, Objective


def latest_national_values(session: Session, indicators: list[Indicator],
                           approved_only: bool = False) -> dict[int, Any]:
    """For each indicator with data, its latest national total (period, value, entities) as
    the dashboard computes it (`indicators.evaluation.latest_totals`)."""
    frame = aggregated_series(session, indicators, Scope(approved_only=approved_only),
                              sex_only=True)
    return latest_totals(frame)


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
        "title": text_of(strategy, "title"),
        "area": strategy.area,
        "start_year": strategy.start_year,
        "end_year": strategy.end_year,
        "principles": [
            {
                "code": principle.code,
                "name": text_of(principle, "name"),
                "description": text_of(principle, "description"),
                "objectives": [
                    _objective_entry(objective, latest) for objective in principle.objectives
                ],
            }
            for principle in strategy.principles
        ],
    }


def _objective_entry(objective: Objective, latest: dict[int, Any]) -> dict[str, Any]:
    return {
        "code": objective.code,
        "title": text_of(objective, "title"),
        "parent": objective.parent.code if objective.parent else None,
        "indicators": [
            _indicator_entry(indicator, latest.get(indicator.id))
            for indicator in objective.indicators
            if not indicator.archived
        ],
    }


def _indicator_entry(indicator: Indicator, latest: Any) -> dict[str, Any]:
    entry = {
        "code": indicator.code,
        "name": text_of(indicator, "name"),
        "kind": indicator.kind.value,
        "unit": indicator.unit.value,
        "currency": indicator.currency,
        "direction": indicator.direction.value,
        "standard": indicator.standard,
        "latest_period": latest.period if latest else None,
        "latest_value": float(latest.value) if latest else None,
        "latest_label": None,
    }
    if latest and indicator.kind is Kind.QUALITATIVE and indicator.scale is not None:
        entry["latest_label"] = indicator.scale.label_of(int(latest.value))
    return entry
