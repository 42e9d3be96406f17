"""Progress and series of an indicator: the numbers of the evaluators' pages, as JSON."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from indicators.framework import default_strategy
from indicators.nature import Certainty, certainty_by_period
from mne.accounts.guard import requires
from mne.accounts.permissions import Action
from mne.api import blueprint
from mne.api.openapi import documented
from mne.context import session
from mne.evaluation import Filters, requested_indicator


def _view(code: str):
    """The indicator's view for the request's strategy (default: the first) and filters."""
    strategy = request.args.get("strategy") or default_strategy(session())
    return strategy, requested_indicator(strategy, code, Filters.from_request())


def _answer(code: str, present):
    strategy, view = _view(code)
    return jsonify({"strategy": strategy, **present(view)})


ANSWERS = {"200": "The figures, as JSON", "400": "A period code that is not one",
           "404": "No such strategy, indicator or entity"}
SCOPE = {"strategy": "Strategy code (default: the first)", "entity": "Entity code: its own values",
         "from": "First period of the trend (e.g. 2025Q1)"}


@blueprint.get("/indicators/<code>/progress")
@requires(Action.READ_FRAMEWORK)
@documented(query={"period": "Period judged, e.g. 2026Q3 (default: all data)", **SCOPE},
            responses=ANSWERS)
def indicator_progress(code: str):
    """`?period=2026Q3[&entity=CODE][&strategy=CODE]`: baseline, target, latest value and
    period, progress, expected progress, status, slope, projection, observed/required ratio,
    sex breakdown and coverage."""
    return _answer(code, lambda view: {"period": Filters.from_request().until,
                                       "entity": request.args.get("entity") or None,
                                       **view.progress.as_dict()})


@blueprint.get("/indicators/<code>/series")
@requires(Action.READ_FRAMEWORK)
@documented(query={"disaggregate": "A dimension, e.g. sex or age", "to": "Last period",
                   **SCOPE}, responses=ANSWERS)
def indicator_series(code: str):
    """`?disaggregate=sex` (or age, or none)[&entity][&from][&to][&strategy]: the value per
    period by the indicator's aggregation, the natures of the values behind it and the band
    (low, high) of their ranges, with the values per category of the dimension."""
    dimension = request.args.get("disaggregate") or None

    def present(view):
        if dimension is not None and dimension not in view.breakdowns:
            return {"indicator": code, "disaggregate": dimension, "series": [],
                    "problem": _("This indicator is not broken down by %(dimension)s.",
                                 dimension=dimension)}
        points = view.breakdowns[dimension] if dimension else view.series
        certainty = certainty_by_period(session(), view.indicator, view.scope)
        return {
            "indicator": code, "unit": view.progress.unit, "disaggregate": dimension,
            "series": [{"period": point["period"], "value": point["total"],
                        "entities": point["entities"],
                        **certainty.get(point["period"], Certainty(point["period"])).as_dict(),
                        **({"breakdown": point["breakdown"]} if dimension else {})}
                       for point in points],
        }

    return _answer(code, present)
