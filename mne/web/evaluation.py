"""The evaluators' pages: strategy dashboard, indicator page, entity page, data quality."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from indicators.caveats import Caveats, caveats_of
from indicators.data_quality import (
    completeness_by,
    expected_returns,
    latest_completeness,
    quality_report,
)
from indicators.errors import NotFound
from indicators.evaluation import (
    IndicatorProgress,
    sex_coverage_of,
    status_matrix,
)
from indicators.framework import default_strategy
from indicators.framework_texts import text_of
from indicators.model import Entity, Indicator, Principle, Return, Strategy
from indicators.nature import Certainty, certainty_by_period, resting_on_words
from indicators.obligations import owes, period_being_judged, reporting_indicators
from indicators.periods import Period, parse_period
from indicators.progress import Status
from indicators.provenance import indicator_tables
from mne.accounts.guard import approved_figures_only, requires
from mne.accounts.permissions import Action
from mne.context import session
from mne.evaluation import (
    Filters,
    calendar,
    requested_dashboard,
    requested_indicator,
    requested_progress,
    status_label,
)
from reports.charts import (
    Point,
    Projection,
    axis_title,
    breakdown_chart,
    coverage_note,
    series_context,
    share_bar,
    sparkline,
    status_chart,
    trend_chart,
    usual_coverage,
)

blueprint = Blueprint("evaluation", __name__)


@blueprint.app_template_filter("status_label")
def _status_label(code: str) -> str:
    return status_label(code)


def _strategy(code: str) -> Strategy:
    strategy = session().scalars(select(Strategy).where(Strategy.code == code)).one_or_none()
    if strategy is None:
        raise NotFound("strategy", code)
    return strategy


def _entities() -> list[Entity]:
    return list(session().scalars(select(Entity).order_by(Entity.code)))


@blueprint.get("/dashboard")
@requires(Action.READ_FRAMEWORK)
def first_dashboard():
    """The dashboard of the first strategy."""
    code = default_strategy(session())
    if code is None:
        return render_template("empty.html")
    return redirect(url_for("evaluation.dashboard", code=code))


@blueprint.get("/strategies/<code>/dashboard")
@requires(Action.READ_FRAMEWORK)
def dashboard(code: str):
    """At the top: status by principle as a chart, the sex picture, the completeness of the
    latest period and what changed since the previous one; below, the indicator table,
    filtered by the query's principle, status and entity."""
    strategy = _strategy(code)
    filters = Filters.from_request()
    view = requested_dashboard(code, filters)
    rows = view.rows
    principles = session().scalars(select(Principle).where(Principle.strategy_id == strategy.id)
                                   .order_by(Principle.position)).all()
    listed = [row for row in rows
              if filters.principle in (None, row.principle)
              and filters.status in (None, row.status.value)]
    points = {row.code: _points(view.totals[row.code]) for row in listed}
    owing = reporting_indicators(session(), strategy)  # read once for both completeness rows
    return render_template(
        "evaluation/dashboard.html", strategy=strategy, filters=filters, rows=listed,
        principles=principles, statuses=list(Status), entities=_entities(),
        latest=latest_completeness(session(), code, calendar(), _until(filters),
                                   indicators=owing),
        matrix=status_matrix(rows), status_chart=_status_chart(principles, rows),
        sparklines={row.code: sparkline(_("%(name)s: trend", name=row.name),
                                        points[row.code]) for row in listed},
        coverage={row.code: _latest_coverage(points[row.code]) for row in listed},
        progress_bars={row.code: _progress_bar(row) for row in listed},
        sexed=[row for row in rows if row.sex_coverage is not None],
        sex_coverage=sex_coverage_of(rows), current=view.current, changes=view.changes,
        approved_only=approved_figures_only(),
        judged=period_being_judged(session(), strategy, calendar(), dt.date.today(), owing),
    )


def _status_chart(principles: list[Principle], rows: list[IndicatorProgress]) -> str:
    counts = status_matrix(rows)
    return status_chart(
        _("Indicators by principle and status"),
        {text_of(principle, "name"): {Status(status): count
                          for status, count in counts[principle.code].items()}
         for principle in principles if principle.code in counts})


def _points(totals: list[Any]) -> list[Point]:
    """An indicator's national values per period, with how many entities reported each."""
    return [Point(parse_period(row.period), float(row.value), int(row.entities))
            for row in totals]


def _latest_coverage(points: list[Point]) -> str | None:
    """"2 of 3 entities" when fewer entities than usual reported the latest value."""
    return coverage_note(points[-1], usual_coverage(points)) if points else None


def _progress_bar(row: IndicatorProgress) -> str:
    if row.progress is None:
        return ""
    return share_bar(_("Progress against expected"), row.progress, row.status.colour,
                     mark=row.expected_progress)


@blueprint.get("/strategies/<code>/indicators/<indicator_code>")
@requires(Action.READ_FRAMEWORK)
def indicator_page(code: str, indicator_code: str):
    """Definition, trend chart, breakdown charts, values by entity, narratives, provenance."""
    strategy = _strategy(code)
    filters = Filters.from_request()
    view = requested_indicator(code, indicator_code, filters)
    row = view.progress
    caveats = caveats_of(session(), view.indicator, view.scope)
    certainty = certainty_by_period(session(), view.indicator, view.scope)
    return render_template(
        "evaluation/indicator.html", strategy=strategy, filters=filters,
        indicator=view.indicator, row=row, series=view.series, caveats=caveats,
        trend=_trend(view.series, row, caveats, certainty),
        resting_on=resting_on_words(certainty.get(row.latest_period)),
        breakdowns={dimension: _breakdown(row, view.indicator, dimension, points)
                    for dimension, points in view.breakdowns.items()},
        dimension_names={item.code: text_of(item, "name") for item in view.indicator.dimensions},
        entities=_entities(), **indicator_tables(session(), view),
    )


def _trend(series: list[dict], row: IndicatorProgress, caveats: Caveats,
           certainty: dict[str, Certainty]) -> str:
    """The indicator's chart: its values per period (with their ranges, hollow where
    provisional or alleged) against baseline, target and projection, its crises shaded,
    parted at its breaks, beside its paired estimate."""
    actual = [_point(point, certainty.get(point["period"], Certainty(point["period"])))
              for point in series if point["total"] is not None]
    baseline = target = projection = None
    if row.baseline_value is not None and row.baseline_period:
        baseline = Point(parse_period(row.baseline_period), row.baseline_value)
    if row.target_value is not None and row.target_period:
        target = Point(parse_period(row.target_period), row.target_value)
        if row.projected_value is not None and row.slope is not None:
            projection = Projection(row.slope, Point(target.period, row.projected_value),
                                    row.unit.whole_numbers)
    return trend_chart(_("%(name)s: value per period", name=row.name),
                       axis_title(row.unit, row.currency), actual, baseline, target, projection,
                       context=series_context(caveats))


def _point(point: dict, certainty: Certainty) -> Point:
    return Point(parse_period(point["period"]), point["total"], point["entities"],
                 certainty.low, certainty.high, certainty.hollow)


def _breakdown(row: IndicatorProgress, indicator: Indicator, dimension: str,
               series: list[dict]) -> str:
    """The chart of the indicator by one dimension, its categories named in the reader's
    language."""
    categories: dict[str, list[Point]] = {}
    for point in series:
        for category, value in point["breakdown"].items():
            categories.setdefault(category, []).append(
                Point(parse_period(point["period"]), value))
    found = next(item for item in indicator.dimensions if item.code == dimension)
    labels = {category.code: text_of(category, "label") for category in found.categories}
    return breakdown_chart(_("%(name)s by %(dimension)s", name=row.name,
                             dimension=text_of(found, "name")),
                           axis_title(row.unit, row.currency), categories, labels)


@blueprint.get("/entities/<code>")
@requires(Action.READ_FRAMEWORK)
def entity_page(code: str):
    """An entity's returns, completeness and timeliness, and its indicators' statuses."""
    entity = session().scalars(select(Entity).where(Entity.code == code)).one_or_none()
    if entity is None:
        raise NotFound("entity", code)
    strategy_code = request.args.get("strategy") or default_strategy(session())
    if strategy_code is None:
        return render_template("empty.html")
    strategy = _strategy(strategy_code)
    filters = Filters.from_request()
    reported = {indicator.code for indicator in reporting_indicators(session(), strategy)
                if owes(indicator, entity)}
    rows = [row for row in requested_progress(strategy_code, filters, code)
            if row.code in reported]
    expected = expected_returns(session(), strategy_code, calendar(), _until(filters))
    expected = expected[expected["entity"] == code]
    returns = session().scalars(
        select(Return).where(Return.entity_id == entity.id, Return.strategy_id == strategy.id)
        .order_by(Return.period.desc(), Return.revision.desc())).all()
    return render_template(
        "evaluation/entity.html", entity=entity, strategy=strategy, rows=rows,
        expected=expected.sort_values("period_end", ascending=False).to_dict("records"),
        totals=completeness_by(expected, "entity"), returns=returns, filters=filters,
    )


def _until(filters: Filters) -> Period | None:
    return parse_period(filters.until) if filters.until else None


@blueprint.get("/strategies/<code>/quality")
@requires(Action.REVIEW_RETURNS)
def quality_page(code: str):
    """Completeness and timeliness, outliers, missing breakdowns, inconsistent totals."""
    strategy = _strategy(code)
    filters = Filters.from_request()
    report = quality_report(session(), code, calendar(), filters.until, filters.since,
                            filters.entity)
    return render_template("evaluation/quality.html", strategy=strategy, filters=filters,
                           report=report, entities=_entities())
