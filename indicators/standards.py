"""The catalogue of international standard indicators (SDG 16) shipped with the package, and
adding one to a strategy in one step. The indicator keeps the standard's code in
`Indicator.standard`, so figures of several strategies or countries can be compared."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.errors import Invalid
from indicators.framework import ensure_dimensions, write_indicator
from indicators.i18n import _
from indicators.model import (
    Aggregation,
    Dimension,
    Direction,
    Indicator,
    Kind,
    Objective,
    Principle,
    Strategy,
    Unit,
)
from indicators.periods import Frequency

CATALOGUE = Path(__file__).with_name("standards.toml")


class StandardError(Invalid):
    """A standard that cannot be added, with the reason in words."""


@dataclass(frozen=True)
class Standard:
    """One international standard indicator and its metadata."""

    code: str
    name: str
    unit: Unit
    direction: Direction
    aggregation: Aggregation
    custodian: str
    caveats: str
    data_source: str = ""
    currency: str = ""
    sex_required: bool = False
    dimensions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def indicator_code(self) -> str:
        """The code an indicator made from this standard gets by default: `SDG16.2.2`."""
        return self.code.replace(" ", "")


@cache
def _catalogue() -> dict[str, Any]:
    return tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))


def standards() -> list[Standard]:
    """Every standard of the catalogue, in its order."""
    return [
        Standard(**{**spec, "unit": Unit(spec["unit"]), "direction": Direction(spec["direction"]),
                    "aggregation": Aggregation(spec["aggregation"]),
                    "dimensions": tuple(spec.get("dimensions", []))})
        for spec in _catalogue()["standards"]
    ]


def find_standard(code: str) -> Standard:
    """The standard with `code` (`SDG 16.2.2`, `SDG16.2.2` or `16.2.2`)."""
    wanted = code.replace(" ", "").upper().removeprefix("SDG")
    for standard in standards():
        if standard.indicator_code.upper().removeprefix("SDG") == wanted:
            return standard
    raise StandardError(_("No standard in the catalogue has the code %(code)s.", code=code))


def find_objective(session: Session, strategy_code: str, objective_code: str) -> Objective:
    """The objective with `objective_code` among the strategy's principles."""
    strategy = session.scalars(select(Strategy).filter_by(code=strategy_code)).one_or_none()
    if strategy is None:
        raise StandardError(_("No strategy has the code %(code)s.", code=strategy_code))
    objective = session.scalars(
        select(Objective).join(Principle)
        .where(Principle.strategy_id == strategy.id, Objective.code == objective_code)
    ).first()
    if objective is None:
        raise StandardError(_("Strategy %(strategy)s has no objective %(objective)s.",
                              strategy=strategy_code, objective=objective_code))
    return objective


def add_standard(session: Session, strategy_code: str, objective_code: str, standard_code: str,
                 indicator_code: str | None = None) -> Indicator:
    """Add the standard as a new indicator of the strategy under the objective, with its unit,
    direction, breakdowns and caveats; dimensions it calls for that are missing are created."""
    standard = find_standard(standard_code)
    objective = find_objective(session, strategy_code, objective_code)
    strategy_id = objective.principle.strategy_id
    code = indicator_code or standard.indicator_code
    taken = session.scalars(select(Indicator).where(
        Indicator.strategy_id == strategy_id,
        (Indicator.code == code) | (Indicator.standard == standard.code),
    )).first()
    if taken is not None:
        raise StandardError(_(
            "Strategy %(strategy)s already has indicator %(code)s (%(standard)s).",
            strategy=strategy_code, code=taken.code, standard=taken.standard or taken.name))
    _ensure_dimensions(session, standard.dimensions)
    return write_indicator(
        session, objective.principle.strategy, code, objective=objective.code,
        name=standard.name,
        definition=_("%(caveats)s (Custodian: %(custodian)s.)", caveats=standard.caveats,
                     custodian=standard.custodian),
        kind=Kind.QUANTITATIVE, unit=standard.unit, currency=standard.currency,
        direction=standard.direction, frequency=Frequency.ANNUAL,
        aggregation=standard.aggregation, data_source=standard.data_source,
        standard=standard.code, sex_required=standard.sex_required,
        dimensions=standard.dimensions)


def _ensure_dimensions(session: Session, codes: tuple[str, ...]) -> None:
    """Create the dimensions the standard calls for that are missing, from the catalogue."""
    existing = set(session.scalars(select(Dimension.code)))
    missing = {code: _catalogue()["dimensions"][code] for code in codes if code not in existing}
    if missing:
        ensure_dimensions(session, missing)
