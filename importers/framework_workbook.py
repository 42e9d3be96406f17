"""The whole framework of a strategy as one workbook, out and back in.

`export_framework` writes one sheet per part (strategy, principles, objectives, entities and
their population, dimensions and categories, scales, indicators with every field, targets).
`import_framework` reads such a workbook (drafted in Excel or exported earlier), checks every
cell and writes nothing unless every cell is right; problems name their sheet and cell. Rows are
matched by code, so importing an unchanged export changes nothing, and an export of an imported
workbook holds the same cells.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from importers.sandbox import read_workbook
from indicators import problems
from indicators.cells import FORMULA_TRIGGERS, neutralise
from indicators.evaluation import load_strategy
from indicators.framework import (
    INDICATOR_FIELDS,
    CellError,
    Parser,
    choice,
    indicator_fields,
    integer,
    language,
    languages,
    number,
    required,
    required_period,
    text,
    upsert,
    write_entity,
    write_indicator,
    write_objective,
    write_populations,
    write_principle,
    write_strategy,
    write_target,
    yes_no,
)
from indicators.framework_texts import column_texts, translation_columns
from indicators.model import (
    Category,
    Dimension,
    Entity,
    Objective,
    QualitativeScale,
    ScaleLevel,
    Strategy,
)
from indicators.pairs import write_pairing
from indicators.problems import ProblemReport
from indicators.series_breaks import write_break
from indicators.vocabulary import BreakKind, EstimateSource


@dataclass(frozen=True)
class Sheet:
    """One sheet of the framework workbook: its name and its columns with their parsers."""

    name: str
    columns: tuple[tuple[str, Parser], ...]

    @property
    def headers(self) -> list[str]:
        return [header for header, _parser in self.columns]


def _texts(*fields: str) -> tuple[tuple[str, Parser], ...]:
    """The per-language columns of `fields` (`name_zh` …): optional, an older workbook may lack
    them."""
    return tuple((column, text) for column in translation_columns(fields))


# Columns a workbook may leave out (added after workbooks were first drafted): the row keeps
# what it has.
OPTIONAL_COLUMNS = {*translation_columns(("title", "name", "description", "definition", "label")),
                    "template_language", "report_languages"}

SHEETS = (
    Sheet("Strategy", (("code", required), ("title", required), ("area", text),
                       ("start_year", integer), ("end_year", integer), ("description", text),
                       ("active", yes_no), *_texts("title", "description"),
                       ("report_languages", languages))),
    Sheet("Principles", (("code", required), ("name", required), ("description", text),
                         ("position", integer), *_texts("name", "description"))),
    Sheet("Objectives", (("principle", required), ("code", required), ("parent", text),
                         ("title", required), ("description", text),
                         *_texts("title", "description"))),
    Sheet("Entities", (("code", required), ("name", required), ("kind", text),
                       ("parent", text), *_texts("name"), ("template_language", language))),
    Sheet("Populations", (("entity", required), ("year", integer), ("population", integer))),
    Sheet("Dimensions", (("dimension", required), ("name", required), ("position", integer),
                         ("category", required), ("label", required), *_texts("name"),
                         *_texts("label"))),
    Sheet("Scales", (("scale", required), ("name", required), ("level", integer),
                     ("label", required))),
    Sheet("Indicators", (("code", required),
                         *((item.name, item.parse) for item in INDICATOR_FIELDS))),
    Sheet("Targets", (("indicator", required), ("period", required_period), ("value", number),
                      ("final", yes_no))),
    Sheet("Series breaks", (("indicator", required), ("period", required_period),
                            ("reason", choice(BreakKind)), ("note", text))),
    Sheet("Paired estimates", (("indicator", required), ("estimate", required),
                               ("source", choice(EstimateSource)), ("citation", text))),
)
SHEET = {sheet.name: sheet for sheet in SHEETS}
OPTIONAL_SHEETS = {"Series breaks", "Paired estimates"}
"""Sheets a workbook drafted before they existed may lack: then it holds none of their rows."""


# ------------------------------------------------------------------------------ out


def export_framework(session: Session, strategy_code: str) -> bytes:
    """The strategy's framework as an xlsx workbook (see the module's description)."""
    strategy = load_strategy(session, strategy_code)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in SHEETS:
        _write_sheet(workbook, sheet, _EXPORTERS[sheet.name](session, strategy))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(workbook: Workbook, sheet: Sheet, rows: list[list[Any]]) -> None:
    worksheet = workbook.create_sheet(sheet.name)
    worksheet.append(sheet.headers)
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        worksheet.append([neutralise(cell) for cell in row])
    worksheet.freeze_panes = "A2"
    for index, header in enumerate(sheet.headers, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 4)


def _strategy_rows(_session: Session, strategy: Strategy) -> list[list[Any]]:
    return [[strategy.code, strategy.title, strategy.area, strategy.start_year, strategy.end_year,
             strategy.description, strategy.active,
             *_text_cells(strategy, "title", "description"),
             ", ".join(strategy.report_languages or [])]]


def _text_cells(row: Any, *fields: str) -> list[str]:
    return list(column_texts(row, fields).values())


def _principle_rows(_session: Session, strategy: Strategy) -> list[list[Any]]:
    return [[item.code, item.name, item.description, item.position,
             *_text_cells(item, "name", "description")]
            for item in strategy.principles]


def _objective_rows(_session: Session, strategy: Strategy) -> list[list[Any]]:
    return [[principle.code, objective.code, objective.parent.code if objective.parent else "",
             objective.title, objective.description,
             *_text_cells(objective, "title", "description")]
            for principle in strategy.principles for objective in principle.objectives]


def _entities_of(strategy: Strategy) -> list[Entity]:
    found: dict[str, Entity] = {}
    for indicator in strategy.indicators:
        for entity in [indicator.responsible_entity, *indicator.reporters]:
            while entity is not None and entity.code not in found:
                found[entity.code] = entity
                entity = entity.parent
    return sorted(found.values(), key=lambda entity: (_depth(entity), entity.code))


def _depth(entity: Entity) -> int:
    return 0 if entity.parent is None else 1 + _depth(entity.parent)


def _entity_rows(_session: Session, strategy: Strategy) -> list[list[Any]]:
    return [[entity.code, entity.name, entity.kind, entity.parent.code if entity.parent else "",
             *_text_cells(entity, "name"), entity.template_language or ""]
            for entity in _entities_of(strategy)]


def _population_rows(_session: Session, strategy: Strategy) -> list[list[Any]]:
    return [[entity.code, item.year, item.population]
            for entity in _entities_of(strategy) for item in entity.populations]


def _dimension_rows(session: Session, strategy: Strategy) -> list[list[Any]]:
    used = {dimension.id for indicator in strategy.indicators
            for dimension in indicator.dimensions}
    dimensions = session.scalars(select(Dimension).order_by(Dimension.position, Dimension.code))
    return [[dimension.code, dimension.name, dimension.position, category.code, category.label,
             *_text_cells(dimension, "name"), *_text_cells(category, "label")]
            for dimension in dimensions if dimension.id in used
            for category in dimension.categories]


def _scale_rows(_session: Session, strategy: Strategy) -> list[list[Any]]:
    scales = {indicator.scale.code: indicator.scale for indicator in strategy.indicators
              if indicator.scale is not None}
    return [[scale.code, scale.name, level.level, level.label]
            for _code, scale in sorted(scales.items()) for level in scale.levels]


def _indicator_rows(_session: Session, strategy: Strategy) -> list[list[Any]]:
    return [[indicator.code, *map(_cell, indicator_fields(indicator).values())]
            for indicator in strategy.indicators]


def _cell(content: Any) -> Any:
    """A field's value as a workbook cell: enums by value, lists joined."""
    if isinstance(content, list):
        return ", ".join(content)
    return content.value if isinstance(content, StrEnum) else content


def _target_rows(_session: Session, strategy: Strategy) -> list[list[Any]]:
    return [[indicator.code, target.period, target.value, target.final]
            for indicator in strategy.indicators for target in indicator.targets]


def _break_rows(_session: Session, strategy: Strategy) -> list[list[Any]]:
    return [[indicator.code, found.period, _cell(found.kind), found.note]
            for indicator in strategy.indicators for found in indicator.series_breaks]


def _pairing_rows(_session: Session, strategy: Strategy) -> list[list[Any]]:
    return [[indicator.code, pairing.estimate.code, _cell(pairing.source), pairing.citation]
            for indicator in strategy.indicators
            if (pairing := indicator.paired_estimate) is not None]


_EXPORTERS = {
    "Strategy": _strategy_rows, "Principles": _principle_rows, "Objectives": _objective_rows,
    "Entities": _entity_rows, "Populations": _population_rows, "Dimensions": _dimension_rows,
    "Scales": _scale_rows, "Indicators": _indicator_rows, "Targets": _target_rows,
    "Series breaks": _break_rows, "Paired estimates": _pairing_rows,
}


# ------------------------------------------------------------------------------- in


@dataclass
class ParsedRow:
    """A row of a sheet read through its columns: values by header, and where each came from."""

    sheet: str
    number: int
    values: dict[str, Any]

    def cell(self, header: str) -> str:
        return f"{get_column_letter(SHEET[self.sheet].headers.index(header) + 1)}{self.number}"


@dataclass
class FrameworkImport:
    """What an import found and (unless it was a dry run or had errors) wrote."""

    report: ProblemReport = field(default_factory=ProblemReport)
    strategy: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    written: bool = False


def import_framework(session: Session, data: bytes, dry_run: bool = False) -> FrameworkImport:
    """Check the workbook cell by cell and, when nothing is wrong and this is not a dry run,
    create or update the framework it holds. All or nothing: on any error nothing is written.
    The caller owns the transaction."""
    result = FrameworkImport()
    workbook = read_workbook(data)
    rows: dict[str, list[ParsedRow]] = {}
    for sheet in SHEETS:
        if sheet.name not in workbook.sheet_names:
            if sheet.name in OPTIONAL_SHEETS:
                rows[sheet.name] = []
            else:
                result.report.add(problems.MissingSheet, sheet=sheet.name)
            continue
        rows[sheet.name] = _read_sheet(sheet, workbook.rows(sheet.name), result.report)
    if len(rows) == len(SHEETS):
        _check_references(rows, session, result.report)
    result.counts = {name: len(items) for name, items in rows.items()}
    if result.report.has_errors:
        return result
    result.strategy = rows["Strategy"][0].values["code"]
    if not dry_run:
        _write(session, rows)
        result.written = True
    return result


def _read_sheet(sheet: Sheet, grid: list[list[Any]], report: ProblemReport) -> list[ParsedRow]:
    header = [text(cell) for cell in (grid[0] if grid else [])]
    missing = [name for name in sheet.headers
               if name not in header and name not in OPTIONAL_COLUMNS]
    if missing:
        report.add(problems.MissingColumns, sheet=sheet.name, cell="A1",
                   columns=", ".join(missing))
        return []
    parsed = []
    for line, raw in enumerate(grid[1:], start=2):
        if all(text(cell) == "" for cell in raw):
            continue
        values = {}
        for header_name, parser in sheet.columns:
            if header_name not in header:
                continue
            index = header.index(header_name)
            cell = raw[index] if index < len(raw) else None
            if isinstance(cell, str) and cell[:1] == "'" and cell[1:].startswith(FORMULA_TRIGGERS):
                cell = cell[1:]  # text the export neutralised
            try:
                values[header_name] = parser(cell)
            except CellError as problem:
                report.add(problem.kind, sheet=sheet.name, found=text(cell),
                           cell=f"{get_column_letter(index + 1)}{line}", **problem.fields)
        parsed.append(ParsedRow(sheet.name, line, values))
    return parsed


def _check_references(rows: dict[str, list[ParsedRow]], session: Session,
                      report: ProblemReport) -> None:
    if len(rows["Strategy"]) != 1:
        report.add(problems.StrategyRows, sheet="Strategy", cell="A2")
        return
    known = {
        "principle": _codes(rows["Principles"], "code"),
        "objective": _codes(rows["Objectives"], "code"),
        "entity": _codes(rows["Entities"], "code") | set(session.scalars(select(Entity.code))),
        "dimension": _codes(rows["Dimensions"], "dimension")
        | set(session.scalars(select(Dimension.code))),
        "scale": _codes(rows["Scales"], "scale")
        | set(session.scalars(select(QualitativeScale.code))),
        "indicator": _codes(rows["Indicators"], "code"),
    }
    references = {
        "Objectives": (("principle", "principle"), ("parent", "objective")),
        "Entities": (("parent", "entity"),),
        "Populations": (("entity", "entity"),),
        "Indicators": (("objective", "objective"), ("responsible", "entity"),
                       ("reporters", "entity"), ("dimensions", "dimension"), ("scale", "scale")),
        "Targets": (("indicator", "indicator"),),
        "Series breaks": (("indicator", "indicator"),),
        "Paired estimates": (("indicator", "indicator"), ("estimate", "indicator")),
    }
    for sheet, columns in references.items():
        for row in rows[sheet]:
            for column, kind in columns:
                wanted = row.values.get(column)
                for code in wanted if isinstance(wanted, list) else [wanted] if wanted else []:
                    if code not in known[kind]:
                        report.add(problems.UnknownReference, kind=kind, code=code,
                                   sheet=sheet, cell=row.cell(column), found=code)


def _codes(rows: list[ParsedRow], column: str) -> set[str]:
    return {row.values[column] for row in rows if column in row.values}


def _write(session: Session, rows: dict[str, list[ParsedRow]]) -> None:
    spec = rows["Strategy"][0].values
    strategy = write_strategy(session, spec["code"],
                              **{name: value for name, value in spec.items() if name != "code"})
    _write_entities(session, rows)
    _write_dimensions(session, rows)
    _write_scales(session, rows)
    principles = {row.values["code"]: write_principle(
        session, strategy, row.values["code"],
        **_fields(row, "name", "description", "position"))
        for row in rows["Principles"]}
    objectives: dict[str, Objective] = {}
    for row in rows["Objectives"]:
        objectives[row.values["code"]] = write_objective(
            session, principles[row.values["principle"]], row.values["code"],
            **_fields(row, "title", "description"))
    for row in rows["Objectives"]:
        parent = objectives.get(row.values["parent"])
        objectives[row.values["code"]].parent_id = parent.id if parent else None
    indicators = {row.values["code"]: write_indicator(
        session, strategy, row.values["code"],
        **{name: value for name, value in row.values.items() if name != "code"})
        for row in rows["Indicators"]}
    for row in rows["Targets"]:
        values = row.values
        write_target(session, indicators[values["indicator"]], values["period"], values["value"],
                     values["final"])
    for row in rows["Series breaks"]:
        values = row.values
        write_break(session, indicators[values["indicator"]], values["period"],
                    values["reason"], values["note"])
    for row in rows["Paired estimates"]:
        values = row.values
        write_pairing(session, indicators[values["indicator"]], indicators[values["estimate"]],
                      values["source"], values["citation"])
    session.flush()


def _fields(row: ParsedRow, *fields: str) -> dict[str, Any]:
    """The row's `fields` and their texts in other languages, as far as the sheet has them."""
    wanted = [*fields, *translation_columns(fields)]
    return {name: row.values[name] for name in wanted if name in row.values}


def _write_entities(session: Session, rows: dict[str, list[ParsedRow]]) -> None:
    populations: dict[str, dict[int, int]] = {}
    for row in rows["Populations"]:
        populations.setdefault(row.values["entity"], {})[row.values["year"]] = (
            row.values["population"])
    entities = {entity.code: entity for entity in session.scalars(select(Entity))}
    for row in rows["Entities"]:
        values = row.values
        entities[values["code"]] = write_entity(
            session, values["code"], entities.get(values["parent"]),
            **_fields(row, "name", "template_language"), kind=values["kind"] or "agency")
    for row in rows["Entities"]:
        parent = entities.get(row.values["parent"])
        entities[row.values["code"]].parent_id = parent.id if parent else None
    for code, by_year in populations.items():
        write_populations(session, entities[code], by_year)


def _write_dimensions(session: Session, rows: dict[str, list[ParsedRow]]) -> None:
    for rank, row in enumerate(rows["Dimensions"]):
        values = row.values
        dimension = upsert(session, Dimension, {"code": values["dimension"]},
                           **_fields(row, "name", "position"))
        upsert(session, Category, {"dimension_id": dimension.id, "code": values["category"]},
               **_fields(row, "label"), position=rank)


def _write_scales(session: Session, rows: dict[str, list[ParsedRow]]) -> None:
    for row in rows["Scales"]:
        values = row.values
        scale = upsert(session, QualitativeScale, {"code": values["scale"]},
                       name=values["name"])
        upsert(session, ScaleLevel, {"scale_id": scale.id, "level": values["level"]},
               label=values["label"])
