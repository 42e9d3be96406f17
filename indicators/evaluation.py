"""The evaluators' view of a strategy: each indicator's progress table row, its national series
by period and breakdown, computed once here so that pages, API, reports and the overview
(`latest_totals`) show equal numbers; the strategy as loaded and the figures a scope may read
(`approved_figures`).

Aggregation across entities happens in the database: sums, means and counts grouped over a
covering index, the most recently updated value (the "latest" rule, qualitative levels) ranked
by a window function. Rates per 100,000, weighted by entity population, are combined in pandas
from entity-level rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import Session, selectinload

from indicators import aggregates
from indicators.breakdown import SEX_CATEGORIES, SexBreakdown, coverage, sex_breakdown
from indicators.disaggregation import TOTAL
from indicators.errors import NotFound
from indicators.framework_texts import text_of
from indicators.model import (
    Aggregation,
    DataValue,
    Direction,
    Entity,
    EntityPopulation,
    Indicator,
    Kind,
    Objective,
    Principle,
    Return,
    ReturnState,
    Strategy,
    Unit,
)
from indicators.periods import parse_period
from indicators.progress import (
    Status,
    TargetPoint,
    Thresholds,
    applicable_target,
    expected_progress,
    judge,
    progress,
)
from indicators.series_breaks import Break, breaks_by_indicator, crosses_break, since_latest_break
from indicators.trends import trajectory

SERIES_COLUMNS = ["indicator_id", "period", "period_end", "disaggregation", "value", "entities",
                  "narrative"]
SEX_ONLY_KEYS = [TOTAL, *(f"sex={category}" for category in SEX_CATEGORIES)]


def load_strategy(session: Session, code: str) -> Strategy:
    """The strategy with `code`, or `NotFound` naming it."""
    strategy = session.scalars(
        select(Strategy)
        .where(Strategy.code == code)
        .options(
            selectinload(Strategy.principles)
            .selectinload(Principle.objectives)
            .selectinload(Objective.indicators)
        )
    ).one_or_none()
    if strategy is None:
        raise NotFound("strategy", code)
    return strategy


def approved_figures(statement: Select) -> Select:
    """`statement` on data values, narrowed to the figures those who read approved figures only
    may see: values written by an approved return, and values no return wrote (published
    statistics imported in bulk, which are published figures already). A value written by a
    return still awaiting review, sent back, rejected, or reopened and uploaded again is left
    out until that return is approved."""
    return statement.where(DataValue.return_id.is_(None)
                           | DataValue.return_id.in_(approved_returns()))


def approved_returns() -> Select:
    """The ids of the returns whose figures readers of approved figures see."""
    return select(Return.id).where(Return.state == ReturnState.APPROVED)


@dataclass(frozen=True)
class IndicatorProgress:
    """One row of a strategy's progress table: where an indicator stands at a period.

    baseline and target are the indicator's (pro rata for one entity's part of a summed
    indicator); the target is the one that applies at the period asked (the first ending at or
    after it, else the final one). latest is the newest value at or before that period (the
    strategy's value by the indicator's aggregation, or the entity's own value when an entity is
    asked). progress = (latest − baseline) / (target − baseline) (for "maintain": 1 within the
    tolerance band); expected_progress is linear from the baseline period's end to the target
    period's end, taken at the latest value's period; status is one of Status. slope is per year
    over the last `trend_periods` values, projected_value the trend line at the target period,
    observed_required_ratio the slope over the slope required from baseline to target. sex holds
    the latest period's values by sex with shares; sex_coverage the share of reporting entities
    whose total comes with a sex breakdown (for indicators reported by sex). level, level_label
    and narrative are a qualitative indicator's latest answer. The trend reads only the values
    since the latest series break; across_break says the baseline and the latest value lie on
    either side of one, so that the progress between them is not a like-for-like change."""

    code: str
    name: str
    principle: str
    principle_name: str
    objective: str
    kind: Kind
    unit: Unit
    currency: str
    direction: Direction
    aggregation: Aggregation
    baseline_value: float | None
    baseline_period: str | None
    target_value: float | None
    target_period: str | None
    latest_value: float | None
    latest_period: str | None
    progress: float | None
    expected_progress: float | None
    status: Status
    slope: float | None
    projected_value: float | None
    observed_required_ratio: float | None
    sex: SexBreakdown | None
    sex_coverage: float | None
    level: int | None
    level_label: str | None
    narrative: str | None
    entities_reporting: int
    across_break: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON, the sex breakdown as a mapping; the members of the vocabulary
        stay members, which are written as their codes."""
        return asdict(self)


@dataclass(frozen=True)
class Scope:
    """Which values count: up to the end of `until`, from the start of `since`, of one entity;
    with `approved_only`, only `approved_figures` (for readers of approved figures: the scope a
    request builds says so from the signed-in user's roles); with `periods`, of these period
    codes only."""

    until: dt.date | None = None
    since: dt.date | None = None
    entity_id: int | None = None
    approved_only: bool = False
    periods: tuple[str, ...] | None = None

    def applied_to(self, statement: Select) -> Select:
        """`statement` on data values, narrowed to this scope."""
        if self.until is not None:
            statement = statement.where(DataValue.period_end <= self.until)
        if self.since is not None:
            statement = statement.where(DataValue.period_end >= self.since)
        if self.entity_id is not None:
            statement = statement.where(DataValue.entity_id == self.entity_id)
        if self.approved_only:
            statement = approved_figures(statement)
        if self.periods is not None:
            statement = statement.where(DataValue.period.in_(self.periods))
        return statement

    @classmethod
    def of(cls, session: Session, period: str | None = None, since: str | None = None,
           entity_code: str | None = None, approved_only: bool = False) -> Scope:
        """The scope of period codes and an entity code (`NotFound` when none has it)."""
        return cls(
            until=parse_period(period).end if period else None,
            since=parse_period(since).start if since else None,
            entity_id=entity_id_of(session, entity_code) if entity_code else None,
            approved_only=approved_only,
        )

    def between(self, since: dt.date | None, until: dt.date | None) -> Scope:
        """This scope (same entity, same figures) over other dates."""
        return replace(self, since=since, until=until)


def entity_id_of(session: Session, code: str) -> int:
    """The id of the entity with `code`, or `NotFound` naming it."""
    found = session.scalar(select(Entity.id).where(Entity.code == code))
    if found is None:
        raise NotFound("entity", code)
    return found


def strategy_indicators(session: Session, strategy_code: str) -> list[Indicator]:
    """The indicators of the strategy with `strategy_code` (see `indicators_of`)."""
    return indicators_of(session, load_strategy(session, strategy_code))


def indicators_of(session: Session, strategy: Strategy) -> list[Indicator]:
    """The strategy's indicators that are not archived, principle by principle, with their
    objective, principle, targets and scale loaded."""
    ids = [indicator.id for principle in strategy.principles
           for objective in principle.objectives for indicator in objective.indicators
           if not indicator.archived]
    loaded = session.scalars(
        select(Indicator).where(Indicator.id.in_(ids)).options(*EVALUATED_INDICATOR)).all()
    order = {indicator_id: position for position, indicator_id in enumerate(ids)}
    return sorted(loaded, key=lambda indicator: order[indicator.id])


EVALUATED_INDICATOR = (
    selectinload(Indicator.objective).selectinload(Objective.principle),
    selectinload(Indicator.targets), selectinload(Indicator.scale),
    selectinload(Indicator.dimension_links),
)
"""What judging an indicator reads beside it: its objective and principle, targets, scale
and dimensions."""


def find_indicator(session: Session, strategy_code: str, indicator_code: str) -> Indicator:
    """The strategy's indicator with `indicator_code` (one of `strategy_indicators`), or
    `NotFound` naming the strategy or the indicator."""
    strategy_id = session.scalar(select(Strategy.id).where(Strategy.code == strategy_code))
    if strategy_id is None:
        raise NotFound("strategy", strategy_code)
    found = session.scalars(
        select(Indicator).join(Objective, Objective.id == Indicator.objective_id)
        .join(Principle, Principle.id == Objective.principle_id)
        .where(Principle.strategy_id == strategy_id, Indicator.code == indicator_code,
               Indicator.archived.is_(False))
        .options(*EVALUATED_INDICATOR)).first()
    if found is None:
        raise NotFound("indicator", indicator_code)
    return found


def strategy_progress(
    session: Session,
    strategy_code: str,
    period: str | None,
    thresholds: Thresholds,
    entity_code: str | None = None,
    since: str | None = None,
) -> list[IndicatorProgress]:
    """The progress table of a strategy at `period` (a period code; None: all data), one
    `IndicatorProgress` per indicator that is not archived, principle by principle.

    With `entity_code`, each indicator is judged on that entity's own values: against the
    strategy's baseline and targets, or for an indicator summed across entities against their
    pro-rata part (the entity's share of the strategy total over the periods it reported).
    `since` (a period code) leaves older values out of the trend. Raises `NotFound` or
    `PeriodError` for a wrong code."""
    return scoped_progress(session, strategy_code, Scope.of(session, period, since, entity_code),
                           thresholds)


def scoped_progress(session: Session, strategy_code: str, scope: Scope,
                    thresholds: Thresholds) -> list[IndicatorProgress]:
    """The progress table of a strategy within `scope` (see `strategy_progress`)."""
    return progress_rows(session, strategy_indicators(session, strategy_code), scope, thresholds)


def progress_rows(session: Session, indicators: list[Indicator], scope: Scope,
                  thresholds: Thresholds,
                  frame: pd.DataFrame | None = None) -> list[IndicatorProgress]:
    """`IndicatorProgress` of each indicator within `scope`, from their `aggregated_series`
    (read here unless given)."""
    if frame is None:
        frame = aggregated_series(session, indicators, scope, sex_only=True)
    return judged_rows(indicators, progress_reading(session, indicators, scope, frame),
                       scope, thresholds)


@dataclass(frozen=True)
class ProgressReading:
    """What progress rows are judged from, read once: each indicator's total rows (oldest
    first), its values by sex per period, how many entities gave a sex breakdown per period,
    an entity's shares of summed indicators (`entity_shares`) and the series breaks."""

    totals: dict[int, list[Any]]
    by_sex: dict[tuple[int, str], dict[str, float]]
    covered: dict[tuple[int, str], int]
    shares: dict[int, float]
    breaks: dict[int, list[Break]]

    def until(self, end: dt.date, shares: dict[int, float]) -> ProgressReading:
        """The same reading cut at the periods ending by `end`, with the shares of that cut."""
        return replace(self, shares=shares, totals={
            indicator_id: kept for indicator_id, rows in self.totals.items()
            if (kept := [row for row in rows if row.period_end <= end])})


def progress_reading(session: Session, indicators: list[Indicator], scope: Scope,
                     frame: pd.DataFrame) -> ProgressReading:
    """The `ProgressReading` of the indicators within `scope`, from their `aggregated_series`."""
    by_sex: dict[tuple[int, str], dict[str, float]] = {}
    for indicator_id, period, key, value in zip(
            frame["indicator_id"].tolist(), frame["period"].tolist(),
            frame["disaggregation"].tolist(), frame["value"].tolist(), strict=True):
        if key.startswith("sex=") and ";" not in key:
            by_sex.setdefault((indicator_id, period), {})[key.removeprefix("sex=")] = float(value)
    return ProgressReading(
        totals=national_totals(frame), by_sex=by_sex,
        covered=sex_reporters(session, indicators, scope),
        shares=entity_shares(session, indicators, scope, frame),
        breaks=breaks_by_indicator(session, [indicator.id for indicator in indicators]))


def judged_rows(indicators: list[Indicator], reading: ProgressReading, scope: Scope,
                thresholds: Thresholds) -> list[IndicatorProgress]:
    """`IndicatorProgress` of each indicator within `scope` from `reading`."""
    return [
        _progress_of(indicator, reading.totals.get(indicator.id, []), reading.by_sex,
                     reading.covered, scope, thresholds, reading.shares.get(indicator.id),
                     reading.breaks.get(indicator.id, []))
        for indicator in indicators
    ]


def national_totals(frame: pd.DataFrame) -> dict[int, list[Any]]:
    """The total rows of an `aggregated_series` per indicator id, oldest period first: the
    national (or the scope's entity's) value of each period."""
    totals: dict[int, list[Any]] = {}
    ordered = frame[frame["disaggregation"] == TOTAL].sort_values("period_end", kind="stable")
    for row in ordered.itertuples(index=False):
        totals.setdefault(row.indicator_id, []).append(row)
    return totals


def fully_reported(totals: list[Any]) -> list[Any]:
    """The total rows (of `national_totals`) of the periods as many entities reported as in
    any period: a period some entities left out would read as a fall."""
    usual = max((int(row.entities) for row in totals), default=0)
    return [row for row in totals if int(row.entities) >= usual]


def latest_totals(frame: pd.DataFrame) -> dict[int, Any]:
    """The newest total row of an `aggregated_series` per indicator id (period, value,
    entities): the latest value of the progress table."""
    return {indicator_id: rows[-1] for indicator_id, rows in national_totals(frame).items()}


def entity_shares(session: Session, indicators: list[Indicator], scope: Scope,
                  frame: pd.DataFrame) -> dict[int, float]:
    """In an entity's scope, each summed indicator's share of the strategy total over the
    periods the entity reported (Σ the entity's totals / Σ the strategy's totals), from the
    entity's `aggregated_series`: its baseline and target are taken pro rata."""
    summed = [indicator for indicator in indicators if indicator.kind == Kind.QUANTITATIVE
              and indicator.aggregation == Aggregation.SUM and indicator.unit.additive]
    if scope.entity_id is None or not summed:
        return {}
    strategy = aggregated_series(session, summed, replace(scope, entity_id=None), sex_only=True)
    columns = ["indicator_id", "period", "value"]
    own = frame.loc[frame["disaggregation"] == TOTAL, columns]
    every = strategy.loc[strategy["disaggregation"] == TOTAL, columns]
    sums = own.merge(every, on=["indicator_id", "period"], suffixes=("_own", "_all")) \
        .groupby("indicator_id")[["value_own", "value_all"]].sum()
    return {int(indicator_id): float(row.value_own / row.value_all)
            for indicator_id, row in sums.iterrows() if row.value_all}


def _progress_of(indicator: Indicator, totals: list[Any],
                 by_sex: dict[tuple[int, str], dict[str, float]],
                 covered: dict[tuple[int, str], int], scope: Scope,
                 thresholds: Thresholds, share: float | None = None,
                 breaks: list[Break] | None = None) -> IndicatorProgress:
    """The progress row of one indicator from its totals per period, oldest first; `share`
    scales baseline and target to one entity's part of a summed indicator; the trend reads
    the totals since the latest of `breaks`."""
    latest = totals[-1] if totals else None
    latest_value = float(latest.value) if latest else None
    latest_end = latest.period_end if latest else None
    direction = indicator.direction
    target = applicable_target(_targets(indicator), scope.until or latest_end or dt.date.max)
    baseline_value, target_value = _baseline_and_target(indicator, target, share)
    baseline_end = parse_period(indicator.baseline_period).end if indicator.baseline_period \
        else None
    made = progress(latest_value, baseline_value, target_value, direction,
                    thresholds.maintain_tolerance)
    expected = None
    if latest and target is not None:
        expected = expected_progress(baseline_end, target.end, latest_end, direction)
    periods = [parse_period(row.period) for row in totals]
    comparable = [row for row, kept in zip(totals, since_latest_break(periods, breaks or []),
                                           strict=True) if kept]
    window = comparable[-thresholds.trend_periods:]
    line = trajectory([(row.period_end, float(row.value)) for row in window],
                      thresholds.trend_periods, target.end if target else None, target_value,
                      baseline_value, baseline_end)
    qualitative = indicator.kind == Kind.QUALITATIVE and latest is not None
    level = int(latest_value) if qualitative else None
    by_sex_now = by_sex.get((indicator.id, latest.period), {}) if latest else {}
    return IndicatorProgress(
        code=indicator.code, name=text_of(indicator, "name"),
        principle=indicator.objective.principle.code,
        principle_name=text_of(indicator.objective.principle, "name"),
        objective=indicator.objective.code, kind=indicator.kind,
        unit=indicator.unit, currency=indicator.currency,
        direction=direction, aggregation=indicator.aggregation,
        baseline_value=baseline_value, baseline_period=indicator.baseline_period,
        target_value=target_value, target_period=target.period if target else None,
        latest_value=latest_value, latest_period=latest.period if latest else None,
        progress=made, expected_progress=expected,
        status=judge(made, expected or 0.0, thresholds, direction),
        slope=line.slope, projected_value=line.projected,
        observed_required_ratio=line.observed_required_ratio,
        sex=_sex_of(indicator, by_sex_now, latest_value),
        sex_coverage=_coverage_of(indicator, latest, covered),
        level=level,
        level_label=indicator.scale.label_of(level) if qualitative and indicator.scale else None,
        narrative=(latest.narrative or None) if qualitative else None,
        entities_reporting=int(latest.entities) if latest else 0,
        across_break=crosses_break(parse_period(indicator.baseline_period)
                                   if indicator.baseline_period else None,
                                   periods[-1] if periods else None, breaks or []),
    )


def _targets(indicator: Indicator) -> list[TargetPoint]:
    return [TargetPoint(target.period, target.period_end, target.value, target.final)
            for target in indicator.targets]


def _baseline_and_target(indicator: Indicator, target: TargetPoint | None,
                         share: float | None) -> tuple[float | None, float | None]:
    """Baseline and target values, times `share` when given; a qualitative indicator defaults
    to level 0 and its scale's top level, so that its progress is then level / top level."""
    baseline = indicator.baseline_value
    goal = target.value if target else None
    if share is not None:
        baseline = baseline * share if baseline is not None else None
        goal = goal * share if goal is not None else None
    if indicator.kind == Kind.QUALITATIVE:
        baseline = 0.0 if baseline is None else baseline
        if goal is None and indicator.scale is not None:
            goal = float(indicator.scale.top_level)
    return baseline, goal


def reported_by_sex(indicator: Indicator) -> bool:
    """Whether the indicator is reported by sex (required or among its dimensions)."""
    return indicator.sex_required or any(
        link.dimension.code == "sex" for link in indicator.dimension_links)


def _sex_of(indicator: Indicator, values: dict[str, float],
            total: float | None) -> SexBreakdown | None:
    if total is None or not values or not reported_by_sex(indicator):
        return None
    additive = indicator.unit.additive
    return sex_breakdown(values, total if additive else None, additive)


def _coverage_of(indicator: Indicator, latest: Any,
                 covered: dict[tuple[int, str], int]) -> float | None:
    if latest is None or not reported_by_sex(indicator):
        return None
    return coverage(covered.get((indicator.id, latest.period), 0), int(latest.entities))


# ---------------------------------------------------------------- series


def aggregated_series(session: Session, indicators: list[Indicator], scope: Scope,
                      sex_only: bool = False) -> pd.DataFrame:
    """`direct_series`, read from the national series kept current (`indicators.aggregates`)
    when they answer for `scope`."""
    if aggregates.covers(scope):
        return aggregates.national_series(session, indicators, scope, sex_only)
    return direct_series(session, indicators, scope, sex_only)


def direct_series(session: Session, indicators: list[Indicator], scope: Scope,
                  sex_only: bool = False) -> pd.DataFrame:
    """The strategy's (or the scope's entity's) value of each indicator per period and
    breakdown, by each indicator's aggregation: columns indicator_id, period, period_end,
    disaggregation, value, entities (how many reported), narrative (qualitative, latest).
    With `sex_only`, breakdowns other than by sex alone are left out.

    Sums, means and the most recently updated value are computed by the database
    (`series_selects`); rates per 100,000 are weighted by population in pandas."""
    selects, weighted = series_selects(indicators, scope, sex_only)
    frames = [_frame_of(session, statement) for statement in selects]
    if weighted:
        frames.append(_pandas_aggregates(session, weighted, scope, sex_only))
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    return pd.concat(frames, ignore_index=True)[SERIES_COLUMNS]


def series_selects(indicators: list[Indicator], scope: Scope, sex_only: bool = False
                   ) -> tuple[list[Select], list[Indicator]]:
    """What the database computes of `direct_series`: a select (columns `SERIES_COLUMNS`, read
    from `indicators.indexes.SERIES_INDEX`) of the sums and means, one of the most recently
    updated values; and the indicators left to pandas (rates per 100,000, weighted by
    population)."""
    weighted: list[Indicator] = []
    latest: list[Indicator] = []
    summed: list[Indicator] = []
    for indicator in indicators:
        if indicator.unit == Unit.RATE_PER_100K:
            weighted.append(indicator)
        elif _rule(indicator) == Aggregation.LATEST:
            latest.append(indicator)
        else:
            summed.append(indicator)
    selects = [path(chosen, scope, sex_only) for path, chosen in
               ((_aggregates_select, summed), (_latest_select, latest)) if chosen]
    return selects, weighted


def _frame_of(session: Session, statement: Select) -> pd.DataFrame:
    frame = pd.DataFrame(session.execute(statement).all(), columns=SERIES_COLUMNS)
    frame["value"] = frame["value"].astype(float)
    return frame


def _amount():
    return func.coalesce(DataValue.value, DataValue.level)


def _scoped(statement: Select, indicator_ids: list[int], scope: Scope, sex_only: bool) -> Select:
    statement = scope.applied_to(statement).where(DataValue.indicator_id.in_(indicator_ids),
                                                  _amount().is_not(None))
    if sex_only:
        statement = statement.where(DataValue.disaggregation.in_(SEX_ONLY_KEYS))
    return statement


def _aggregates_select(indicators: list[Indicator], scope: Scope, sex_only: bool) -> Select:
    """The sum per indicator, period and breakdown, the mean for indicators aggregated by
    mean, and how many values."""
    means = [indicator.id for indicator in indicators if indicator.aggregation == Aggregation.MEAN]
    value = case((DataValue.indicator_id.in_(means), func.avg(_amount())),
                 else_=func.sum(_amount())) if means else func.sum(_amount())
    return _scoped(
        select(DataValue.indicator_id, DataValue.period, DataValue.period_end,
               DataValue.disaggregation, value.label("value"),
               func.count().label("entities"), literal("").label("narrative")),
        [indicator.id for indicator in indicators], scope, sex_only,
    ).group_by(DataValue.indicator_id, DataValue.period, DataValue.period_end,
               DataValue.disaggregation)


def _latest_select(indicators: list[Indicator], scope: Scope, sex_only: bool) -> Select:
    """The most recently updated value per indicator, period and breakdown, ranked in SQL."""
    partition = (DataValue.indicator_id, DataValue.period, DataValue.disaggregation)
    ranked = _scoped(
        select(DataValue.indicator_id, DataValue.period, DataValue.period_end,
               DataValue.disaggregation, _amount().label("value"), DataValue.narrative,
               func.row_number().over(partition_by=partition,
                                      order_by=(DataValue.updated_at.desc(),
                                                DataValue.id.desc())).label("rank"),
               func.count().over(partition_by=partition).label("entities")),
        [indicator.id for indicator in indicators], scope, sex_only,
    ).subquery()
    return select(ranked.c.indicator_id, ranked.c.period, ranked.c.period_end,
                  ranked.c.disaggregation, ranked.c.value, ranked.c.entities,
                  ranked.c.narrative).where(ranked.c.rank == 1)


def entity_values(session: Session, indicators: list[Indicator], scope: Scope,
                  sex_only: bool = False) -> pd.DataFrame:
    """Entity-level usable values: indicator_id, entity_id, period, period_end, disaggregation,
    value (the level for qualitative indicators), narrative, updated_at."""
    statement = _scoped(
        select(DataValue.indicator_id, DataValue.entity_id, DataValue.period,
               DataValue.period_end, DataValue.disaggregation, _amount(),
               DataValue.narrative, DataValue.updated_at),
        [indicator.id for indicator in indicators], scope, sex_only,
    )
    return pd.DataFrame(session.execute(statement).all(),
                        columns=["indicator_id", "entity_id", "period", "period_end",
                                 "disaggregation", "value", "narrative", "updated_at"])


def _pandas_aggregates(session: Session, indicators: list[Indicator], scope: Scope,
                       sex_only: bool) -> pd.DataFrame:
    frame = entity_values(session, indicators, scope, sex_only)
    if frame.empty:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    frame["value"] = frame["value"].astype(float)
    frame["population"] = _populations(session, frame)
    rules = {indicator.id: _rule(indicator) for indicator in indicators}
    return combine(frame, rules)[SERIES_COLUMNS]


def _rule(indicator: Indicator) -> Aggregation:
    return Aggregation.LATEST if indicator.kind == Kind.QUALITATIVE else indicator.aggregation


def combine(frame: pd.DataFrame, rules: dict[int, Aggregation]) -> pd.DataFrame:
    """Entity-level values (indicator_id, entity_id, period, period_end, disaggregation, value,
    narrative, updated_at, population) combined per indicator, period and breakdown. `value`
    is weighted by the entities' populations where every one is known (rates per 100,000: the
    rate of their whole population), else the sum, the mean or the most recently updated value
    by the indicator's rule in `rules`; `narrative` is that of the most recently updated value;
    `entities` counts who reported."""
    ordered = frame.sort_values("updated_at", kind="stable").assign(
        weighted=lambda rows: rows["value"] * rows["population"])
    combined = ordered.groupby(["indicator_id", "period", "period_end", "disaggregation"],
                               sort=False, as_index=False).agg(
        total=("value", "sum"), mean=("value", "mean"), size=("value", "size"),
        newest=("value", "last"), narrative=("narrative", "last"),
        entities=("entity_id", "nunique"), weighted=("weighted", "sum"),
        population=("population", "sum"), with_population=("population", "count"))
    rule = combined["indicator_id"].map(rules)
    combined["value"] = np.select([rule == Aggregation.MEAN, rule == Aggregation.LATEST],
                                  [combined["mean"], combined["newest"]], combined["total"])
    weighted = (combined["with_population"] == combined["size"]) & (combined["population"] > 0)
    combined.loc[weighted, "value"] = combined["weighted"] / combined["population"]
    return combined


def _populations(session: Session, frame: pd.DataFrame) -> pd.Series:
    """Population of each row's entity in its period's year: the entity's own, else that of
    the nearest ancestor that has one (an agency serves its country's population)."""
    parents = dict(session.execute(select(Entity.id, Entity.parent_id)).all())
    known = {(entity_id, year): population for entity_id, year, population in session.execute(
        select(EntityPopulation.entity_id, EntityPopulation.year, EntityPopulation.population))}

    def population(entity_id: int, year: int) -> float | None:
        seen: set[int] = set()
        while entity_id is not None and entity_id not in seen:
            if (entity_id, year) in known:
                return float(known[entity_id, year])
            seen.add(entity_id)
            entity_id = parents.get(entity_id)
        return None

    pairs = frame[["entity_id", "period_end"]]
    found = {(entity_id, end): population(entity_id, end.year)
             for entity_id, end in pairs.drop_duplicates().itertuples(index=False)}
    return pd.Series([found.get(pair) for pair in zip(frame["entity_id"], frame["period_end"],
                                                       strict=True)],
                     index=frame.index, dtype=float)


def sex_reporters(session: Session, indicators: list[Indicator],
                  scope: Scope) -> dict[tuple[int, str], int]:
    """`direct_sex_reporters`, read from the national series kept current when they answer
    for `scope`."""
    if aggregates.covers(scope):
        return aggregates.sex_reporters(session, indicators, scope)
    return direct_sex_reporters(session, indicators, scope)


def direct_sex_reporters(session: Session, indicators: Iterable[Indicator],
                         scope: Scope) -> dict[tuple[int, str], int]:
    """How many entities gave a sex breakdown, per indicator and period."""
    statement = sex_reporters_select(indicators, scope)
    if statement is None:
        return {}
    return {(indicator_id, period): count
            for indicator_id, period, count in session.execute(statement)}


def sex_reporters_select(indicators: Iterable[Indicator], scope: Scope) -> Select | None:
    """The select of `direct_sex_reporters` (columns indicator_id, period, reporters); None
    when no indicator is reported by sex."""
    wanted = [indicator.id for indicator in indicators if reported_by_sex(indicator)]
    if not wanted:
        return None
    return _scoped(
        select(DataValue.indicator_id, DataValue.period,
               func.count(func.distinct(DataValue.entity_id)).label("reporters")),
        wanted, scope, sex_only=False,
    ).where(DataValue.disaggregation.like("sex=%")).group_by(DataValue.indicator_id,
                                                             DataValue.period)



def series_points(frame: pd.DataFrame, dimension: str | None = None) -> list[dict[str, Any]]:
    """One indicator's `aggregated_series` as points per period and, with `dimension`, per
    category of that dimension alone: `[{"period", "period_end", "total", "entities",
    "breakdown": {category: value}}]`, oldest first."""
    prefix = f"{dimension}=" if dimension else None
    points: dict[tuple[str, Any], dict[str, Any]] = {}
    for period, period_end, key, value, entities in zip(
            frame["period"], frame["period_end"], frame["disaggregation"], frame["value"],
            frame["entities"], strict=True):
        point = points.setdefault((period, period_end), {
            "period": period, "period_end": period_end, "total": None, "entities": 0,
            "breakdown": {}})
        if key == TOTAL and point["total"] is None:
            point["total"], point["entities"] = float(value), int(entities)
        elif prefix and key.startswith(prefix) and ";" not in key:
            point["breakdown"][key.removeprefix(prefix)] = float(value)
    return sorted(points.values(), key=lambda point: (point["period_end"], point["period"]))


@dataclass(frozen=True)
class IndicatorView:
    """An indicator within a scope: its progress row, its series, and its series by each of
    its dimensions (`{dimension: points}`), from one reading of its values."""

    indicator: Indicator
    scope: Scope
    progress: IndicatorProgress
    series: list[dict[str, Any]]
    breakdowns: dict[str, list[dict[str, Any]]]


def indicator_view(session: Session, strategy_code: str, indicator_code: str, scope: Scope,
                   thresholds: Thresholds) -> IndicatorView:
    """What the indicator page and the API show of one indicator (`NotFound` when the
    strategy has none with that code)."""
    indicator = find_indicator(session, strategy_code, indicator_code)
    frame = aggregated_series(session, [indicator], scope)
    row = progress_rows(session, [indicator], scope, thresholds, frame)[0]
    return IndicatorView(
        indicator=indicator, scope=scope, progress=row, series=series_points(frame),
        breakdowns={link.dimension.code: series_points(frame, link.dimension.code)
                    for link in indicator.dimension_links},
    )


def status_matrix(rows: list[IndicatorProgress]) -> dict[str, dict[str, int]]:
    """How many indicators of each principle stand at each status:
    `{principle: {status: count}}`, every status present (zero where none)."""
    matrix = {row.principle: {status.value: 0 for status in Status} for row in rows}
    for row in rows:
        matrix[row.principle][row.status.value] += 1
    return matrix


@dataclass(frozen=True)
class StatusChange:
    """An indicator whose status moved between two periods; `movement` is +1 when it moved
    towards achieved, −1 away from it, 0 when either side has no data."""

    code: str
    name: str
    principle: str
    before: Status
    after: Status

    @property
    def movement(self) -> int:
        if Status.NO_DATA in (self.before, self.after):
            return 0
        order = list(Status)
        return 1 if order.index(self.after) < order.index(self.before) else -1


def status_changes(before: list[IndicatorProgress],
                   after: list[IndicatorProgress]) -> list[StatusChange]:
    """The indicators whose status differs between two progress tables, in framework order."""
    earlier = {row.code: row.status for row in before}
    return [StatusChange(row.code, row.name, row.principle, earlier[row.code], row.status)
            for row in after if row.code in earlier and earlier[row.code] != row.status]


def sex_coverage_of(rows: list[IndicatorProgress]) -> float | None:
    """The share of the latest values of indicators reported by sex that come with their sex
    breakdown, across the strategy (each indicator weighted by the entities that reported)."""
    counted = [(row.sex_coverage, row.entities_reporting) for row in rows
               if row.sex_coverage is not None and row.entities_reporting]
    reporting = sum(entities for _, entities in counted)
    if not reporting:
        return None
    return sum(share * entities for share, entities in counted) / reporting
