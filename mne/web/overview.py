"""The strategy overview pages."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from sqlalchemy import select

from indicators.model import Strategy
from indicators.overview import strategy_overview
from mne.accounts.guard import approved_figures_only, permissions, requires
from mne.accounts.permissions import Action
from mne.context import session

blueprint = Blueprint("web", __name__)


@blueprint.get("/")
@requires(Action.READ_FRAMEWORK)
def home():
    """A coordinator's returns; for others the overview of the first strategy, or an
    invitation to load one."""
    if permissions().entities(Action.SUBMIT_RETURNS):  # a set: the entities coordinated
        return redirect(url_for("returns.mine"))
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
