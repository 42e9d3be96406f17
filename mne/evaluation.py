"""What the evaluators' pages and API share: reading filters from a request, the strategy meant
when none is named, the thresholds and calendar of config.toml, and the indicator page's data."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask_babel import lazy_gettext
from sqlalchemy import select

from indicators.evaluation import IndicatorView, Scope, indicator_view
from indicators.model import Strategy
from indicators.periods import parse_period
from indicators.progress import Status
from indicators.review import Calendar
from mne.context import session, settings

STATUS_LABELS = {
    Status.ACHIEVED: lazy_gettext("achieved"),
    Status.ON_TRACK: lazy_gettext("on track"),
    Status.AT_RISK: lazy_gettext("at risk"),
    Status.OFF_TRACK: lazy_gettext("off track"),
    Status.NO_DATA: lazy_gettext("no data"),
}


def status_label(code: str) -> str:
    """A status as the reader's language writes it."""
    return str(STATUS_LABELS[Status(code)])


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


def default_strategy() -> str | None:
    """The strategy meant when none is named: the first by code."""
    return session().scalar(select(Strategy.code).order_by(Strategy.code).limit(1))


def calendar() -> Calendar:
    """The reporting calendar of config.toml."""
    return Calendar(settings().period_type, settings().due_days)


def requested_indicator(strategy_code: str, indicator_code: str,
                        filters: Filters) -> IndicatorView:
    """The indicator as the page and the API present it under `filters` (`UnknownIndicator`,
    `UnknownEntity`, `UnknownStrategy` for wrong codes)."""
    scope = Scope.of(session(), filters.until, filters.since, filters.entity)
    return indicator_view(session(), strategy_code, indicator_code, scope,
                          settings().thresholds)
