"""What a return asks of one entity for one period: the indicators it reports and, for each
quantitative one, the rows (the total and each category of each dimension it is broken down by).

Which indicators an entity reports in a period is its obligation (`indicators.obligations`).
Values are stored under the return's period code.

The template and the reader share this module: the sheet names, the columns, and the checksum
of the indicator list that tells an outdated template from a current one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from indicators.comparability import Comparability
from indicators.disaggregation import TOTAL, breakdown_keys
from indicators.errors import Invalid, NotFound
from indicators.framework_texts import breakdown_words
from indicators.i18n import _
from indicators.model import (
    DataValue,
    Dimension,
    Entity,
    Indicator,
    IndicatorDimension,
    Kind,
    Nature,
    Objective,
    QualitativeScale,
    Strategy,
)
from indicators.obligations import indicators_due
from indicators.periods import Period, parse_period

TEMPLATE_VERSION = "1"
QUANTITATIVE = "Quantitative"
QUALITATIVE = "Qualitative"
INSTRUCTIONS = "Instructions"
IDENTITY = "mne"

# Columns (1-based) of the quantitative sheet; the value to fill is H, as in `Quantitative!H14`.
Q_CODE, Q_NAME, Q_UNIT, Q_BREAKDOWN, Q_BASELINE, Q_TARGET, Q_PREVIOUS, Q_VALUE, Q_NATURE, \
    Q_COMMENT, Q_KEY, Q_LOW, Q_HIGH, Q_AT_LEAST = range(1, 15)
# Low, high and "at least" follow the hidden key, so that templates written before them still read.
# Columns of the qualitative sheet.
L_CODE, L_NAME, L_SCALE, L_PREVIOUS, L_LEVEL, L_NARRATIVE, L_EVIDENCE, L_NATURE, \
    L_COMMENT = range(1, 10)

NATURE_WORDS = {nature.entry_words: nature for nature in Nature if nature is not Nature.NONE}
"""The words of the template's nature dropdown, and the nature each one names."""
AT_LEAST_WORDS = ("at least", "yes", "≥", ">=")
"""What the "At least" cell may say to mark the value a lower bound (the dropdown's first)."""


@dataclass(frozen=True)
class QuantitativeRow:
    """One row to fill: an indicator and one breakdown of it (the empty key is the total)."""

    indicator: Indicator
    breakdown: str
    label: str


@dataclass
class ReturnForm:
    """The indicators and rows one entity reports for one period of one strategy."""

    strategy: Strategy
    entity: Entity
    period: Period
    quantitative: list[QuantitativeRow] = field(default_factory=list)
    qualitative: list[Indicator] = field(default_factory=list)

    @property
    def indicators(self) -> list[Indicator]:
        return [*self._quantitative_indicators(), *self.qualitative]

    def _quantitative_indicators(self) -> list[Indicator]:
        """The indicators of the quantitative rows, each once (a session holds one object
        per indicator)."""
        return list(dict.fromkeys(row.indicator for row in self.quantitative))

    @property
    def slots(self) -> set[tuple[int, str]]:
        """The rows the form asks, as (indicator id, breakdown): what a revision replaces."""
        return ({(row.indicator.id, row.breakdown) for row in self.quantitative}
                | {(indicator.id, TOTAL) for indicator in self.qualitative})

    @cached_property
    def previous_period(self) -> str:
        """The code of the period before the form's."""
        return (self.period - 1).code

    @property
    def checksum(self) -> str:
        """A fingerprint of what the template asks: indicators, units, breakdowns, scales."""
        heads = {indicator: f"{indicator.code}|{indicator.unit}|"
                 for indicator in self._quantitative_indicators()}
        parts = [heads[row.indicator] + row.breakdown for row in self.quantitative]
        parts += [f"{indicator.code}|{_scale_text(indicator.scale)}"
                  for indicator in self.qualitative]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    def identity(self) -> dict[str, str]:
        """What the hidden sheet records, so an upload identifies itself."""
        return {"strategy": self.strategy.code, "entity": self.entity.code,
                "period": self.period.code, "template_version": TEMPLATE_VERSION,
                "checksum": self.checksum}


def _scale_text(scale: QualitativeScale | None) -> str:
    if scale is None:
        return ""
    return ";".join(f"{level.level}={level.label}" for level in scale.levels)


def level_choices(scale: QualitativeScale | None) -> list[str]:
    """The dropdown entries of a scale: `2 – in progress`."""
    return [f"{level.level} – {level.label}" for level in (scale.levels if scale else [])]


def build_form(session: Session, entity_code: str, period: Period,
               strategy_code: str | None = None) -> ReturnForm:
    """The form for an entity and period; without `strategy_code`, the one active strategy
    in which the entity reports anything (the first by code when several). Raises `NotFound`
    for an unknown entity or strategy, `PeriodError` for a wrong period, `Invalid` when the
    entity reports nothing."""
    entity = session.scalars(select(Entity).where(Entity.code == entity_code)).one_or_none()
    if entity is None:
        raise NotFound("entity", entity_code)
    for strategy in _strategies(session, strategy_code):
        form = _form_in(session, strategy, entity, period)
        if form.indicators or strategy_code:
            return form
    raise Invalid(_("Entity %(entity)s reports no indicator of any active strategy.",
                    entity=entity_code))


def _strategies(session: Session, strategy_code: str | None) -> list[Strategy]:
    statement = select(Strategy).order_by(Strategy.code)
    if strategy_code:
        found = session.scalars(statement.where(Strategy.code == strategy_code)).all()
        if not found:
            raise NotFound("strategy", strategy_code)
        return list(found)
    return list(session.scalars(statement.where(Strategy.active.is_(True))))


def _form_in(session: Session, strategy: Strategy, entity: Entity, period: Period) -> ReturnForm:
    indicators = session.scalars(
        select(Indicator)
        .join(Objective, Indicator.objective_id == Objective.id)
        .where(Indicator.strategy_id == strategy.id, Indicator.archived.is_(False))
        .options(
            selectinload(Indicator.reporters), selectinload(Indicator.responsible_entity),
            selectinload(Indicator.objective).selectinload(Objective.principle),
            selectinload(Indicator.dimension_links)
            .selectinload(IndicatorDimension.dimension).selectinload(Dimension.categories),
            selectinload(Indicator.scale).selectinload(QualitativeScale.levels),
            selectinload(Indicator.targets),
        )
    ).all()
    due = sorted(
        indicators_due(indicators, entity, period),
        key=lambda item: (item.objective.principle.position, item.objective.code, item.code),
    )
    form = ReturnForm(strategy, entity, period)
    breakdowns: dict[tuple[int, ...], list[tuple[str, str]]] = {}
    for indicator in due:
        if indicator.kind is Kind.QUALITATIVE:
            form.qualitative.append(indicator)
            continue
        dimensions = tuple(dimension.id for dimension in indicator.dimensions)
        if dimensions not in breakdowns:
            breakdowns[dimensions] = _breakdowns_of(indicator.dimensions)
        form.quantitative.extend(QuantitativeRow(indicator, key, label)
                                 for key, label in breakdowns[dimensions])
    return form


def _breakdowns_of(dimensions: list[Dimension]) -> list[tuple[str, str]]:
    """The breakdown keys these dimensions require, with their labels."""
    categories = {dimension.code: [category.code for category in dimension.categories]
                  for dimension in dimensions}
    return [(key, breakdown_words(key, dimensions)) for key in breakdown_keys(categories)]


def target_for(indicator: Indicator, period: Period) -> float | None:
    """The target of the period, else the next one after it, else the final target."""
    later = [target for target in indicator.targets if target.period_end >= period.end]
    chosen = later[0] if later else indicator.final_target
    return chosen.value if chosen else None


@dataclass(frozen=True)
class PastValue:
    period: str
    value: float | None
    level: int | None


def earlier_values(session: Session, form: ReturnForm) -> dict[tuple[int, str], list[PastValue]]:
    """The entity's values of the form's indicators in periods before the form's, oldest first,
    by (indicator id, breakdown)."""
    ids = [indicator.id for indicator in form.indicators]
    statement = (
        select(DataValue.indicator_id, DataValue.disaggregation, DataValue.period,
               DataValue.value, DataValue.level)
        .where(DataValue.entity_id == form.entity.id, DataValue.indicator_id.in_(ids),
               DataValue.period_end < form.period.end)
        .order_by(DataValue.period_end, DataValue.period)
    )
    found: dict[tuple[int, str], list[PastValue]] = {}
    for indicator_id, key, period, value, level in session.execute(statement):
        found.setdefault((indicator_id, key), []).append(PastValue(period, value, level))
    return found


def comparable_values(session: Session,
                      form: ReturnForm) -> dict[tuple[int, str], list[PastValue]]:
    """The entity's earlier values (`earlier_values`) that its figures of the form's period
    are judged against: those on the same side of every series break, none from a crisis the
    figures are not in (`indicators.comparability`)."""
    rule = Comparability.of(session, [indicator.id for indicator in form.indicators])
    return {key: [past for past in history
                  if rule.compares(key[0], form.entity.code, form.period,
                                   parse_period(past.period))]
            for key, history in earlier_values(session, form).items()}


def previous_of(history: list[PastValue], form: ReturnForm) -> PastValue | None:
    """The value of the period just before the form's, when there is one."""
    previous = form.previous_period
    return next((past for past in reversed(history) if past.period == previous), None)
