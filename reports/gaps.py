"""The gap report: what stands between a strategy and its plan in one period."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from indicators.data_quality import inconsistent, missing_breakdowns, quantitative_values
from indicators.disaggregation import TOTAL
from indicators.evaluation import IndicatorProgress, Scope, approved_figures
from indicators.framework_texts import text_of
from indicators.i18n import _
from indicators.model import (
    DataValue,
    Entity,
    Indicator,
    Kind,
    Return,
    ReturnState,
    Strategy,
    Target,
)
from indicators.obligations import Calendar, Standing, is_due, standings, strategy_obligations
from indicators.periods import Period, parse_period
from indicators.vocabulary import Status
from reports.compilation import (
    DATE,
    NUMBER,
    PERCENT,
    STATUS,
    Chart,
    Column,
    Compilation,
    Section,
)
from reports.model import ReportKind
from reports.not_collected import not_collected
from reports.sources import returns_used


def compile_gaps(session: Session, strategy: Strategy, period_code: str, calendar: Calendar,
                 as_of: dt.date, indicators: list[Indicator],
                 progress: list[IndicatorProgress], approved_only: bool = True) -> Compilation:
    """The gap report of a strategy for a period, as it stands on `as_of`, given its current
    indicators and their progress rows at that period (for the indicators off track); of
    approved figures only unless `approved_only` is false (a preliminary report)."""
    period = parse_period(period_code)
    by_code = {indicator.code: indicator for indicator in indicators}
    due = [indicator for indicator in indicators if is_due(indicator, period)]
    ids = [indicator.id for indicator in indicators]
    values = _values_in(session, ids, period, approved_only)
    codes = dict(session.execute(select(Entity.id, Entity.code)).all())
    values["entity"] = values["entity_id"].map(codes)
    quantities = quantitative_values(session, strategy.code,
                                     Scope(since=period.start, until=period.end,
                                           approved_only=approved_only))
    returns = _returns(session, strategy.id)
    sections = [
        _late_returns(session, strategy, period, calendar, as_of),
        _without_data(due, _reported(session, ids, period, approved_only)),
        not_collected(values, by_code),
        _without_baseline(indicators),
        _without_target(session, indicators),
        _off_track(progress, by_code),
        _missing_breakdowns(missing_breakdowns(session, strategy.code, quantities), by_code),
        _inconsistent_breakdowns(inconsistent(quantities), by_code),
        _without_evidence(indicators, values),
        _awaiting_review(returns, period, as_of),
    ]
    return Compilation(
        kind=ReportKind.GAPS,
        strategy_code=strategy.code,
        strategy_title=text_of(strategy, "title"),
        period=period.code,
        as_of=as_of,
        sections=[_summary(sections), *sections],
        returns_used=returns_used(
            session, [indicator.id for indicator in indicators], until=period.end,
            since=period.start, also=list(returns.loc[returns["period"] == period.code, "id"]),
            approved_only=approved_only),
        preliminary=not approved_only,
    )


def _in_period(statement: Select, indicator_ids: list[int], period: Period,
               approved_only: bool) -> Select:
    """`statement` on values narrowed to the indicators' values in the period (a quarter holds
    its months); with `approved_only`, to the approved figures."""
    statement = statement.where(
        DataValue.indicator_id.in_(indicator_ids),
        DataValue.period_end >= period.start,
        DataValue.period_end <= period.end,
    )
    return approved_figures(statement) if approved_only else statement


def _reported(session: Session, indicator_ids: list[int], period: Period,
              approved_only: bool) -> set[int]:
    """The indicators with a value (or a level) in the period, in any breakdown."""
    return set(session.scalars(_in_period(
        select(DataValue.indicator_id).distinct().where(
            DataValue.value.is_not(None) | DataValue.level.is_not(None)),
        indicator_ids, period, approved_only)))


def _values_in(session: Session, indicator_ids: list[int], period: Period,
               approved_only: bool) -> pd.DataFrame:
    """The totals and the levels (qualitative answers) of the indicators in the period."""
    statement = select(
        DataValue.indicator_id,
        DataValue.entity_id,
        DataValue.period,
        DataValue.disaggregation,
        DataValue.value,
        DataValue.level,
        DataValue.nature,
        func.length(func.trim(DataValue.evidence)).label("evidence_length"),
    ).where((DataValue.disaggregation == TOTAL) | DataValue.level.is_not(None))
    found = session.execute(_in_period(statement, indicator_ids, period, approved_only)).all()
    return pd.DataFrame(found, columns=["indicator_id", "entity_id", "period", "disaggregation",
                                        "value", "level", "nature", "evidence_length"])


def _returns(session: Session, strategy_id: int) -> pd.DataFrame:
    statement = select(
        Return.id, Return.entity_id, Entity.code, Entity.name, Return.period, Return.revision,
        Return.state, Return.uploaded_at, Entity.translations,
    ).join(Entity, Entity.id == Return.entity_id).where(Return.strategy_id == strategy_id)
    return pd.DataFrame([(*row[:3], text_of(row, "name"), *row[4:8])
                         for row in session.execute(statement)],
                        columns=["id", "entity_id", "entity", "entity_name", "period",
                                 "revision", "state", "uploaded_at"])


def _indicator_columns() -> list[Column]:
    return [Column("indicator", _("Indicator")), Column("name", _("Name")),
            Column("principle", _("Principle")), Column("objective", _("Objective"))]


def _indicator_cells(indicator: Indicator) -> dict[str, str]:
    return {
        "indicator": indicator.code,
        "name": text_of(indicator, "name"),
        "principle": text_of(indicator.objective.principle, "name"),
        "objective": indicator.objective.code,
    }


def return_statuses(session: Session, strategy: Strategy, period: Period, calendar: Calendar,
                    as_of: dt.date) -> list[Standing]:
    """Where each return owed for `period` stands on `as_of`, by entity code."""
    return standings(session, strategy,
                     strategy_obligations(session, strategy, [period], calendar), as_of)


def _late_returns(session: Session, strategy: Strategy, period: Period, calendar: Calendar,
                  as_of: dt.date) -> Section:
    columns = [Column("entity", _("Entity")), Column("entity_name", _("Name")),
               Column("period", _("Period")), Column("due", _("Due"), DATE),
               Column("status", _("Status"), STATUS), Column("received", _("Received"), DATE),
               Column("days_late", _("Days late"), NUMBER)]
    rows = [_return_row(standing) for standing in
            return_statuses(session, strategy, period, calendar, as_of) if not standing.on_time]
    return Section("returns", _("Returns missing or late"), columns, rows,
                   note=_("Entities that report an indicator due this period; the returns "
                          "were due on %(due)s.", due=calendar.due_date(period).isoformat()),
                   sheet=_("Returns"))


def _return_row(standing: Standing) -> dict[str, Any]:
    obligation = standing.obligation
    return {"entity": obligation.entity.code,
            "entity_name": text_of(obligation.entity, "name"),
            "period": obligation.period.code, "due": obligation.due_date,
            "status": standing.status,
            "received": standing.received_at.date() if standing.received_at else None,
            "days_late": standing.days_late}


def _without_data(due: list[Indicator], reported: set[int]) -> Section:
    rows = [_indicator_cells(indicator) for indicator in due if indicator.id not in reported]
    return Section("no_data", _("Indicators without data this period"), _indicator_columns(),
                   rows, note=_("Indicators due this period with no value from any entity."),
                   sheet=_("No data"))


def _without_baseline(indicators: list[Indicator]) -> Section:
    rows = [_indicator_cells(indicator) for indicator in indicators
            if indicator.baseline_value is None]
    return Section("no_baseline", _("Indicators without baseline"), _indicator_columns(), rows,
                   sheet=_("No baseline"))


def _without_target(session: Session, indicators: list[Indicator]) -> Section:
    with_target = set(session.scalars(
        select(Target.indicator_id).where(Target.indicator_id.in_([i.id for i in indicators]))
    ))
    rows = [_indicator_cells(indicator) for indicator in indicators
            if indicator.id not in with_target]
    return Section("no_target", _("Indicators without target"), _indicator_columns(), rows,
                   sheet=_("No target"))


def expected_value(row: IndicatorProgress) -> float | None:
    """The value the indicator was expected to have reached by its latest period: on the
    straight path from baseline to target (the target itself for "maintain")."""
    if row.target_value is None or row.expected_progress is None:
        return None
    if row.direction.keeps_level or row.baseline_value is None:
        return row.target_value
    return row.baseline_value + row.expected_progress * (row.target_value - row.baseline_value)


def _off_track(progress: list[IndicatorProgress], by_code: dict[str, Indicator]) -> Section:
    rows = []
    for row in progress:
        if row.status is not Status.OFF_TRACK:
            continue
        expected = expected_value(row)
        rows.append({
            **_indicator_cells(by_code[row.code]), "latest_period": row.latest_period,
            "latest_value": row.latest_value, "expected_value": expected,
            "distance": None if expected is None or row.latest_value is None
            else row.latest_value - expected,
            "progress": row.progress, "expected_progress": row.expected_progress,
        })
    return Section("off_track", _("Indicators off track"),
                   [*_indicator_columns(), Column("latest_period", _("Latest period")),
                    Column("latest_value", _("Latest value"), NUMBER),
                    Column("expected_value", _("Expected value"), NUMBER),
                    Column("distance", _("Distance to expected value"), NUMBER),
                    Column("progress", _("Progress"), PERCENT),
                    Column("expected_progress", _("Expected progress"), PERCENT)], rows,
                   note=_("The expected value lies on the straight path from baseline to target "
                          "at the latest period."), sheet=_("Off track"))


def _missing_breakdowns(found: list[dict], by_code: dict[str, Indicator]) -> Section:
    rows = [{**_indicator_cells(by_code[row["indicator"]]), "entity": row["entity"],
             "period": row["period"], "dimension": row["dimension"]} for row in found]
    return Section("missing_breakdown", _("Values missing a required breakdown"),
                   [*_indicator_columns(), Column("entity", _("Entity")),
                    Column("period", _("Period")), Column("dimension", _("Missing breakdown"))],
                   rows, note=_("Totals reported without the sex or age breakdown the "
                                "indicator requires."), sheet=_("Missing breakdowns"))


def _inconsistent_breakdowns(found: list[dict], by_code: dict[str, Indicator]) -> Section:
    rows = [{**_indicator_cells(by_code[row["indicator"]]), "entity": row["entity"],
             "period": row["period"], "dimension": row["dimension"],
             "total": float(row["total"]), "sum": float(row["breakdown_sum"]),
             "difference": float(row["difference"])} for row in found]
    return Section("inconsistent", _("Breakdowns that do not add up to their total"),
                   [*_indicator_columns(), Column("entity", _("Entity")),
                    Column("period", _("Period")), Column("dimension", _("Breakdown")),
                    Column("total", _("Total"), NUMBER), Column("sum", _("Sum of parts"), NUMBER),
                    Column("difference", _("Difference"), NUMBER)], rows,
                   sheet=_("Inconsistent totals"))


def _without_evidence(indicators: list[Indicator], values: pd.DataFrame) -> Section:
    qualitative = {indicator.id: indicator for indicator in indicators
                   if indicator.kind is Kind.QUALITATIVE}
    answers = values[values["indicator_id"].isin(qualitative) & values["level"].notna()
                     & (values["evidence_length"].fillna(0) == 0)]
    rows = [
        {**_indicator_cells(qualitative[row.indicator_id]), "entity": row.entity,
         "period": row.period, "level": int(row.level)}
        for row in answers.sort_values(["indicator_id", "entity", "period"]).itertuples()
    ]
    return Section("no_evidence", _("Qualitative answers without evidence"),
                   [*_indicator_columns(), Column("entity", _("Entity")),
                    Column("period", _("Period")), Column("level", _("Level"), NUMBER)], rows,
                   sheet=_("No evidence"))


def _awaiting_review(returns: pd.DataFrame, period: Period, as_of: dt.date) -> Section:
    waiting = returns[returns["state"] == ReturnState.SUBMITTED]
    waiting = waiting.loc[[parse_period(code).end <= period.end for code in waiting["period"]]]
    rows = [
        {"entity": row.entity, "entity_name": row.entity_name, "period": row.period,
         "revision": int(row.revision), "submitted": row.uploaded_at.date(),
         "days_waiting": (as_of - row.uploaded_at.date()).days}
        for row in waiting.sort_values(["uploaded_at", "id"]).itertuples()
    ]
    return Section("awaiting_review", _("Returns waiting for review"),
                   [Column("entity", _("Entity")), Column("entity_name", _("Name")),
                    Column("period", _("Period")), Column("revision", _("Revision"), NUMBER),
                    Column("submitted", _("Submitted"), DATE),
                    Column("days_waiting", _("Days waiting"), NUMBER)], rows,
                   sheet=_("Awaiting review"))


def _summary(sections: list[Section]) -> Section:
    rows = [{"gap": section.title, "count": len(section.rows)} for section in sections]
    chart = Chart("bar", _("Gaps this period"), [row["gap"] for row in rows],
                  {_("Count"): [float(row["count"]) for row in rows]})
    return Section("summary", _("Summary"),
                   [Column("gap", _("Gap")), Column("count", _("Count"), NUMBER)], rows,
                   charts=[chart])
