"""Disaggregation arithmetic: sex shares, sex coverage, breakdowns that do not add up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from indicators.disaggregation import TOTAL, parse_key
from indicators.vocabulary import Sex

SEX_CATEGORIES = tuple(sex.value for sex in Sex)


@dataclass(frozen=True)
class SexBreakdown:
    """Values by sex, female and male share of the total, female-to-male ratio, share unknown."""

    female: float | None
    male: float | None
    other: float | None
    unknown: float | None
    female_share: float | None
    male_share: float | None
    female_to_male: float | None
    unknown_share: float | None


def _share(part: float | None, whole: float | None) -> float | None:
    if part is None or not whole:
        return None
    return part / whole


def sex_breakdown(values: Mapping[str, float | None], total: float | None = None,
                  additive: bool = True) -> SexBreakdown:
    """Shares of `values` by sex category (female, male, other, unknown) in `total`, or in the
    sum of the categories when no total is given. Values that do not add up (percentages,
    rates) have no shares, only the female-to-male ratio."""
    found = {category: values.get(category) for category in SEX_CATEGORIES}
    if not additive:
        total = None
    elif total is None:
        present = [value for value in found.values() if value is not None]
        total = sum(present) if present else None
    return SexBreakdown(
        **found,
        female_share=_share(found["female"], total),
        male_share=_share(found["male"], total),
        female_to_male=_share(found["female"], found["male"]),
        unknown_share=_share(found["unknown"], total),
    )


def coverage(with_breakdown: int, with_total: int) -> float | None:
    """Share of values that carry the breakdown required (None when there are no values)."""
    return with_breakdown / with_total if with_total else None


BREAKDOWN_TOLERANCE = 0.5
UNKNOWN = "unknown"


def inconsistent_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Totals whose breakdown by one dimension does not add up to them: the one rule for the
    upload checks, the data-quality page and the gap report.

    `frame` has one row per value: `key` columns identifying the total (any besides
    `disaggregation` and `value`), `disaggregation` and `value`. Single-dimension keys are
    summed per dimension: the sum must not exceed the total and, once the breakdown is complete
    (its `unknown` category carries a value), must equal it, within BREAKDOWN_TOLERANCE.
    Returns one row per total and dimension: keys, dimension, total, breakdown_sum, difference,
    exceeds (the sum is more than the total)."""
    columns = [name for name in frame.columns if name not in ("disaggregation", "value")]
    result_columns = [*columns, "dimension", "total", "breakdown_sum", "difference", "exceeds"]
    if frame.empty:
        return pd.DataFrame(columns=result_columns)
    parts = frame[frame["disaggregation"] != TOTAL].copy()
    keys = parts["disaggregation"]
    parts["dimension"] = keys.map({key: _single_dimension(key) for key in keys.unique()})
    parts = parts.dropna(subset=["dimension", "value"])
    parts["unknown"] = parts["disaggregation"].str.endswith(f"={UNKNOWN}")
    sums = parts.groupby([*columns, "dimension"], as_index=False).agg(
        breakdown_sum=("value", "sum"), complete=("unknown", "any"))
    totals = frame[frame["disaggregation"] == TOTAL].rename(columns={"value": "total"})
    joined = sums.merge(totals[[*columns, "total"]], on=columns).dropna(subset=["total"])
    joined["difference"] = joined["breakdown_sum"] - joined["total"]
    joined["exceeds"] = joined["difference"] > BREAKDOWN_TOLERANCE
    short = joined["complete"] & (joined["difference"] < -BREAKDOWN_TOLERANCE)
    return joined[joined["exceeds"] | short][result_columns].reset_index(drop=True)


def _single_dimension(key: str) -> str | None:
    pairs = parse_key(key)
    return next(iter(pairs)) if len(pairs) == 1 else None
