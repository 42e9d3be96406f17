"""The dashboard's tables from one reading of the national series: the progress table, each
indicator's national totals per period, the period the dashboard stands at and the indicators
whose status changed since the period before it (judged on the same series, cut at that
period's end, rather than read again)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from indicators.evaluation import (
    IndicatorProgress,
    Scope,
    StatusChange,
    aggregated_series,
    entity_shares,
    judged_rows,
    progress_reading,
    status_changes,
    strategy_indicators,
)
from indicators.periods import Period, parse_period
from indicators.progress import Thresholds


@dataclass(frozen=True)
class Dashboard:
    """The progress table within a scope, each indicator's total rows per period (by indicator
    code, oldest first: the small trend lines), the period it stands at (None without data)
    and the status changes since the period before that one."""

    rows: list[IndicatorProgress]
    totals: dict[str, list[Any]]
    current: Period | None
    changes: list[StatusChange]


def dashboard(session: Session, strategy_code: str, scope: Scope, thresholds: Thresholds,
              until: Period | None = None) -> Dashboard:
    """The dashboard of the strategy within `scope`, standing at `until` (the period asked,
    whose end is `scope.until`), else at the newest period any indicator has."""
    indicators = strategy_indicators(session, strategy_code)
    frame = aggregated_series(session, indicators, scope, sex_only=True)
    reading = progress_reading(session, indicators, scope, frame)
    rows = judged_rows(indicators, reading, scope, thresholds)
    current = until or newest_period(rows)
    changes = []
    if current is not None:
        before = (current - 1).end
        earlier_scope = scope.between(scope.since, before)
        shares = entity_shares(session, indicators, earlier_scope,
                               frame[frame["period_end"] <= before]) if reading.shares else {}
        earlier = judged_rows(indicators, reading.until(before, shares), earlier_scope,
                              thresholds)
        changes = status_changes(earlier, rows)
    return Dashboard(rows, {indicator.code: reading.totals.get(indicator.id, [])
                            for indicator in indicators}, current, changes)


def newest_period(rows: list[IndicatorProgress]) -> Period | None:
    """The newest period any row of a progress table has a value for."""
    reported = [parse_period(row.latest_period) for row in rows if row.latest_period]
    return max(reported) if reported else None
