"""Data quality of a strategy as evaluators review it: returns expected, received and on time
per entity and period; outlying values; totals missing their breakdowns; breakdowns that do
not add up. Reads the database, computes with `indicators.quality` and `indicators.breakdown`."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.breakdown import inconsistent_totals
from indicators.comparability import Comparability
from indicators.disaggregation import TOTAL, dimensions_of
from indicators.evaluation import Scope, entity_values, strategy_indicators
from indicators.framework_texts import text_of
from indicators.model import Entity, Indicator, Kind, Return, ReturnState, Strategy, Unit
from indicators.obligations import (
    Calendar,
    Obligation,
    obligations,
    reporting_indicators,
    standings,
    strategy_obligations,
)
from indicators.periods import Period, parse_period
from indicators.quality import OUTLIER_THRESHOLD, completeness, outliers, unusual_shares


def expected_returns(session: Session, strategy_code: str, calendar: Calendar,
                     period: Period | None = None, as_of: dt.date | None = None) -> pd.DataFrame:
    """Every return the strategy's entities owe (`indicators.obligations`), one row per entity
    and period, from the first period anyone sent a return for up to `period` (default: the
    newest period with a return), with where it stands on `as_of` (default: today). Columns:
    entity, entity_name, period, period_end, due_date, indicators (codes owed), status, received,
    received_at, on_time."""
    strategy, periods = _strategy_and_periods(session, strategy_code, calendar, period)
    return _standings_frame(session, strategy,
                            strategy_obligations(session, strategy, periods, calendar), as_of)


def latest_completeness(session: Session, strategy_code: str, calendar: Calendar,
                        period: Period | None = None, as_of: dt.date | None = None,
                        indicators: list[Indicator] | None = None) -> dict | None:
    """Completeness and timeliness (`completeness_by` period) of the newest period that
    `expected_returns` lists, from that period's obligations alone (under the strategy's
    `reporting_indicators`, read here unless given); None when it lists none."""
    strategy, periods = _strategy_and_periods(session, strategy_code, calendar, period)
    if indicators is None:
        indicators = reporting_indicators(session, strategy)
    owed = next((found for found in (obligations(indicators, each, calendar)
                                     for each in reversed(periods)) if found), [])
    rows = completeness_by(_standings_frame(session, strategy, owed, as_of), "period")
    return rows[-1] if rows else None


def _standings_frame(session: Session, strategy: Strategy, owed: list[Obligation],
                     as_of: dt.date | None) -> pd.DataFrame:
    """The rows of `expected_returns` for the obligations `owed`."""
    found = standings(session, strategy, owed, as_of or dt.date.today())
    return pd.DataFrame(
        [(standing.obligation.entity.code, text_of(standing.obligation.entity, "name"),
          standing.obligation.period.code, standing.obligation.period.end,
          standing.obligation.due_date,
          [indicator.code for indicator in standing.obligation.indicators],
          standing.status, standing.status.received,
          standing.received_at, standing.on_time) for standing in found],
        columns=["entity", "entity_name", "period", "period_end", "due_date", "indicators",
                 "status", "received", "received_at", "on_time"])


def _strategy_and_periods(session: Session, strategy_code: str, calendar: Calendar,
                          period: Period | None) -> tuple[Strategy, list[Period]]:
    """The strategy and the periods `expected_returns` lists, oldest first."""
    strategy = session.scalars(select(Strategy).where(Strategy.code == strategy_code)).one()
    return strategy, _expected_periods(_received_periods(session, strategy.id), calendar, period)


def _received_periods(session: Session, strategy_id: int) -> list[Period]:
    """The periods of the strategy that someone sent an acceptable return for."""
    codes = session.scalars(select(Return.period).distinct().where(
        Return.strategy_id == strategy_id, Return.state != ReturnState.REJECTED))
    return [parse_period(code) for code in codes]


def _expected_periods(received: list[Period], calendar: Calendar,
                      period: Period | None) -> list[Period]:
    if not received:
        return []
    last = period.end if period else max(found.end for found in received)
    return calendar.periods_between(min(found.end for found in received), last)


def completeness_by(frame: pd.DataFrame, by: str) -> list[dict]:
    """Completeness and timeliness by "entity" or "period", as rows of plain data."""
    if frame.empty:
        return []
    return completeness(frame, by).to_dict("records")


def quantitative_values(session: Session, strategy_code: str, scope: Scope) -> pd.DataFrame:
    """Entity-level values of the strategy's quantitative indicators, with the indicator's code
    and unit and the entity's code."""
    indicators = [indicator for indicator in strategy_indicators(session, strategy_code)
                  if indicator.kind == Kind.QUANTITATIVE]
    frame = entity_values(session, indicators, scope)
    codes = {indicator.id: indicator.code for indicator in indicators}
    units = {indicator.id: indicator.unit for indicator in indicators}
    entities = dict(session.execute(select(Entity.id, Entity.code)).all())
    frame["indicator"] = frame["indicator_id"].map(codes)
    frame["unit"] = frame["indicator_id"].map(units)
    frame["entity"] = frame["entity_id"].map(entities)
    return frame


def outlying_values(session: Session, values: pd.DataFrame) -> list[dict]:
    """Values (totals and breakdowns) that stand out from the comparable values of their own
    entity's series, judged as the upload checks judge them (`indicators.quality.outliers`,
    `indicators.comparability`)."""
    rule = Comparability.of(session, set(values["indicator_id"]))

    def compares(key: tuple, period: str, other: str) -> bool:
        indicator_id, entity, _breakdown = key
        return rule.compares(indicator_id, entity, parse_period(period), parse_period(other))

    columns = values[["indicator", "indicator_id", "entity", "disaggregation", "period",
                      "period_end", "value"]]
    found = outliers(columns.assign(count=values["unit"] == Unit.COUNT),
                     ["indicator_id", "entity", "disaggregation"], compares)
    return found.sort_values(["indicator", "disaggregation", "entity", "period_end"]) \
        .to_dict("records")


def shifted_shares(values: pd.DataFrame) -> list[dict]:
    """Categories of counts whose share of their total left its own history (two categories
    swapped, typically), judged as the upload checks judge them
    (`indicators.quality.unusual_shares`)."""
    return unusual_shares(values[values["unit"] == Unit.COUNT])


def missing_breakdowns(session: Session, strategy_code: str, values: pd.DataFrame) -> list[dict]:
    """Totals reported without a breakdown their indicator requires (sex where required, and
    each of its dimensions): indicator, entity, period, dimension."""
    required = pd.DataFrame(
        [(indicator.code, name) for indicator in strategy_indicators(session, strategy_code)
         for name in sorted(_required_dimensions(indicator))],
        columns=["indicator", "dimension"])
    keys = ["indicator", "entity", "period"]
    wanted = values.loc[values["disaggregation"] == TOTAL, keys].merge(required, on="indicator")
    parts = values.loc[values["disaggregation"] != TOTAL, [*keys, "disaggregation"]]
    names = {key: sorted(dimensions_of(key)) for key in parts["disaggregation"].unique()}
    given = (parts.assign(dimension=parts["disaggregation"].map(names)).explode("dimension")
             [[*keys, "dimension"]].drop_duplicates().astype({"dimension": object}))
    found = wanted.merge(given, how="left", on=[*keys, "dimension"], indicator=True)
    found = found[found["_merge"] == "left_only"].sort_values("dimension")
    return sorted(found[[*keys, "dimension"]].to_dict("records"),
                  key=lambda row: (row["indicator"], parse_period(row["period"]).end,
                                   row["entity"]))


def _required_dimensions(indicator: Indicator) -> set[str]:
    required = {link.dimension.code for link in indicator.dimension_links}
    return required | {"sex"} if indicator.sex_required else required


def inconsistent(values: pd.DataFrame) -> list[dict]:
    """Totals of counts and amounts whose breakdown by one dimension does not add up."""
    additive = values[values["unit"].map(lambda unit: Unit(unit).additive).astype(bool)]
    found = inconsistent_totals(additive[["indicator", "entity", "period", "disaggregation",
                                          "value"]])
    return found.to_dict("records")


def quality_report(session: Session, strategy_code: str, calendar: Calendar,
                   period: str | None = None, since: str | None = None,
                   entity_code: str | None = None) -> dict:
    """Everything the data-quality page shows, as plain data: completeness and timeliness by
    period and by entity, outliers, missing breakdowns and inconsistent totals."""
    returns = expected_returns(session, strategy_code, calendar,
                               parse_period(period) if period else None)
    if entity_code:
        returns = returns[returns["entity"] == entity_code]
    if since:
        returns = returns[returns["period_end"] >= parse_period(since).end]
    values = quantitative_values(session, strategy_code,
                                 Scope.of(session, period, since, entity_code))
    return {
        "by_period": completeness_by(returns, "period"),
        "by_entity": completeness_by(returns, "entity"),
        "outliers": outlying_values(session, values),
        "outlier_threshold": OUTLIER_THRESHOLD,
        "unusual_shares": shifted_shares(values),
        "missing_breakdowns": missing_breakdowns(session, strategy_code, values),
        "inconsistent_totals": inconsistent(values),
    }
