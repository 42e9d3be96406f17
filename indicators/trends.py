"""Trajectory of a series: least-squares slope, projection, observed against required rate.

Time is measured in years between period ends, so series of any frequency compare alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Trajectory:
    """Slope per year over the window, value projected at the target period, and the ratio of
    the observed rate of change to the rate required from baseline to target."""

    slope: float | None
    projected: float | None
    observed_required_ratio: float | None


def years_between(start: dt.date, end: dt.date) -> float:
    """Years from `start` to `end`."""
    return (end - start).days / DAYS_PER_YEAR


def least_squares(series: pd.Series) -> tuple[float, float] | None:
    """Slope per year and intercept (value at the first date) of the least-squares line through
    a series indexed by dates; None with fewer than two points."""
    present = series.dropna()
    if len(present) < 2:
        return None
    first = min(present.index)
    years = np.array([years_between(first, day) for day in present.index])
    slope, intercept = np.polyfit(years, present.to_numpy(dtype=float), 1)
    return float(slope), float(intercept)


def trajectory(series: pd.Series, window: int, target_end: dt.date | None,
               target: float | None, baseline: float | None,
               baseline_end: dt.date | None) -> Trajectory:
    """The trajectory of a series (indexed by period end dates) over its last `window` points:
    slope, the line's value at `target_end`, and observed slope / required slope, where the
    required slope is `(target − baseline)` per the years from baseline to target (the Open
    SDG method, on a linear scale)."""
    recent = series.dropna().sort_index().tail(window)
    fitted = least_squares(recent)
    if fitted is None:
        return Trajectory(None, None, None)
    slope, intercept = fitted
    projected = None
    if target_end is not None:
        projected = intercept + slope * years_between(min(recent.index), target_end)
    return Trajectory(slope, projected, _ratio(slope, target, baseline, baseline_end, target_end))


def _ratio(slope: float, target: float | None, baseline: float | None,
           baseline_end: dt.date | None, target_end: dt.date | None) -> float | None:
    if None in (target, baseline, baseline_end, target_end) or target == baseline:
        return None
    span = years_between(baseline_end, target_end)
    if span <= 0:
        return None
    return slope / ((target - baseline) / span)
