"""Data quality arithmetic: completeness and timeliness of returns, outliers in a series.

The outlier rule lives here alone: the upload checks (`outlier_score`) and the data-quality
page (`outliers`) judge a value alike."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import mean, median

import pandas as pd

OUTLIER_THRESHOLD = 3.5
OUTLIER_MIN_SERIES = 4
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


def modified_z_scores(values: pd.Series) -> pd.Series:
    """Modified z-score of each value against the series' own median (see `_spread`); all
    zero when every value is equal."""
    deviation = values.astype(float) - values.astype(float).median()
    spread = _spread(deviation.abs().tolist())
    return deviation / spread if spread > 0 else deviation * 0.0


def is_outlier(score: float | None) -> bool:
    """Whether a modified z-score lies beyond the outlier threshold."""
    return score is not None and abs(score) > OUTLIER_THRESHOLD


def outlier_score(value: float, others: Sequence[float]) -> float | None:
    """The modified z-score of `value` within its series: `others` (the series' other values)
    and the value itself; None when that series is shorter than OUTLIER_MIN_SERIES."""
    series = [*others, value]
    if len(series) < OUTLIER_MIN_SERIES:
        return None
    middle = median(series)
    spread = _spread([abs(item - middle) for item in series])
    return (value - middle) / spread if spread > 0 else 0.0


def outliers(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Rows of `frame` whose `value` is an outlier (`is_outlier`) within its own series (the
    rows sharing the `by` columns); series shorter than OUTLIER_MIN_SERIES are skipped.
    Adds the column z_score."""
    scored = frame.dropna(subset=["value"]).copy()
    sizes = scored.groupby(by)["value"].transform("size")
    scored = scored[sizes >= OUTLIER_MIN_SERIES]
    if scored.empty:
        return scored.assign(z_score=pd.Series(dtype=float))
    scored["z_score"] = scored.groupby(by, group_keys=False)["value"].apply(modified_z_scores)
    return scored[scored["z_score"].map(is_outlier)].reset_index(drop=True)
