"""Progress of an indicator against its baseline and target, and the status it earns.

Pure arithmetic on numbers and dates: the database does not appear here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from indicators.vocabulary import Direction, Status


@dataclass(frozen=True)
class Thresholds:
    """Status thresholds from config.toml: share of expected progress for on track / at risk,
    the tolerated relative distance for "maintain" indicators, and the trend window."""

    on_track: float
    at_risk: float
    maintain_tolerance: float
    trend_periods: int


def progress(actual: float | None, baseline: float | None, target: float | None,
             direction: Direction, tolerance: float) -> float | None:
    """Share of the way from baseline to target: `(actual − baseline) / (target − baseline)`,
    which works for "decrease" as well (both differences are negative).

    For "maintain", 1 while `actual` stays within `tolerance` (relative) of the target, falling
    linearly to 0 at twice the tolerance. None when a number is missing or the target equals
    the baseline for an indicator that should move (then there is no way to go)."""
    if actual is None or target is None:
        return None
    if direction.keeps_level:
        return _maintained(actual, target, tolerance)
    if baseline is None or target == baseline:
        return None
    return (actual - baseline) / (target - baseline)


def _maintained(actual: float, target: float, tolerance: float) -> float:
    distance = abs(actual - target) / abs(target) if target else abs(actual)
    if distance <= tolerance:
        return 1.0
    if tolerance == 0:
        return 0.0
    return max(0.0, 1.0 - (distance - tolerance) / tolerance)


def expected_progress(baseline_end: dt.date | None, target_end: dt.date, at: dt.date,
                      direction: Direction = Direction.INCREASE) -> float:
    """The progress expected at `at` on a straight line from the baseline period's end (0) to
    the target period's end (1), clipped to [0, 1]. A "maintain" indicator (or one without a
    baseline period) is expected to be at its target throughout."""
    if direction.keeps_level or baseline_end is None or target_end <= baseline_end:
        return 1.0
    share = (at - baseline_end).days / (target_end - baseline_end).days
    return min(1.0, max(0.0, share))


def judge(progress_made: float | None, expected: float, thresholds: Thresholds,
          direction: Direction = Direction.INCREASE) -> Status:
    """The status earned: no data without progress; achieved once the target is met (progress
    ≥ 1, never for "maintain", which is a state to keep); otherwise on track, at risk or off
    track by the ratio of progress made to progress expected against the thresholds."""
    if progress_made is None:
        return Status.NO_DATA
    if not direction.keeps_level and progress_made >= 1:
        return Status.ACHIEVED
    ratio = progress_made / expected if expected > 0 else (1.0 if progress_made >= 0 else 0.0)
    if ratio >= thresholds.on_track:
        return Status.ON_TRACK
    if ratio >= thresholds.at_risk:
        return Status.AT_RISK
    return Status.OFF_TRACK


@dataclass(frozen=True)
class TargetPoint:
    """One target of an indicator."""

    period: str
    end: dt.date
    value: float
    final: bool = False


def applicable_target(targets: list[TargetPoint], at: dt.date) -> TargetPoint | None:
    """The target that applies at `at`: the first one whose period ends at or after it, else the
    final one (else the last one)."""
    ordered = sorted(targets, key=lambda target: target.end)
    upcoming = [target for target in ordered if target.end >= at]
    if upcoming:
        return upcoming[0]
    return next((target for target in ordered if target.final), ordered[-1] if ordered else None)
