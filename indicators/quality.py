"""Data quality arithmetic: completeness and timeliness of returns, outliers in a series.

The outlier rule lives here alone: the upload checks (`is_unusual`) and the data-quality page
(`outliers`) judge a value alike, against the rest of its series. A value is worth a warning
when the tests agree: its robust (modified) z-score lies beyond OUTLIER_THRESHOLD; it differs
from the median by at least OUTLIER_MIN_RATIO of it; and a count differs by at least
OUTLIER_MIN_CHANGE and by more than chance would make a Poisson count differ (POISSON_BOUND
standard deviations, √median).
Small, zero-inflated counts (3 after 0, 1, 0, 2) and ordinary drift (335 after a median of 272)
stay quiet; ×10, a sign flip or two categories swapped still stand out.

Two categories swapped (female and male) may leave each value plausible; their shares of the
total do not: `unusual_shares` (the upload checks and the data-quality page) judges each
category's share against its earlier shares (`is_unusual_share`), one warning per breakdown."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from statistics import mean, median
from typing import Any, NamedTuple

import pandas as pd

from indicators.disaggregation import TOTAL, parse_key

OUTLIER_THRESHOLD = 3.5
OUTLIER_MIN_SERIES = 4
OUTLIER_MIN_CHANGE = 5.0
OUTLIER_MIN_RATIO = 0.4
POISSON_BOUND = 3.0
SHARE_MIN_TOTAL = 10
SHARE_MIN_CHANGE = 0.15
SHARE_BOUND = 3.0
MAD_SCALE = 0.6745
MEAN_AD_SCALE = 1.253314


def completeness(frame: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """Completeness (returns received / expected) and timeliness (received on time / expected)
    grouped `by` entity or period, from a frame with one row per return expected and the
    columns received and on_time (bool)."""
    grouped = frame.groupby(by, as_index=False).agg(
        expected=("received", "size"), received=("received", "sum"),
        on_time=("on_time", "sum"))
    grouped["completeness"] = grouped["received"] / grouped["expected"]
    grouped["timeliness"] = grouped["on_time"] / grouped["expected"]
    return grouped


def _spread(deviations: Sequence[float]) -> float:
    """The divisor of the modified z-score for these absolute deviations from the median:
    MAD / 0.6745 (Iglewicz and Hoaglin); when more than half the values are equal (MAD zero),
    1.253314 × the mean absolute deviation; 0 when every value is equal."""
    mad = median(deviations)
    return mad / MAD_SCALE if mad > 0 else MEAN_AD_SCALE * mean(deviations)


def outlier_score(value: float, others: Sequence[float]) -> float | None:
    """The modified z-score of `value` against `others` (the rest of its series): its distance
    from their median over their spread (see `_spread`), infinite when they are all equal and
    it differs; None when the series with the value is shorter than OUTLIER_MIN_SERIES."""
    if len(others) + 1 < OUTLIER_MIN_SERIES:
        return None
    middle = median(others)
    spread = _spread([abs(item - middle) for item in others])
    if spread > 0:
        return (value - middle) / spread
    return 0.0 if value == middle else math.copysign(math.inf, value - middle)


def is_unusual(value: float, others: Sequence[float], count: bool) -> bool:
    """Whether `value` stands out from `others` (the rest of its series; for an upload, its
    earlier values) enough to warn, by the module's rule; `count`: whether it is a count."""
    score = outlier_score(value, others)
    if score is None or abs(score) <= OUTLIER_THRESHOLD:
        return False
    middle = median(others)
    change = abs(value - middle)
    if change < OUTLIER_MIN_RATIO * abs(middle):
        return False
    return not count or (change >= OUTLIER_MIN_CHANGE
                         and change > POISSON_BOUND * math.sqrt(max(abs(middle), 1.0)))


def usual_share(earlier: Sequence[tuple[float, float]]) -> float | None:
    """The median share of a category in its total over earlier periods (`earlier`: pairs of
    the category's value and the total); None with fewer than OUTLIER_MIN_SERIES - 1 periods."""
    shares = _shares(earlier)
    return median(shares) if len(shares) + 1 >= OUTLIER_MIN_SERIES else None


def _shares(earlier: Sequence[tuple[float, float]]) -> list[float]:
    return [part / whole for part, whole in earlier if whole > 0]


def is_unusual_share(part: float, whole: float, earlier: Sequence[tuple[float, float]]) -> bool:
    """Whether a category's share of its total (`part` of `whole`) stands out from its shares
    in earlier periods (`earlier`, see `usual_share`), as when two categories are swapped:
    totals under SHARE_MIN_TOTAL are not judged; the share must differ from the usual share by
    SHARE_MIN_CHANGE, and by more than chance would make it differ (SHARE_BOUND binomial
    standard errors) or than the earlier shares ever did (OUTLIER_THRESHOLD robust spreads)."""
    usual = usual_share(earlier)
    if usual is None or whole < SHARE_MIN_TOTAL:
        return False
    change = abs(part / whole - usual)
    chance = SHARE_BOUND * math.sqrt(max(usual * (1 - usual), 1 / whole) / whole)
    spread = _spread([abs(share - usual) for share in _shares(earlier)])
    return change >= SHARE_MIN_CHANGE and (change > chance
                                           or change > OUTLIER_THRESHOLD * spread)


def unusual_category(parts: Mapping[str, float], whole: float,
                     earlier: Mapping[str, Sequence[tuple[float, float]]]) -> str | None:
    """The first category of a breakdown (`parts`: its categories' values, `whole`: the total)
    whose share stands out from its earlier shares (`earlier`, by category), or None: one
    warning per breakdown however many categories moved."""
    return next((category for category, part in parts.items()
                 if is_unusual_share(part, whole, earlier.get(category, ()))), None)


class ShareBreakdown(NamedTuple):
    """A breakdown by one dimension of one entity's count in one period, with the earlier
    (value, total) pairs of each of its categories."""

    indicator: Any
    entity: Any
    period: str
    parts: dict[str, float]
    whole: float
    earlier: dict[str, list[tuple[float, float]]]


def share_breakdowns(frame: pd.DataFrame) -> Iterator[ShareBreakdown]:
    """Every breakdown by one dimension in `frame` (count values with the columns indicator,
    entity, period, period_end, disaggregation, value) that has a total, oldest period first."""
    values = frame.dropna(subset=["value"])
    totals: dict[tuple, float] = {}
    series: dict[tuple, dict[Any, tuple[str, dict[str, float]]]] = {}
    for indicator, entity, period, end, key, value in values[
            ["indicator", "entity", "period", "period_end", "disaggregation", "value"]
    ].itertuples(index=False, name=None):
        if key == TOTAL:
            totals[(indicator, entity, period)] = value
        elif (dimension := _only_dimension(key)) is not None:
            periods = series.setdefault((indicator, entity, dimension), {})
            periods.setdefault(end, (period, {}))[1][key] = value
    for (indicator, entity, _dimension), periods in series.items():
        earlier: dict[str, list[tuple[float, float]]] = {}
        for end in sorted(periods):
            period, categories = periods[end]
            whole = totals.get((indicator, entity, period))
            if not whole:
                continue
            yield ShareBreakdown(indicator, entity, period, categories, whole,
                                 {key: list(pairs) for key, pairs in earlier.items()})
            for key, part in categories.items():
                earlier.setdefault(key, []).append((part, whole))


@functools.lru_cache(maxsize=4096)
def _only_dimension(key: str) -> str | None:
    dimensions = list(parse_key(key))
    return dimensions[0] if len(dimensions) == 1 else None


def unusual_shares(frame: pd.DataFrame, period: str | None = None) -> list[dict[str, Any]]:
    """The categories whose share of their total stands out from their earlier shares
    (`unusual_category`), one per breakdown, among the breakdowns of `frame` (see
    `share_breakdowns`), of `period` only when given. Rows: indicator, entity, period,
    disaggregation, value, total, share, usual (the usual share)."""
    found = []
    for breakdown in share_breakdowns(frame):
        category = (unusual_category(breakdown.parts, breakdown.whole, breakdown.earlier)
                    if period in (None, breakdown.period) else None)
        if category is not None:
            part = breakdown.parts[category]
            found.append({"indicator": breakdown.indicator, "entity": breakdown.entity,
                          "period": breakdown.period, "disaggregation": category,
                          "value": part, "total": breakdown.whole,
                          "share": part / breakdown.whole,
                          "usual": usual_share(breakdown.earlier[category])})
    return found


def outliers(frame: pd.DataFrame, by: list[str],
             compares: Callable[[Any, str, str], bool] | None = None) -> pd.DataFrame:
    """Rows of `frame` whose `value` stands out from the rest of its own series (the rows
    sharing the `by` columns) by `is_unusual`; a bool column `count` says which are counts;
    `compares(key, period, other)`, when given, which other periods' values (column `period`)
    a value is judged against. Adds the columns z_score and median (of those values)."""
    rows = []
    for key, series in frame.dropna(subset=["value"]).groupby(by, sort=False):
        values = series["value"].astype(float).tolist()
        periods = series["period"].tolist() if compares else []
        counts = series["count"].tolist() if "count" in series else [False] * len(values)
        for position, (index, value) in enumerate(zip(series.index, values, strict=True)):
            others = [other for place, other in enumerate(values) if place != position
                      and (compares is None
                           or compares(key, periods[position], periods[place]))]
            if is_unusual(value, others, bool(counts[position])):
                rows.append((index, outlier_score(value, others), median(others)))
    found = frame.loc[[index for index, _score, _median in rows]].copy()
    found["z_score"] = [score for _index, score, _median in rows]
    found["median"] = [middle for _index, _score, middle in rows]
    return found.reset_index(drop=True)
