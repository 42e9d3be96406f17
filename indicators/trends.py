"""Trajectory of a series: least-squares slope, projection, observed against required rate.

Time is measured in years between period ends, so series of any frequency compare alike.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

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


def least_squares(points: Iterable[tuple[dt.date, float]]) -> tuple[float, float] | None:
    """Slope per year and intercept (value at the first date) of the least-squares line through
    (date, value) points (a `pandas.Series` indexed by dates gives them by `.items()`), values
    that are not numbers left out; None with fewer than two points."""
    present = [(day, float(value)) for day, value in points if not math.isnan(value)]
    if len(present) < 2:
        return None
    first = min(day for day, _ in present)
    years = [years_between(first, day) for day, _ in present]
    mean_x = math.fsum(years) / len(present)
    mean_y = math.fsum(value for _, value in present) / len(present)
    spread = math.fsum((x - mean_x) ** 2 for x in years)
    slope = math.fsum((x - mean_x) * (value - mean_y)
                      for x, (_, value) in zip(years, present, strict=True)) / spread \
        if spread else 0.0
    return slope, mean_y - slope * mean_x


def trajectory(points: Iterable[tuple[dt.date, float]], window: int,
               target_end: dt.date | None, target: float | None, baseline: float | None,
               baseline_end: dt.date | None) -> Trajectory:
    """The trajectory of (period end, value) points over the last `window` of them by date:
    slope, the line's value at `target_end`, and observed slope / required slope, where the
    required slope is `(target − baseline)` per the years from baseline to target (the Open
    SDG method, on a linear scale)."""
    recent = sorted(((day, value) for day, value in points if not math.isnan(value)),
                    key=lambda point: point[0])[-window:]
    fitted = least_squares(recent)
    if fitted is None:
        return Trajectory(None, None, None)
    slope, intercept = fitted
    projected = None
    if target_end is not None:
        projected = intercept + slope * years_between(recent[0][0], target_end)
    return Trajectory(slope, projected, _ratio(slope, target, baseline, baseline_end, target_end))


def _ratio(slope: float, target: float | None, baseline: float | None,
           baseline_end: dt.date | None, target_end: dt.date | None) -> float | None:
    if None in (target, baseline, baseline_end, target_end) or target == baseline:
        return None
    span = years_between(baseline_end, target_end)
    if span <= 0:
        return None
    return slope / ((target - baseline) / span)
