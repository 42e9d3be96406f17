"""Disaggregation keys: the canonical text form of a breakdown, e.g. `age=18+;sex=female`.

The empty key is the total. Dimensions are sorted by code, so the order in which a breakdown
is written does not matter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from indicators.errors import Invalid

TOTAL = ""


class DisaggregationError(Invalid):
    """A breakdown that cannot be read as `dimension=category` pairs."""


def canonical_key(breakdown: Mapping[str, str] | str | None) -> str:
    """The canonical key of a breakdown given as a mapping or as `dim=cat;dim=cat` text."""
    pairs = parse_key(breakdown) if isinstance(breakdown, str) or breakdown is None else breakdown
    cleaned = {}
    for dimension, category in pairs.items():
        dimension, category = str(dimension).strip().lower(), str(category).strip().lower()
        if not dimension or not category:
            raise DisaggregationError(f"empty dimension or category in breakdown {dict(pairs)!r}")
        if any(char in dimension + category for char in ";="):
            raise DisaggregationError(f"';' and '=' cannot appear in '{dimension}={category}'")
        cleaned[dimension] = category
    return ";".join(f"{dimension}={cleaned[dimension]}" for dimension in sorted(cleaned))


def parse_key(key: str | None) -> dict[str, str]:
    """The breakdown of a key as a mapping; the total gives an empty mapping."""
    if key is None or not key.strip():
        return {}
    breakdown = {}
    for part in key.split(";"):
        if not part.strip():
            continue
        dimension, sep, category = part.partition("=")
        if not sep:
            raise DisaggregationError(f"'{part}' in breakdown '{key}' is not dimension=category")
        if dimension.strip().lower() in breakdown:
            raise DisaggregationError(f"dimension '{dimension}' appears twice in '{key}'")
        breakdown[dimension.strip().lower()] = category.strip().lower()
    return breakdown


def breakdown_keys(categories: Mapping[str, Iterable[str]]) -> list[str]:
    """The keys an indicator reported by these dimensions needs: the total, then each category
    of each dimension, in the order given."""
    keys = [TOTAL]
    for dimension, codes in categories.items():
        keys.extend(canonical_key({dimension: code}) for code in codes)
    return keys


def dimensions_of(key: str) -> frozenset[str]:
    """The dimensions a key breaks down by."""
    return frozenset(parse_key(key))
