"""The demonstration strategy: a realistic national strategy with eight quarters of returns.

The framework is read from `demo_strategy.toml`; the values are generated from each indicator's
`series` (trend, noise, shares) with a random generator seeded by the indicator's code, so that a
second run produces the very same rows and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import tomllib
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.disaggregation import canonical_key
from indicators.framework import (
    INDICATOR_FIELD,
    ensure_default_scale,
    ensure_dimensions,
    upsert,
    write_entity,
    write_indicator,
    write_objective,
    write_principle,
    write_strategy,
    write_target,
)
from indicators.model import (
    Entity,
    Flag,
    Indicator,
    Kind,
    Objective,
    Principle,
    Return,
    ReturnState,
    Strategy,
    Unit,
    Upload,
    UploadOutcome,
)
from indicators.periods import parse_period
from indicators.values import ValueKey, write_values

DEMO_FILE = Path(__file__).with_name("demo_strategy.toml")
QUARTERS = [(parse_period("2024Q4") + step).code for step in range(8)]
LATEST_QUARTER = QUARTERS[-1]


def read_demo(path: Path = DEMO_FILE) -> dict[str, Any]:
    """The demonstration framework as written in its TOML file."""
    return tomllib.loads(path.read_text(encoding="utf-8"))


def load_demo(session: Session, dimensions: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Load (or bring up to date) the demonstration strategy and its values."""
    demo = read_demo()
    ensure_dimensions(session, dimensions)
    scale = ensure_default_scale(session)
    strategy = write_strategy(session, demo["strategy"]["code"],
                              **{k: v for k, v in demo["strategy"].items() if k != "code"})
    entities = _load_entities(session, demo["entities"])
    principles = {
        spec["code"]: write_principle(session, strategy, spec["code"], name=spec["name"],
                                      description=spec["description"], position=position)
        for position, spec in enumerate(demo["principles"])
    }
    _load_objectives(session, demo["objectives"], principles)
    indicators = [_load_indicator(session, strategy, spec, scale.code)
                  for spec in demo["indicators"]]
    returns = _ReturnBook(session, strategy, entities, set(demo.get("missing_returns", [])))
    rows = [
        (key, fields)
        for indicator, spec in zip(indicators, demo["indicators"], strict=True)
        for key, fields in _demo_values(indicator, spec, entities, dimensions, returns)
    ]
    changes = write_values(session, rows)
    return {
        "strategy": strategy.code,
        "indicators": len(indicators),
        "entities": len(entities),
        "values": len(rows),
        "values_written": changes.touched,
    }


def _load_entities(session: Session, specs: list[dict[str, Any]]) -> dict[str, Entity]:
    entities: dict[str, Entity] = {}
    for spec in specs:
        entities[spec["code"]] = write_entity(
            session, spec["code"], entities.get(spec.get("parent") or ""),
            spec.get("population", {}), name=spec["name"], kind=spec["kind"])
    return entities


def _load_objectives(session: Session, specs: list[dict[str, Any]],
                     principles: dict[str, Principle]) -> None:
    objectives: dict[str, Objective] = {}
    for spec in specs:
        objectives[spec["code"]] = write_objective(
            session, principles[spec["principle"]], spec["code"],
            objectives.get(spec.get("parent") or ""), title=spec["title"])


def _load_indicator(session: Session, strategy: Strategy, spec: dict[str, Any],
                    scale_code: str) -> Indicator:
    baseline = spec.get("baseline", {})
    fields = {name: spec[name] for name in INDICATOR_FIELD if name in spec} | {
        "reporters": spec.get("reporters", [spec["responsible"]]),
        "dimensions": spec.get("dimensions", []),
        "scale": scale_code if Kind(spec["kind"]) is Kind.QUALITATIVE else None,
        "baseline_value": baseline.get("value"), "baseline_period": baseline.get("period"),
        "baseline_note": baseline.get("note", "")}
    indicator = write_indicator(session, strategy, spec["code"], **fields)
    for target in spec.get("targets", []):
        write_target(session, indicator, target["period"], target["value"],
                     bool(target.get("final", False)))
    session.flush()
    return indicator


class _ReturnBook:
    """The demonstration returns, one per entity and quarter, created as values need them."""

    def __init__(self, session: Session, strategy: Strategy, entities: dict[str, Entity],
                 never_sent: set[str]):
        self.session, self.strategy, self.entities = session, strategy, entities
        self.never_sent = never_sent
        self.returns: dict[tuple[str, str], Return] = {}

    def sent(self, entity_code: str, quarter: str) -> bool:
        """Whether the entity sent its return for the quarter at all."""
        return f"{entity_code}:{quarter}" not in self.never_sent

    def of(self, entity_code: str, quarter: str) -> Return:
        if (entity_code, quarter) not in self.returns:
            key = {"strategy_id": self.strategy.id, "entity_id": self.entities[entity_code].id,
                   "period": quarter, "revision": 1}
            known = self.session.scalars(select(Return).filter_by(**key)).one_or_none()
            self.returns[entity_code, quarter] = upsert(
                self.session, Return, key,
                state=ReturnState.SUBMITTED if quarter == LATEST_QUARTER
                else ReturnState.APPROVED,
                upload=known.upload if known else self.upload(entity_code, quarter),
                validation={"errors": [], "warnings": [], "source": "demonstration data"},
            )
        return self.returns[entity_code, quarter]

    def upload(self, entity_code: str, quarter: str) -> Upload:
        """The (fileless) upload a demonstration return stands for, some of them late."""
        late = zlib.crc32(f"{entity_code}{quarter}".encode()) % 5 == 0
        return Upload(sha256="", file_path="", original_name=f"demo-{entity_code}-{quarter}.xlsx",
                      uploaded_by="demo", outcome=UploadOutcome.SUBMITTED,
                      uploaded_at=dt.datetime.combine(
                          parse_period(quarter).end + dt.timedelta(days=44 if late else 18),
                          dt.time(10, 30)))


def _demo_values(
    indicator: Indicator,
    spec: dict[str, Any],
    entities: dict[str, Entity],
    dimensions: Mapping[str, Mapping[str, Any]],
    returns: _ReturnBook,
) -> Iterator[tuple[ValueKey, dict[str, Any]]]:
    missing = set(spec.get("missing", []))
    if "ALL" in missing:
        return
    rng = np.random.default_rng(zlib.crc32(indicator.code.encode()))
    reporters = spec.get("reporters", [spec["responsible"]])
    if indicator.kind is Kind.QUALITATIVE:
        reporters = reporters[:1]
    weights = _weights(len(reporters))
    flags = spec.get("flags", {})
    for step, quarter in enumerate(QUARTERS, start=1):
        national = _national_value(indicator, spec, step, rng)
        for reporter, weight in zip(reporters, weights, strict=True):
            if f"{reporter}:{quarter}" in missing or not returns.sent(reporter, quarter):
                continue
            source = returns.of(reporter, quarter)
            entity_id = entities[reporter].id
            if indicator.kind is Kind.QUALITATIVE:
                yield (ValueKey(indicator.id, entity_id, quarter),
                       _qualitative_fields(spec, step - 1, source.id))
                continue
            share = national * weight if indicator.unit.additive else national
            breakdowns = ({} if quarter in spec.get("no_breakdown", [])
                          else _breakdowns(indicator, spec, share, dimensions))
            if quarter in spec.get("miscounted", []):
                breakdowns = _miscounted(breakdowns)
            cells = {"": _rounded(indicator, share), **breakdowns}
            for breakdown, value in cells.items():
                fields = _quantitative_fields(value, flags.get(quarter), source.id)
                yield ValueKey(indicator.id, entity_id, quarter, breakdown), fields


def _weights(count: int) -> list[float]:
    raw = [0.6 ** rank for rank in range(count)]
    return [weight / sum(raw) for weight in raw]


def _national_value(indicator: Indicator, spec: dict[str, Any], step: int,
                    rng: np.random.Generator) -> float:
    if indicator.kind is Kind.QUALITATIVE:
        return 0.0
    series = spec.get("series", {})
    start = indicator.baseline_value or 0.0
    if indicator.unit is Unit.YES_NO:
        return float(min(1.0, max(0.0, round(start + series.get("trend", 0.0) * step))))
    noise = 1 + series.get("noise", 0.0) * rng.standard_normal()
    value = start * (1 + series.get("trend", 0.0)) ** step * noise
    if indicator.unit is Unit.PERCENT:
        value = min(100.0, value)
    return max(0.0, value)


def _rounded(indicator: Indicator, value: float) -> float:
    if indicator.unit.whole_numbers:
        return float(round(value))
    return round(value, 2)


def _breakdowns(indicator: Indicator, spec: dict[str, Any], total: float,
                dimensions: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    series = spec.get("series", {})
    total = _rounded(indicator, total)
    found: dict[str, float] = {}
    for dimension in spec.get("dimensions", []):
        if dimension == "sex":
            shares = _sex_shares(series.get("female_share", 0.5))
        else:
            minors = series.get("minor_share", 0.2)
            shares = {"0-17": minors, "18+": 1 - minors}
        if indicator.unit.additive:
            parts = _split(total, shares)
        else:
            parts = {code: round(min(100.0, total * (0.9 + 0.2 * index)), 2)
                     for index, code in enumerate(shares)}
        found.update({canonical_key({dimension: code}): value for code, value in parts.items()
                      if code in dimensions[dimension]["categories"]})
    return found


def _miscounted(breakdowns: dict[str, float]) -> dict[str, float]:
    """The breakdown with its first category overcounted by 3, as a clerk might slip."""
    first = next(iter(breakdowns))
    return {**breakdowns, first: breakdowns[first] + 3}


def _sex_shares(female_share: float) -> dict[str, float]:
    return {"female": female_share, "male": 0.98 - female_share, "unknown": 0.02}


def _split(total: float, shares: dict[str, float]) -> dict[str, float]:
    codes = list(shares)
    parts = {code: float(int(total * shares[code])) for code in codes[:-1]}
    parts[codes[-1]] = total - sum(parts.values())
    return parts


def _quantitative_fields(value: float, flag: str | None, return_id: int) -> dict[str, Any]:
    fields: dict[str, Any] = {"value": value, "return_id": return_id,
                              "source_sheet": "Quantitative"}
    if flag == "suppressed":
        if value < 5:
            fields.update(value=None, flag=Flag.SUPPRESSED, comment="<5")
    elif flag:
        fields["flag"] = Flag(flag)
    return fields


def _qualitative_fields(spec: dict[str, Any], index: int, return_id: int) -> dict[str, Any]:
    return {
        "level": int(spec["levels"][index]),
        "narrative": spec["narratives"][index],
        "evidence": spec["evidence"][index],
        "return_id": return_id,
        "source_sheet": "Qualitative",
    }
