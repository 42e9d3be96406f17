"""Benchmark: how many outlier warnings an ordinary return raises, and how many planted
anomalies are still caught, over the demonstration's quarterly returns.

Each demonstration value with at least OUTLIER_MIN_SERIES - 1 earlier comparable values of its
series (indicator, entity, breakdown; on the same side of a series break,
`indicators.comparability`) is judged as an upload judges it (`indicators.quality.is_unusual`
against those values); warnings are counted per return (entity and period). Then, in every
such series, three anomalies are planted one at a time: the value ×10, its sign flipped
(caught by the unit's check where the unit cannot be negative), and the female and male values
swapped (where they differ by at least a quarter; caught when either value stands out from its
series or a category's share of the total from its earlier shares,
`indicators.quality.unusual_category`). Ordinary returns count the share warnings too (one per
breakdown at most, as an upload reports them). Goal: at most 2 warnings per ordinary return,
100 % of planted anomalies caught.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from importers.demo import load_demo  # noqa: E402
from importers.value_rules import unit_problem  # noqa: E402
from indicators.comparability import Comparability  # noqa: E402
from indicators.data_quality import quantitative_values  # noqa: E402
from indicators.evaluation import Scope  # noqa: E402
from indicators.model import Strategy, Unit  # noqa: E402
from indicators.periods import parse_period  # noqa: E402
from indicators.quality import (  # noqa: E402
    OUTLIER_MIN_SERIES,
    is_unusual,
    share_breakdowns,
    unusual_category,
)
from mne.config import load_settings  # noqa: E402
from mne.database import Database, upgrade  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SWAP_MIN_RATIO = 1.25


def demonstration_values() -> tuple[pd.DataFrame, Comparability]:
    """The demonstration's entity-level quantitative values, oldest period first, and which
    of them compare (its series break and its crisis)."""
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{folder}/bench.sqlite")
        upgrade(database.engine)
        load_demo(database.sessions, Path(folder) / "storage",
                  load_settings(ROOT / "config.toml").dimensions)
        with database.sessions() as session:
            code = session.query(Strategy.code).first()[0]
            values = quantitative_values(session, code, Scope.of(session))
            rule = Comparability.of(session, set(values["indicator_id"]))
        database.engine.dispose()
    return values.dropna(subset=["value"]).sort_values("period_end"), rule


def judged(values: pd.DataFrame, rule: Comparability):
    """(row, earlier comparable values, is a count) for every value with enough of them, as
    an upload judges it (`importers.return_form.comparable_values`)."""
    for (indicator_id, entity, _breakdown), series in values.groupby(
            ["indicator_id", "entity", "disaggregation"]):
        numbers, periods = series["value"].tolist(), series["period"].map(parse_period).tolist()
        for position in range(len(numbers)):
            earlier = [number for number, period in zip(numbers[:position], periods[:position],
                                                        strict=True)
                       if rule.compares(indicator_id, entity, periods[position], period)]
            if len(earlier) >= OUTLIER_MIN_SERIES - 1:
                yield series.iloc[position], earlier, Unit(series.iloc[position]["unit"])


def caught(value: float, earlier: list[float], unit: Unit) -> bool:
    """Whether the upload would object: an error for the unit (a negative count), or a
    warning."""
    return (unit_problem(value, unit) is not None
            or is_unusual(value, earlier, unit is Unit.COUNT))


def swapped(parts: dict[str, float]) -> dict[str, float]:
    return {**parts, "sex=female": parts["sex=male"], "sex=male": parts["sex=female"]}


def main() -> None:
    values, rule = demonstration_values()
    warnings: Counter[tuple[str, str]] = Counter()
    returns: set[tuple[str, str]] = set()
    planted: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for row, earlier, unit in judged(values, rule):
        returns.add((row["entity"], row["period"]))
        if is_unusual(row["value"], earlier, unit is Unit.COUNT):
            warnings[row["entity"], row["period"]] += 1
        if row["value"]:
            for name, value in (("x10", row["value"] * 10), ("sign flip", -row["value"])):
                planted[name] += 1
                found[name] += caught(value, earlier, unit)
    series = {key: [number for number in group.sort_values("period_end")["value"]]
              for key, group in values.groupby(["indicator", "entity", "disaggregation"])}
    counts = values[values["unit"] == Unit.COUNT]
    for indicator, entity, period, parts, whole, earlier in share_breakdowns(counts):
        if len(earlier.get("sex=female", [])) < OUTLIER_MIN_SERIES - 1:
            continue
        warnings[entity, period] += unusual_category(parts, whole, earlier) is not None
        female, male = parts.get("sex=female"), parts.get("sex=male")
        if female and male and max(male, female) >= SWAP_MIN_RATIO * min(male, female):
            planted["sex swap"] += 1
            position = len(earlier["sex=female"])
            found["sex swap"] += (
                caught(male, series[indicator, entity, "sex=female"][:position], Unit.COUNT)
                or caught(female, series[indicator, entity, "sex=male"][:position], Unit.COUNT)
                or unusual_category(swapped(parts), whole, earlier) is not None)
    per_return = [warnings.get(key, 0) for key in sorted(returns)]
    print(f"returns judged: {len(per_return)}, warnings: {sum(per_return)}, "
          f"per return: mean {sum(per_return) / max(len(per_return), 1):.2f}, "
          f"max {max(per_return, default=0)}; returns with more than 2: "
          f"{sum(1 for number in per_return if number > 2)}")
    for name in planted:
        print(f"planted {name}: {found[name]} of {planted[name]} caught "
              f"({found[name] / planted[name]:.1%})")
    total = sum(planted.values())
    print(f"planted anomalies caught: {sum(found.values())} of {total} "
          f"({sum(found.values()) / max(total, 1):.1%})")


if __name__ == "__main__":
    main()
