"""Rules for changing a framework without orphaning data: what may be deleted, and why not."""

from __future__ import annotations

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from indicators.i18n import _
from indicators.model import (
    Base,
    Category,
    CrisisEntity,
    DataValue,
    Dimension,
    Entity,
    Indicator,
    IndicatorDimension,
    IndicatorReporter,
    Objective,
    Principle,
    Return,
    Strategy,
)


def _any(session: Session, *conditions) -> bool:
    return bool(session.scalar(select(exists().where(*conditions))))


def _values_with(session: Session, dimension: str, category: str | None = None) -> int:
    """How many current values are broken down by the dimension (or one of its categories)."""
    column = DataValue.disaggregation
    if category is None:
        matches = or_(column.like(f"{dimension}=%"), column.like(f"%;{dimension}=%"))
    else:
        matches = or_(column == f"{dimension}={category}",
                      column.like(f"{dimension}={category};%"),
                      column.like(f"%;{dimension}={category}"),
                      column.like(f"%;{dimension}={category};%"))
    return session.scalar(select(func.count()).select_from(DataValue).where(matches)) or 0


def deletion_refused(session: Session, row: Base) -> str | None:
    """Why deleting `row` would orphan data (a sentence), or None when it may go."""
    if isinstance(row, Strategy) and (row.indicators
                                      or _any(session, Return.strategy_id == row.id)):
        return _("The strategy has indicators or returns; it stays (set it inactive instead).")
    if isinstance(row, Principle) and row.objectives:
        return _("The principle has objectives; delete them first.")
    if isinstance(row, Objective) and (row.indicators or row.children):
        return _("The objective has indicators or sub-objectives; move or delete them first.")
    if isinstance(row, Indicator) and _any(session, DataValue.indicator_id == row.id):
        return _("The indicator has values; archive it instead, so its history stays.")
    if isinstance(row, Entity):
        if row.children or _any(session, DataValue.entity_id == row.id) or _any(
                session, Return.entity_id == row.id) or _any(
                session, IndicatorReporter.entity_id == row.id) or _any(
                session, Indicator.responsible_entity_id == row.id) or _any(
                session, CrisisEntity.entity_id == row.id):
            return _("The entity reports, holds values, returns or sub-entities, or was affected "
                     "by a crisis; it stays.")
    if isinstance(row, Dimension) and (_any(session, IndicatorDimension.dimension_id == row.id)
                                       or _values_with(session, row.code)):
        return _("Indicators are broken down by this dimension; it stays.")
    if isinstance(row, Category):
        used = _values_with(session, row.dimension.code, row.code)
        if used:
            return _("%(count)s values are broken down by this category; it stays.", count=used)
    return None

