"""The demonstration strategy: a realistic national strategy with eight quarters of returns.

The framework is read from `demo_strategy.toml`. The returns go through the pipeline a
coordinator's upload goes through: for each entity and quarter the template is written, filled
with figures generated from each indicator's `series` (trend, noise, shares; a random generator
seeded by the indicator's code, so that every run tells the same story) and received
(`importers.returns`), so every value has its file, sheet and cell; the returns of past quarters
are then approved (`indicators.return_review`). A template asks only what is due by the
indicator's frequency (`indicators.obligations`), so annual indicators have values in Q4 only.

The demonstration is loaded only where it is absent: the framework when the strategy does not
exist, a return when its entity-period has none. It never rewrites what a return, an edit or an
import wrote, and the audit trail records what it wrote.
"""

from __future__ import annotations

import datetime as dt
import io
import tomllib
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from importers.demo_caveats import load_caveats
from importers.return_form import (
    AT_LEAST_WORDS,
    L_CODE,
    L_EVIDENCE,
    L_LEVEL,
    L_NARRATIVE,
    L_NATURE,
    NATURE_WORDS,
    Q_AT_LEAST,
    Q_CODE,
    Q_HIGH,
    Q_KEY,
    Q_LOW,
    Q_NATURE,
    Q_VALUE,
    QUALITATIVE,
    QUANTITATIVE,
    build_form,
    level_choices,
)
from importers.returns import Expected, ReturnResult, receive_return
from importers.template import write_template
from indicators.audit import record
from indicators.bulk import collector_paused
from indicators.disaggregation import canonical_key
from indicators.framework import (
    INDICATOR_FIELD,
    ensure_default_scale,
    ensure_dimensions,
    write_entity,
    write_indicator,
    write_objective,
    write_principle,
    write_strategy,
    write_target,
)
from indicators.framework_texts import text_columns
from indicators.model import (
    DataValue,
    Entity,
    Indicator,
    Kind,
    Nature,
    Objective,
    Principle,
    Return,
    Strategy,
    Unit,
    Upload,
    UploadOutcome,
)
from indicators.obligations import debtors, is_due, reporting_indicators
from indicators.periods import parse_period
from indicators.return_review import approve

DEMO_FILE = Path(__file__).with_name("demo_strategy.toml")
QUARTERS = [(parse_period("2024Q4") + step).code for step in range(8)]
LATEST_QUARTER = QUARTERS[-1]
DEMO_ACTOR = "demo"
NOT_AVAILABLE = "not available"  # the template's nature word (`NATURE_WORDS`) for a missing figure


def read_demo(path: Path = DEMO_FILE) -> dict[str, Any]:
    """The demonstration framework as written in its TOML file."""
    return tomllib.loads(path.read_text(encoding="utf-8"))


@dataclass
class DemoSummary:
    """What `load_demo` found and wrote."""

    strategy: str
    framework_written: bool = False
    returns_received: int = 0
    returns_approved: int = 0
    values_written: int = 0
    refused: list[str] = field(default_factory=list)

    @property
    def wrote_anything(self) -> bool:
        return self.framework_written or self.returns_received > 0


@collector_paused()
def load_demo(sessions: Callable[[], Session], storage: Path,
              dimensions: Mapping[str, Mapping[str, Any]]) -> DemoSummary:
    """Load the demonstration where it is absent: its framework when the strategy does not
    exist, and, through the return pipeline, each return whose entity-period has none."""
    demo = read_demo()
    summary = DemoSummary(demo["strategy"]["code"])
    with sessions() as session, session.begin():
        strategy = _strategy(session, summary.strategy)
        if strategy is None:
            strategy = _load_framework(session, demo, dimensions)
            summary.framework_written = True
        sent = _entity_periods_with_returns(session, strategy)
        cells = _demo_cells(session, strategy, demo, dimensions)
    for quarter in QUARTERS:
        absent = sorted(key for key in cells if key[1] == quarter and key not in sent)
        results = [_send_return(sessions, storage, summary.strategy, entity, quarter,
                                cells[entity, quarter]) for entity, quarter in absent]
        _tell_the_story(sessions, summary, quarter, results)
    if summary.wrote_anything:
        with sessions() as session, session.begin():
            record(session, DEMO_ACTOR, "demo.loaded", "strategy", summary.strategy,
                   after={"framework": summary.framework_written,
                          "returns": summary.returns_received,
                          "approved_returns": summary.returns_approved,
                          "values": summary.values_written})
    return summary


def _strategy(session: Session, code: str) -> Strategy | None:
    return session.scalars(select(Strategy).where(Strategy.code == code)).one_or_none()


def _entity_periods_with_returns(session: Session, strategy: Strategy) -> set[tuple[str, str]]:
    return {(code, period) for code, period in session.execute(
        select(Entity.code, Return.period).join(Entity, Return.entity_id == Entity.id)
        .where(Return.strategy_id == strategy.id))}


def _load_framework(session: Session, demo: dict[str, Any],
                    dimensions: Mapping[str, Mapping[str, Any]]) -> Strategy:
    ensure_dimensions(session, dimensions)
    scale = ensure_default_scale(session)
    strategy = write_strategy(session, demo["strategy"]["code"],
                              **{k: v for k, v in demo["strategy"].items() if k != "code"})
    entities = _load_entities(session, demo["entities"])
    principles = {
        spec["code"]: write_principle(session, strategy, spec["code"], name=spec["name"],
                                      description=spec["description"], position=position,
                                      **_texts(spec, Principle))
        for position, spec in enumerate(demo["principles"])
    }
    _load_objectives(session, demo["objectives"], principles)
    for spec in demo["indicators"]:
        _load_indicator(session, strategy, spec, scale.code)
    load_caveats(session, strategy, demo)
    record(session, DEMO_ACTOR, "demo.framework", "strategy", strategy.code,
           after={"entities": len(entities), "indicators": len(demo["indicators"])})
    return strategy



@dataclass
class _Filling:
    """What an entity types into one return: (code, breakdown) to (value cell, nature word,
    and for a total low, high and "at least"), and a qualitative code to (level, narrative,
    evidence)."""

    numbers: dict[tuple[str, str], tuple[Any, str | None]] = field(default_factory=dict)
    levels: dict[str, tuple[str, str, str]] = field(default_factory=dict)


def _demo_cells(session: Session, strategy: Strategy, demo: dict[str, Any],
                dimensions: Mapping[str, Mapping[str, Any]]) -> dict[tuple[str, str], _Filling]:
    """What each entity sends for each quarter, by (entity code, quarter): a return wherever it
    owes an indicator, except the returns the story says were never sent."""
    never_sent = set(demo.get("missing_returns", []))
    specs = {spec["code"]: spec for spec in demo["indicators"]}
    cells: dict[tuple[str, str], _Filling] = {}
    indicators = reporting_indicators(session, strategy)
    for indicator in indicators:
        for quarter in QUARTERS:
            if is_due(indicator, parse_period(quarter)):
                for entity in debtors(indicator):
                    if f"{entity.code}:{quarter}" not in never_sent:
                        cells.setdefault((entity.code, quarter), _Filling())
    for indicator in indicators:
        for entity, quarter, breakdown, content in _figures(indicator, specs.get(indicator.code),
                                                           dimensions):
            filling = cells.get((entity, quarter))
            if filling is None:
                continue
            if indicator.kind is Kind.QUALITATIVE:
                filling.levels[indicator.code] = content
            else:
                filling.numbers[indicator.code, breakdown] = content
    return cells


def _figures(indicator: Indicator, spec: dict[str, Any] | None,
             dimensions: Mapping[str, Mapping[str, Any]]) -> Iterator[tuple[str, str, str, Any]]:
    """(entity, quarter, breakdown, cell content) of every figure the story gives the indicator
    in the quarters it is due."""
    missing = set(spec.get("missing", [])) if spec else {"ALL"}
    if "ALL" in missing:
        return
    rng = np.random.default_rng(zlib.crc32(indicator.code.encode()))
    reporters = spec.get("reporters", [spec["responsible"]])
    if indicator.kind is Kind.QUALITATIVE:
        reporters = reporters[:1]
    weights = _weights(len(reporters))
    nature = spec.get("flags", {})
    for step, quarter in enumerate(QUARTERS, start=1):
        national = _national_value(indicator, spec, step, rng) * _level_shift(spec, quarter)
        if not is_due(indicator, parse_period(quarter)):
            continue
        for reporter, weight in zip(reporters, weights, strict=True):
            if f"{reporter}:{quarter}" in missing:
                continue
            if indicator.kind is Kind.QUALITATIVE:
                yield reporter, quarter, "", _qualitative_cells(indicator, spec, step - 1)
                continue
            share = national * weight if indicator.unit.additive else national
            breakdowns = ({} if quarter in spec.get("no_breakdown", [])
                          else _breakdowns(indicator, spec, share, dimensions))
            if quarter in spec.get("miscounted", []):
                breakdowns = _miscounted(breakdowns)
            place = f"{reporter}:{quarter}"
            if place in spec.get("not_collected", []):
                yield reporter, quarter, "", (None, Nature.NOT_COLLECTED_CRISIS.entry_words)
                continue
            yield reporter, quarter, "", _total_cells(indicator, spec, place,
                                                      _rounded(indicator, share),
                                                      nature.get(quarter))
            for breakdown, value in breakdowns.items():
                yield reporter, quarter, breakdown, _number_cell(value, nature.get(quarter))


def _send_return(sessions: Callable[[], Session], storage: Path, strategy: str, entity: str,
                 quarter: str, filling: _Filling) -> ReturnResult:
    """The entity's return for the quarter, written from its template and received as any
    upload is."""
    period = parse_period(quarter)
    with sessions() as session:
        template = write_template(session, build_form(session, entity, period, strategy))
    return receive_return(sessions, storage, _filled(template, filling),
                          f"demo-{entity}-{quarter}.xlsx", DEMO_ACTOR,
                          expected=Expected(entity, quarter, strategy))


def _filled(template: bytes, filling: _Filling) -> bytes:
    """The template filled as the entity would: every figure the story gives it, the nature
    'not available' for a total it has none for (a breakdown category it has none for stays
    empty, as the template allows)."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    for row in workbook[QUANTITATIVE].iter_rows(min_row=2):
        code, breakdown = row[Q_CODE - 1].value, row[Q_KEY - 1].value or ""
        if code:
            value, nature, *bounds = filling.numbers.get(
                (code, breakdown), (None, None if breakdown else NOT_AVAILABLE))
            row[Q_VALUE - 1].value, row[Q_NATURE - 1].value = value, nature
            for column, bound in zip((Q_LOW, Q_HIGH, Q_AT_LEAST), bounds, strict=False):
                row[column - 1].value = bound
    for row in workbook[QUALITATIVE].iter_rows(min_row=2):
        code = row[L_CODE - 1].value
        if code in filling.levels:
            (row[L_LEVEL - 1].value, row[L_NARRATIVE - 1].value,
             row[L_EVIDENCE - 1].value) = filling.levels[code]
        elif code:
            row[L_NATURE - 1].value = NOT_AVAILABLE
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _tell_the_story(sessions: Callable[[], Session], summary: DemoSummary, quarter: str,
                    results: list[ReturnResult]) -> None:
    """Date each return of the quarter as the story has it (some came late) and approve those
    of past quarters; the latest quarter's returns wait for review."""
    with sessions() as session, session.begin():
        for result in results:
            if result.outcome is not UploadOutcome.SUBMITTED:
                summary.refused.append(f"{result.entity} {quarter}: {result.message}")
                continue
            summary.returns_received += 1
            summary.values_written += session.scalar(
                select(func.count()).select_from(DataValue)
                .where(DataValue.return_id == result.return_id))
            received_at = _received_at(result.entity, quarter)
            session.execute(update(Upload).where(Upload.id == result.upload_id)
                            .values(uploaded_at=received_at))
            if quarter != LATEST_QUARTER:
                decision = approve(session, session.get(Return, result.return_id), DEMO_ACTOR)
                decision.at = received_at + dt.timedelta(days=10)
                summary.returns_approved += 1


def _received_at(entity: str, quarter: str) -> dt.datetime:
    """When the story has the return arrive: 18 days after the quarter, or 44 for some."""
    late = zlib.crc32(f"{entity}{quarter}".encode()) % 5 == 0
    return dt.datetime.combine(parse_period(quarter).end + dt.timedelta(days=44 if late else 18),
                               dt.time(10, 30))


def _load_entities(session: Session, specs: list[dict[str, Any]]) -> dict[str, Entity]:
    entities: dict[str, Entity] = {}
    for spec in specs:
        entities[spec["code"]] = write_entity(
            session, spec["code"], entities.get(spec.get("parent") or ""),
            spec.get("population", {}), name=spec["name"], kind=spec["kind"],
            **_texts(spec, Entity))
    return entities


def _texts(spec: dict[str, Any], model: type) -> dict[str, str]:
    """The spec's texts in other languages (`name_zh` …)."""
    return {column: spec[column] for column in text_columns(model) if column in spec}


def _load_objectives(session: Session, specs: list[dict[str, Any]],
                     principles: dict[str, Principle]) -> None:
    objectives: dict[str, Objective] = {}
    for spec in specs:
        objectives[spec["code"]] = write_objective(
            session, principles[spec["principle"]], spec["code"],
            objectives.get(spec.get("parent") or ""), title=spec["title"],
            **_texts(spec, Objective))


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


def _level_shift(spec: dict[str, Any], quarter: str) -> float:
    """The factor by which a series steps up from the period its measurement changed, times
    the factor by which it falls while a crisis lasts (`dip` from `dip_from` to `dip_to`)."""
    series = spec.get("series", {})
    period = parse_period(quarter)
    factor = 1.0
    if "shift_from" in series and period >= parse_period(series["shift_from"]):
        factor *= float(series["shift"])
    if "dip_from" in series and parse_period(series["dip_from"]) <= period <= parse_period(
            series["dip_to"]):
        factor *= float(series["dip"])
    return factor


def _rounded(indicator: Indicator, value: float) -> float:
    if indicator.unit.whole_numbers:
        return float(round(value))
    return round(value, 2)


def _breakdowns(indicator: Indicator, spec: dict[str, Any], total: float,
                dimensions: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """The breakdown of `total`: counts split by the series' shares; a percentage or rate by
    category around the total, each category lower than the one before (so 'unknown', listed
    last, is never the largest)."""
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
            parts = {code: round(min(100.0, total * (1.1 - 0.1 * index)), 2)
                     for index, code in enumerate(shares)}
        found.update({canonical_key({dimension: code}): value for code, value in parts.items()
                      if code in dimensions[dimension]["categories"]})
    return found


def _miscounted(breakdowns: dict[str, float]) -> dict[str, float]:
    """The breakdown with its first category undercounted by 3, as a clerk might slip (the
    categories then fall short of the total: a warning, the return is imported)."""
    first = next(iter(breakdowns))
    return {**breakdowns, first: max(0.0, breakdowns[first] - 3)}


def _sex_shares(female_share: float) -> dict[str, float]:
    return {"female": female_share, "male": 0.98 - female_share, "unknown": 0.02}


def _split(total: float, shares: dict[str, float]) -> dict[str, float]:
    codes = list(shares)
    parts = {code: float(int(total * shares[code])) for code in codes[:-1]}
    parts[codes[-1]] = total - sum(parts.values())
    return parts


_NATURE_WORD = {nature: word for word, nature in NATURE_WORDS.items()}


def _number_cell(value: float, nature: str | None) -> tuple[Any, str | None]:
    """The value cell and nature word an entity types: `<5` for a small suppressed number."""
    if nature is None:
        return value, None
    if Nature(nature) is Nature.SUPPRESSED:
        return ("<5", None) if value < 5 else (value, None)
    return value, _NATURE_WORD[Nature(nature)]


def _total_cells(indicator: Indicator, spec: dict[str, Any], place: str, value: float,
                 quarter_nature: str | None) -> tuple[Any, ...]:
    """The value, nature, low, high and "at least" cells of a total: the story's nature for
    the entity and quarter (`natures`, "POL:2025Q1"), else the quarter's; its range as shares
    of the value (`ranges`); a lower bound (`at_least`)."""
    value_cell, word = _number_cell(value, spec.get("natures", {}).get(place, quarter_nature))
    shares = spec.get("ranges", {}).get(place)
    low, high = ((_rounded(indicator, value * shares[0]), _rounded(indicator, value * shares[1]))
                 if shares else (None, None))
    return (value_cell, word, low, high,
            AT_LEAST_WORDS[0] if place in spec.get("at_least", []) else None)


def _qualitative_cells(indicator: Indicator, spec: dict[str, Any],
                       index: int) -> tuple[str, str, str]:
    """The level (as the template's list shows it), narrative and evidence of one quarter."""
    level = int(spec["levels"][index])
    choice = next(text for text in level_choices(indicator.scale)
                  if text.startswith(f"{level} "))
    return choice, spec["narratives"][index], spec["evidence"][index]
