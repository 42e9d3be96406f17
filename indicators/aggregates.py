"""The national series kept current: one row per indicator, period, breakdown and scope of
figures (all, or approved only) holding the value `indicators.evaluation` computes from every
entity's values (sum, mean, latest, population-weighted rate), how many entities reported it,
the newest narrative and, on total rows, how many entities gave a sex breakdown.

Pages, the API and reports read these rows instead of scanning every value. They are kept
current in the transaction that changes what they summarise: the writers of values
(`indicators.values`) and review decisions `mark` the (indicator, period) pairs they touch;
any change of a population, an entity or an indicator marks the series it may change. The
marked pairs are recomputed by the direct computation of `indicators.evaluation` (so both
always agree) before the transaction commits, or before the first read of the series in that
transaction (`settle`): what it computes in SQL goes from its selects straight into the summary
(`INSERT ... SELECT`), only rates weighted by population pass through pandas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    Select,
    String,
    Text,
    case,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, selectinload
from sqlalchemy.orm.util import identity_key

from indicators.disaggregation import TOTAL
from indicators.model import (
    Base,
    DataValue,
    Entity,
    EntityPopulation,
    Indicator,
    IndicatorDimension,
    Unit,
)

if TYPE_CHECKING:  # the computation is imported when a series is computed or read, so that
    # every process that writes can load the listeners below at once (`mne.database`)
    import pandas as pd

    from indicators import evaluation

PENDING = "stale national series"
PENDING_RATES = "stale rates per 100,000"
PENDING_INDICATORS = "stale indicators"
CHUNK = 500

#: Read the series from the summary (True) or compute them from every value (False: the
#: agreement tests compare both).
READ_FROM_SUMMARY = True


class SeriesSummary(Base):
    """The national value of an indicator for one period and breakdown, over all figures or
    over approved figures only (`approved_only`)."""

    __tablename__ = "series_summary"

    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    disaggregation: Mapped[str] = mapped_column(String(200), primary_key=True)
    approved_only: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    period_end: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    entities: Mapped[int] = mapped_column(Integer)
    narrative: Mapped[str] = mapped_column(Text)
    sex_reporters: Mapped[int] = mapped_column(Integer)


# ---------------------------------------------------------------- keeping it current


def mark(session: Session, keys: Iterable[tuple[int, str]]) -> None:
    """Note that the series of these (indicator id, period) pairs changed in this
    transaction; they are recomputed before it commits or is next read."""
    session.info.setdefault(PENDING, set()).update(keys)


def mark_values_of_returns(session: Session, return_ids: Iterable[int]) -> None:
    """Note the pairs of the values written by these returns (their state changed, so their
    values joined or left the approved figures)."""
    ids = list(return_ids)
    for start in range(0, len(ids), CHUNK):
        mark(session, session.execute(
            select(DataValue.indicator_id, DataValue.period).distinct()
            .where(DataValue.return_id.in_(ids[start:start + CHUNK]))).all())


def mark_indicator(session: Session, indicator_id: int) -> None:
    """Note that every pair of an indicator changed (its unit, aggregation or kind may have)."""
    session.info.setdefault(PENDING_INDICATORS, set()).add(indicator_id)


def mark_rates(session: Session) -> None:
    """Note that every pair of the indicators weighted by population changed (a population or
    an entity's parent changed)."""
    session.info[PENDING_RATES] = True


def _pairs_of_indicators(session: Session, indicator_ids: set[int],
                         rates: bool) -> list[tuple[int, str]]:
    statement = select(DataValue.indicator_id, DataValue.period).distinct().join(
        Indicator, Indicator.id == DataValue.indicator_id)
    chosen = Indicator.id.in_(indicator_ids)
    if rates:
        chosen = chosen | (Indicator.unit == Unit.RATE_PER_100K)
    return session.execute(statement.where(chosen)).all()


def settle(session: Session) -> None:
    """Recompute the pairs marked in this transaction."""
    pending = session.info.pop(PENDING, set())
    indicator_ids = session.info.pop(PENDING_INDICATORS, set())
    rates = session.info.pop(PENDING_RATES, False)
    if indicator_ids or rates:
        pending.update(_pairs_of_indicators(session, indicator_ids, rates))
    if pending:
        refresh(session, pending)


@event.listens_for(Session, "before_commit")
def _settle_before_commit(session: Session) -> None:
    settle(session)


@event.listens_for(Session, "before_flush")
def _mark_definitions(session: Session, _context, _instances) -> None:
    """Populations and entities (the weights of rates per 100,000) and indicators (their unit,
    aggregation, kind), however they are edited, mark the series they change."""
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, EntityPopulation | Entity):
            mark_rates(session)
        elif isinstance(row, Indicator) and row.id is not None:
            mark_indicator(session, row.id)


def refresh(session: Session, keys: Iterable[tuple[int, str]]) -> None:
    """Recompute the summary rows of these (indicator id, period) pairs from the values:
    the indicators marked in the same periods together, a chunk of them at a time."""
    periods_of: dict[int, set[str]] = {}
    for indicator_id, period in keys:
        periods_of.setdefault(indicator_id, set()).add(period)
    by_periods: dict[tuple[str, ...], list[int]] = {}
    for indicator_id, periods in sorted(periods_of.items()):
        by_periods.setdefault(tuple(sorted(periods)), []).append(indicator_id)
    for periods, ids in by_periods.items():
        for start in range(0, len(ids), CHUNK):
            _refresh_chunk(session, ids[start:start + CHUNK], periods)


def rebuild(session: Session) -> None:
    """Recompute the whole summary (a new or migrated database, values written in bulk)."""
    session.execute(delete(SeriesSummary))
    indicator_ids = sorted(session.scalars(select(DataValue.indicator_id).distinct()))
    periods = tuple(sorted(session.scalars(select(DataValue.period).distinct())))
    for start in range(0, len(indicator_ids), CHUNK):
        _refresh_chunk(session, indicator_ids[start:start + CHUNK], periods)


SUMMARY_COLUMNS = ("indicator_id", "period", "disaggregation", "approved_only", "period_end",
                   "value", "entities", "narrative", "sex_reporters")


def _refresh_chunk(session: Session, indicator_ids: list[int], periods: tuple[str, ...]) -> None:
    """The summary rows of these indicators in these periods computed again, over all figures
    and over approved ones: by the database where `indicators.evaluation` computes them in
    SQL (the rows go from its select into the summary), else read and written here."""
    from indicators import evaluation

    indicators = _indicators(session, indicator_ids)
    session.execute(delete(SeriesSummary).where(SeriesSummary.indicator_id.in_(indicator_ids),
                                                SeriesSummary.period.in_(periods)))
    for approved_only in (False, True):
        scope = evaluation.Scope(approved_only=approved_only, periods=periods)
        selects, weighted = evaluation.series_selects(indicators, scope)
        reporters = evaluation.sex_reporters_select(indicators, scope)
        for series in selects:
            session.execute(insert(SeriesSummary).from_select(
                SUMMARY_COLUMNS, _summary_select(series, reporters, approved_only)))
        if weighted:
            _insert_computed(session, weighted, scope)


def _indicators(session: Session, indicator_ids: list[int]) -> list[Indicator]:
    """The indicators with their dimensions; those the session holds with them already (an
    import's form) are not read again."""
    held = [session.identity_map.get(identity_key(Indicator, indicator_id))
            for indicator_id in indicator_ids]
    ready = [indicator for indicator in held if indicator is not None
             and "dimension_links" not in inspect(indicator).unloaded
             and all("dimension" not in inspect(link).unloaded
                     for link in indicator.dimension_links)]
    missing = set(indicator_ids) - {indicator.id for indicator in ready}
    if missing:
        ready += session.scalars(select(Indicator).where(Indicator.id.in_(missing)).options(
            selectinload(Indicator.dimension_links).selectinload(IndicatorDimension.dimension)))
    return ready


def _summary_select(series: Select, reporters: Select | None, approved_only: bool) -> Select:
    """The summary rows of `series` (`evaluation.series_selects`), the total of each indicator
    and period with its sex reporters (`reporters`, `evaluation.sex_reporters_select`)."""
    rows = series.subquery()
    source, counted = rows, literal(0)
    if reporters is not None:
        found = reporters.subquery()
        source = rows.outerjoin(found, (found.c.indicator_id == rows.c.indicator_id)
                                & (found.c.period == rows.c.period))
        counted = case((rows.c.disaggregation == TOTAL, func.coalesce(found.c.reporters, 0)),
                       else_=0)
    return select(rows.c.indicator_id, rows.c.period, rows.c.disaggregation,
                  literal(approved_only), rows.c.period_end, rows.c.value, rows.c.entities,
                  rows.c.narrative, counted).select_from(source)


def _insert_computed(session: Session, indicators: list[Indicator],
                     scope: evaluation.Scope) -> None:
    """The summary rows of the indicators `indicators.evaluation` computes in pandas."""
    from indicators import evaluation

    frame = evaluation.direct_series(session, indicators, scope)
    reporters = evaluation.direct_sex_reporters(session, indicators, scope)
    rows = [
        {"indicator_id": int(row.indicator_id), "period": row.period,
         "disaggregation": row.disaggregation, "approved_only": scope.approved_only,
         "period_end": row.period_end, "value": float(row.value),
         "entities": int(row.entities), "narrative": row.narrative or "",
         "sex_reporters": reporters.get((row.indicator_id, row.period), 0)
         if row.disaggregation == TOTAL else 0}
        for row in frame.itertuples(index=False)
    ]
    if rows:
        session.execute(insert(SeriesSummary), rows)


# ---------------------------------------------------------------- reading it


def covers(scope: evaluation.Scope) -> bool:
    """Whether the summary answers for `scope`: the whole strategy's figures (one entity's
    own values are few, and read directly)."""
    return READ_FROM_SUMMARY and scope.entity_id is None and scope.periods is None


def _read(session: Session, columns: list, indicator_ids: list[int], scope: evaluation.Scope,
          breakdowns: list[str] | None):
    settle(session)
    statement = select(*columns).where(SeriesSummary.indicator_id.in_(indicator_ids),
                                       SeriesSummary.approved_only == scope.approved_only)
    if scope.until is not None:
        statement = statement.where(SeriesSummary.period_end <= scope.until)
    if scope.since is not None:
        statement = statement.where(SeriesSummary.period_end >= scope.since)
    if breakdowns is not None:
        statement = statement.where(SeriesSummary.disaggregation.in_(breakdowns))
    return session.execute(statement)


def national_series(session: Session, indicators: list[Indicator], scope: evaluation.Scope,
                    sex_only: bool) -> pd.DataFrame:
    """`evaluation.aggregated_series` read from the summary (see `covers`)."""
    import pandas as pd

    from indicators import evaluation

    result = _read(session, [SeriesSummary.indicator_id, SeriesSummary.period,
                             SeriesSummary.period_end, SeriesSummary.disaggregation,
                             SeriesSummary.value, SeriesSummary.entities,
                             SeriesSummary.narrative],
                   [indicator.id for indicator in indicators], scope,
                   evaluation.SEX_ONLY_KEYS if sex_only else None)
    # plain tuples: pandas reads them three times faster than rows
    return pd.DataFrame([tuple(row) for row in result], columns=evaluation.SERIES_COLUMNS)


def sex_reporters(session: Session, indicators: list[Indicator],
                  scope: evaluation.Scope) -> dict[tuple[int, str], int]:
    """`evaluation.sex_reporters` read from the summary (see `covers`)."""
    result = _read(session, [SeriesSummary.indicator_id, SeriesSummary.period,
                             SeriesSummary.sex_reporters],
                   [indicator.id for indicator in indicators], scope, [TOTAL])
    return {(indicator_id, period): count for indicator_id, period, count in result
            if count}
