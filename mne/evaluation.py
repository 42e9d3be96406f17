"""What the evaluators' pages and API share: reading filters from a request, the scope of
figures the signed-in user reads, the thresholds and
calendar of config.toml, and the indicator page's data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from flask import request

from indicators.dashboard import Dashboard, dashboard
from indicators.desk import DeskItem, coordinator_desk
from indicators.evaluation import (
    IndicatorProgress,
    IndicatorView,
    Scope,
    indicator_view,
    scoped_progress,
)
from indicators.obligations import Calendar
from indicators.periods import parse_period
from indicators.progress import Status
from mne.accounts.guard import approved_figures_only, permissions
from mne.accounts.permissions import Action
from mne.context import session, settings


def status_label(code: str) -> str:
    """A status code as the reader's language writes it."""
    return Status(code).label


@dataclass(frozen=True)
class Filters:
    """The filters evaluators set: period range, entity, principle, status (codes or None)."""

    since: str | None = None
    until: str | None = None
    entity: str | None = None
    principle: str | None = None
    status: str | None = None

    @classmethod
    def from_request(cls) -> Filters:
        """The filters of the query string (`from`, `to` or `period`, `entity`, `principle`,
        `status`); period codes are normalised, a wrong one raises `PeriodError`."""
        def text(name: str) -> str | None:
            return (request.args.get(name) or "").strip() or None

        def period(name: str) -> str | None:
            return parse_period(text(name)).code if text(name) else None

        return cls(since=period("from"), until=period("to") or period("period"),
                   entity=text("entity"), principle=text("principle"), status=text("status"))

    def args(self, **changes: str | None) -> dict[str, str]:
        """The filters as query arguments, with `changes` applied (None drops one)."""
        current = {"from": self.since, "to": self.until, "entity": self.entity,
                   "principle": self.principle, "status": self.status}
        current.update(changes)
        return {name: value for name, value in current.items() if value}


def calendar() -> Calendar:
    """The reporting calendar of config.toml."""
    return settings().calendar


def today() -> dt.date:
    """The day due dates are judged on."""
    return dt.date.today()


def my_returns() -> list[DeskItem]:
    """The returns the signed-in user's entities (and those below them) owe, as My returns
    and `GET /api/v1/me/returns` list them."""
    return coordinator_desk(session(), permissions().entities(Action.SUBMIT_RETURNS),
                            calendar(), today())


def request_scope(filters: Filters) -> Scope:
    """The values `filters` select that the signed-in user reads: every value for those who
    read every return (administrators, evaluators), approved figures only for the others (see
    `indicators.evaluation.approved_figures`), as the overview does."""
    return Scope.of(session(), filters.until, filters.since, filters.entity,
                    approved_only=approved_figures_only())


def requested_progress(strategy_code: str, filters: Filters,
                       entity_code: str | None = None) -> list[IndicatorProgress]:
    """The strategy's progress table under `filters` (judged on `entity_code`'s own values
    when given) as the signed-in user reads it."""
    if entity_code is not None:
        filters = replace(filters, entity=entity_code)
    return scoped_progress(session(), strategy_code, request_scope(filters),
                           settings().thresholds)


def requested_indicator(strategy_code: str, indicator_code: str,
                        filters: Filters) -> IndicatorView:
    """The indicator as the page and the API present it under `filters` to the signed-in user
    (`NotFound` or `PeriodError` for wrong codes)."""
    return indicator_view(session(), strategy_code, indicator_code, request_scope(filters),
                          settings().thresholds)


def requested_dashboard(strategy_code: str, filters: Filters) -> Dashboard:
    """The strategy's dashboard under `filters` (standing at the period asked, else the newest),
    as the signed-in user reads it (see `indicators.dashboard`)."""
    return dashboard(session(), strategy_code, request_scope(filters), settings().thresholds,
                     parse_period(filters.until) if filters.until else None)
