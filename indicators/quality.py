"""Data quality arithmetic: completeness and timeliness of returns, outliers in a series."""

from __future__ import annotations

import pandas as pd

OUTLIER_THRESHOLD = 3.5
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


def modified_z_scores(values: pd.Series) -> pd.Series:
    """Modified z-score of each value against the series' own median: 0.6745 (x − median) / MAD
    (Iglewicz and Hoaglin). When more than half the values are equal (MAD zero), the mean
    absolute deviation stands in: (x − median) / (1.253314 × MeanAD); all zero when every
    value is equal."""
    present = values.astype(float)
    deviation = present - present.median()
    mad = deviation.abs().median()
    if mad > 0:
        return MAD_SCALE * deviation / mad
    mean_deviation = deviation.abs().mean()
    if not mean_deviation > 0:
        return deviation * 0.0
    return deviation / (MEAN_AD_SCALE * mean_deviation)


def outliers(frame: pd.DataFrame, by: list[str], threshold: float = OUTLIER_THRESHOLD,
             minimum: int = 4) -> pd.DataFrame:
    """Rows of `frame` whose `value` lies beyond `threshold` in modified z-score within its own
    series (the rows sharing the `by` columns); series shorter than `minimum` are skipped.
    Adds the column z_score."""
    scored = frame.dropna(subset=["value"]).copy()
    sizes = scored.groupby(by)["value"].transform("size")
    scored = scored[sizes >= minimum]
    if scored.empty:
        return scored.assign(z_score=pd.Series(dtype=float))
    scored["z_score"] = scored.groupby(by, group_keys=False)["value"].apply(modified_z_scores)
    return scored[scored["z_score"].abs() > threshold].reset_index(drop=True)
