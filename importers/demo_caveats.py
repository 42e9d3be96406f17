"""The demonstration's caveats (`demo_strategy.toml`): a crisis, a series break and an
indicator paired with a modelled estimate, whose values are published by an entity."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.audit import record_value_changes
from indicators.crises import write_crisis
from indicators.evaluation import find_indicator
from indicators.framework import write_indicator
from indicators.framework_texts import text_columns
from indicators.model import Crisis, Entity, Indicator, Strategy
from indicators.pairs import write_pairing
from indicators.series_breaks import write_break
from indicators.values import ValueKey, write_values

DEMO_ACTOR = "demo"


def load_caveats(session: Session, strategy: Strategy, demo: dict[str, Any]) -> None:
    """The crises, series breaks and paired estimates of the demonstration."""
    for spec in demo.get("crises", []):
        write_crisis(session, spec["name"], spec["kind"], spec["start"], spec.get("end"),
                     spec["entities"], spec.get("note", ""),
                     texts={column: spec[column] for column in text_columns(Crisis)
                            if column in spec})
    for spec in demo.get("series_breaks", []):
        write_break(session, find_indicator(session, strategy.code, spec["indicator"]),
                    spec["period"], spec["kind"], spec.get("note", ""))
    for spec in demo.get("estimates", []):
        _load_estimate(session, strategy, spec)


def _load_estimate(session: Session, strategy: Strategy, spec: dict[str, Any]) -> None:
    """The estimate as an indicator of its own beside the one it is paired with (same
    objective, unit and frequency, owed by no one), its published values and the pair."""
    paired = find_indicator(session, strategy.code, spec["indicator"])
    estimate = write_indicator(
        session, strategy, spec["code"], objective=paired.objective.code, name=spec["name"],
        definition=spec["citation"], unit=paired.unit, direction=paired.direction,
        frequency=paired.frequency, aggregation=paired.aggregation,
        data_source=spec["citation"], responsible=None, reporters=[],
        **{column: spec[column] for column in text_columns(Indicator) if column in spec})
    entity = session.scalars(select(Entity).where(Entity.code == spec["entity"])).one()
    changes = write_values(session, [(ValueKey.of(estimate.id, entity.id, period),
                                      {"value": value})
                                     for period, value in spec["values"].items()])
    record_value_changes(session, DEMO_ACTOR, changes)
    write_pairing(session, paired, estimate, spec["source"], spec["citation"])
