"""Strategies and their indicators."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from indicators.framework_texts import text_of
from indicators.model import Strategy
from indicators.overview import strategy_overview
from mne.accounts.guard import approved_figures_only, requires
from mne.accounts.permissions import Action
from mne.api import blueprint
from mne.context import session


@blueprint.get("/strategies")
@requires(Action.READ_FRAMEWORK)
def strategies():
    """Every strategy, by code."""
    rows = session().scalars(select(Strategy).order_by(Strategy.code))
    return jsonify([
        {"code": row.code, "title": text_of(row, "title"), "area": row.area,
         "start_year": row.start_year, "end_year": row.end_year}
        for row in rows
    ])


@blueprint.get("/strategies/<code>/indicators")
@requires(Action.READ_FRAMEWORK)
def strategy_indicators(code: str):
    """The strategy's principles, objectives and indicators with latest national values."""
    return jsonify(strategy_overview(session(), code, approved_only=approved_figures_only()))
