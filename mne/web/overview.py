"""The strategy overview pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from indicators.model import Strategy
from indicators.overview import strategy_overview
from mne.accounts.guard import approved_figures_only, requires
from mne.accounts.permissions import Action
from mne.context import session

blueprint = Blueprint("web", __name__)


@blueprint.get("/")
@requires(Action.READ_FRAMEWORK)
def home():
    """The overview of the first strategy, or an invitation to load one."""
    strategies = session().scalars(select(Strategy).order_by(Strategy.code)).all()
    if not strategies:
        return render_template("empty.html")
    return strategy_page(strategies[0].code)


@blueprint.get("/strategies/<code>")
@requires(Action.READ_FRAMEWORK)
def strategy_page(code: str):
    """A strategy's principles, objectives and indicators with their latest national values."""
    overview = strategy_overview(session(), code, approved_only=approved_figures_only())
    strategies = session().scalars(select(Strategy).order_by(Strategy.code)).all()
    return render_template("overview.html", overview=overview, strategies=strategies)
