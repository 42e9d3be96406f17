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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from importers.problems import ProblemReport
from importers.workbook import open_workbook
from indicators.cells import FORMULA_TRIGGERS, neutralise
from indicators.evaluation import load_strategy
from indicators.framework import upsert
from indicators.i18n import _
from indicators.model import (
    Aggregation,
    Category,
    Dimension,
    Direction,
    Entity,
    EntityPopulation,
    Indicator,
    IndicatorDimension,
    Kind,
    Objective,
    Principle,
    QualitativeScale,
    ScaleLevel,
    Strategy,
    Target,
    Unit,
)
from indicators.periods import Frequency, PeriodError, parse_period

Parser = Callable[[Any], Any]


class CellError(ValueError):
    """A cell that cannot be read as its column asks; the message says what is expected."""


def text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def required(cell: Any) -> str:
    value = text(cell)
    if not value:
        raise CellError(_("This cell must not be empty."))
    return value


def integer(cell: Any) -> int:
    try:
        number = float(cell)
    except (TypeError, ValueError):
        raise CellError(_("Expected a whole number.")) from None
    if not number.is_integer():
        raise CellError(_("Expected a whole number."))
    return int(number)


def optional_number(cell: Any) -> float | None:
    if text(cell) == "":
        return None
    try:
        return float(cell)
    except (TypeError, ValueError):
        raise CellError(_("Expected a number or an empty cell.")) from None


def number(cell: Any) -> float:
    value = optional_number(cell)
    if value is None:
        raise CellError(_("Expected a number."))
    return value


def yes_no(cell: Any) -> bool:
    if isinstance(cell, bool):
        return cell
    value = text(cell).lower()
    if value in ("true", "yes", "1", "1.0"):
        return True
    if value in ("false", "no", "0", "0.0", ""):
        return False
    raise CellError(_("Expected TRUE or FALSE."))


def choice(enum_class: type) -> Parser:
    def parse(cell: Any) -> Any:
        try:
            return enum_class(text(cell))
        except ValueError:
            allowed = ", ".join(member.value for member in enum_class)
            raise CellError(_("Expected one of: %(allowed)s.", allowed=allowed)) from None
    return parse


def period(cell: Any) -> str:
    value = text(cell)
    if not value:
        return ""
    try:
        return parse_period(value).code
    except PeriodError:
        raise CellError(_("Expected a period such as 2026, 2026S1, 2026Q3 or 2026M07.")) from None


def required_period(cell: Any) -> str:
    value = period(cell)
    if not value:
        raise CellError(_("This cell must not be empty."))
    return value


def codes(cell: Any) -> list[str]:
    return [part.strip() for part in text(cell).split(",") if part.strip()]


@dataclass(frozen=True)
class Sheet:
    """One sheet of the framework workbook: its name and its columns with their parsers."""

    name: str
    columns: tuple[tuple[str, Parser], ...]

    @property
    def headers(self) -> list[str]:
        return [header for header, _parser in self.columns]


SHEETS = (
    Sheet("Strategy", (("code", required), ("title", required), ("area", text),
                       ("start_year", integer), ("end_year", integer), ("description", text),
                       ("active", yes_no))),
    Sheet("Principles", (("code", required), ("name", required), ("description", text),
                         ("position", integer))),
    Sheet("Objectives", (("principle", required), ("code", required), ("parent", text),
                         ("title", required), ("description", text))),
    Sheet("Entities", (("code", required), ("name", required), ("kind", text),
                       ("parent", text))),
    Sheet("Populations", (("entity", required), ("year", integer), ("population", integer))),
    Sheet("Dimensions", (("dimension", required), ("name", required), ("position", integer),
                         ("category", required), ("label", required))),
    Sheet("Scales", (("scale", required), ("name", required), ("level", integer),
                     ("label", required))),
    Sheet("Indicators", (
        ("code", required), ("objective", required), ("name", required), ("definition", text),
        ("kind", choice(Kind)), ("unit", choice(Unit)), ("currency", text),
        ("direction", choice(Direction)), ("frequency", choice(Frequency)),
        ("aggregation", choice(Aggregation)), ("data_source", text), ("verification", text),
        ("responsible", text), ("reporters", codes), ("dimensions", codes), ("standard", text),
        ("sex_required", yes_no), ("scale", text), ("baseline_value", optional_number),
        ("baseline_period", period), ("baseline_note", text), ("archived", yes_no))),
    Sheet("Targets", (("indicator", required), ("period", required_period), ("value", number),
                      ("final", yes_no))),
)
SHEET = {sheet.name: sheet for sheet in SHEETS}


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
             strategy.description, strategy.active]]


def _principle_rows(_session: Session, strategy: Strategy) -> list[list[Any]]:
    return [[item.code, item.name, item.description, item.position]
            for item in strategy.principles]


def _objective_rows(_session: Session, strategy: Strategy) -> list[list[Any]]:
    return [[principle.code, objective.code, objective.parent.code if objective.parent else "",
             objective.title, objective.description]
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
    return [[entity.code, entity.name, entity.kind, entity.parent.code if entity.parent else ""]
            for entity in _entities_of(strategy)]


def _population_rows(_session: Session, strategy: Strategy) -> list[list[Any]]:
    return [[entity.code, item.year, item.population]
            for entity in _entities_of(strategy) for item in entity.populations]


def _dimension_rows(session: Session, strategy: Strategy) -> list[list[Any]]:
    used = {dimension.id for indicator in strategy.indicators
            for dimension in indicator.dimensions}
    dimensions = session.scalars(select(Dimension).order_by(Dimension.position, Dimension.code))
    return [[dimension.code, dimension.name, dimension.position, category.code, category.label]
            for dimension in dimensions if dimension.id in used
            for category in dimension.categories]


def _scale_rows(_session: Session, strategy: Strategy) -> list[list[Any]]:
    scales = {indicator.scale.code: indicator.scale for indicator in strategy.indicators
              if indicator.scale is not None}
    return [[scale.code, scale.name, level.level, level.label]
            for _code, scale in sorted(scales.items()) for level in scale.levels]


def _indicator_rows(_session: Session, strategy: Strategy) -> list[list[Any]]:
    return [[
        item.code, item.objective.code, item.name, item.definition, item.kind.value,
        item.unit.value, item.currency, item.direction.value, item.frequency.value,
        item.aggregation.value, item.data_source, item.verification,
        item.responsible_entity.code if item.responsible_entity else "",
        ", ".join(entity.code for entity in item.reporters),
        ", ".join(dimension.code for dimension in item.dimensions), item.standard,
        item.sex_required, item.scale.code if item.scale else "", item.baseline_value,
        item.baseline_period or "", item.baseline_note, item.archived,
    ] for item in strategy.indicators]


def _target_rows(_session: Session, strategy: Strategy) -> list[list[Any]]:
    return [[indicator.code, target.period, target.value, target.final]
            for indicator in strategy.indicators for target in indicator.targets]


_EXPORTERS = {
    "Strategy": _strategy_rows, "Principles": _principle_rows, "Objectives": _objective_rows,
    "Entities": _entity_rows, "Populations": _population_rows, "Dimensions": _dimension_rows,
    "Scales": _scale_rows, "Indicators": _indicator_rows, "Targets": _target_rows,
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
    workbook = open_workbook(data)
    rows: dict[str, list[ParsedRow]] = {}
    for sheet in SHEETS:
        if sheet.name not in workbook.sheet_names:
            result.report.error("missing_sheet", _("The workbook has no sheet %(sheet)s.",
                                                   sheet=sheet.name), sheet=sheet.name)
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
    missing = [name for name in sheet.headers if name not in header]
    if missing:
        report.error("missing_column", _("Sheet %(sheet)s lacks the columns %(columns)s.",
                                         sheet=sheet.name, columns=", ".join(missing)),
                     sheet=sheet.name, cell="A1")
        return []
    parsed = []
    for number, raw in enumerate(grid[1:], start=2):
        if all(text(cell) == "" for cell in raw):
            continue
        values = {}
        for header_name, parser in sheet.columns:
            index = header.index(header_name)
            cell = raw[index] if index < len(raw) else None
            if isinstance(cell, str) and cell[:1] == "'" and cell[1:].startswith(FORMULA_TRIGGERS):
                cell = cell[1:]  # text the export neutralised
            try:
                values[header_name] = parser(cell)
            except CellError as problem:
                report.error("invalid_cell", str(problem), sheet=sheet.name,
                             cell=f"{get_column_letter(index + 1)}{number}", found=text(cell))
        parsed.append(ParsedRow(sheet.name, number, values))
    return parsed


def _check_references(rows: dict[str, list[ParsedRow]], session: Session,
                      report: ProblemReport) -> None:
    if len(rows["Strategy"]) != 1:
        report.error("strategy_rows", _("Sheet Strategy must hold exactly one strategy."),
                     sheet="Strategy", cell="A2")
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
    }
    for sheet, columns in references.items():
        for row in rows[sheet]:
            for column, kind in columns:
                wanted = row.values.get(column)
                for code in wanted if isinstance(wanted, list) else [wanted] if wanted else []:
                    if code not in known[kind]:
                        report.error("unknown_reference", _(
                            "No %(kind)s has the code %(code)s.", kind=kind, code=code),
                            sheet=sheet, cell=row.cell(column), found=code)


def _codes(rows: list[ParsedRow], column: str) -> set[str]:
    return {row.values[column] for row in rows if column in row.values}


def _write(session: Session, rows: dict[str, list[ParsedRow]]) -> None:
    spec = rows["Strategy"][0].values
    strategy = upsert(session, Strategy, {"code": spec["code"]},
                      **{name: value for name, value in spec.items() if name != "code"})
    entities = _write_entities(session, rows)
    dimensions = _write_dimensions(session, rows)
    scales = _write_scales(session, rows)
    principles = {row.values["code"]: upsert(
        session, Principle, {"strategy_id": strategy.id, "code": row.values["code"]},
        name=row.values["name"], description=row.values["description"],
        position=row.values["position"]) for row in rows["Principles"]}
    objectives = {row.values["code"]: upsert(
        session, Objective,
        {"principle_id": principles[row.values["principle"]].id, "code": row.values["code"]},
        title=row.values["title"], description=row.values["description"])
        for row in rows["Objectives"]}
    for row in rows["Objectives"]:
        parent = objectives.get(row.values["parent"])
        objectives[row.values["code"]].parent_id = parent.id if parent else None
    indicators = {row.values["code"]: _write_indicator(
        session, strategy, row.values, objectives, entities, dimensions, scales)
        for row in rows["Indicators"]}
    for row in rows["Targets"]:
        values = row.values
        upsert(session, Target, {"indicator_id": indicators[values["indicator"]].id,
                                 "period": values["period"]},
               period_end=parse_period(values["period"]).end, value=values["value"],
               final=values["final"])
    session.flush()


def _write_entities(session: Session, rows: dict[str, list[ParsedRow]]) -> dict[str, Entity]:
    entities = {entity.code: entity for entity in session.scalars(select(Entity))}
    for row in rows["Entities"]:
        entities[row.values["code"]] = upsert(session, Entity, {"code": row.values["code"]},
                                              name=row.values["name"],
                                              kind=row.values["kind"] or "agency")
    for row in rows["Entities"]:
        parent = entities.get(row.values["parent"])
        entities[row.values["code"]].parent_id = parent.id if parent else None
    for row in rows["Populations"]:
        upsert(session, EntityPopulation,
               {"entity_id": entities[row.values["entity"]].id, "year": row.values["year"]},
               population=row.values["population"])
    return entities


def _write_dimensions(session: Session, rows: dict[str, list[ParsedRow]]) -> dict[str, Dimension]:
    dimensions = {dimension.code: dimension for dimension in session.scalars(select(Dimension))}
    for rank, row in enumerate(rows["Dimensions"]):
        values = row.values
        dimension = dimensions[values["dimension"]] = upsert(
            session, Dimension, {"code": values["dimension"]}, name=values["name"],
            position=values["position"])
        upsert(session, Category, {"dimension_id": dimension.id, "code": values["category"]},
               label=values["label"], position=rank)
    return dimensions


def _write_scales(session: Session, rows: dict[str, list[ParsedRow]]) -> dict[str, int]:
    scales = {scale.code: scale for scale in session.scalars(select(QualitativeScale))}
    for row in rows["Scales"]:
        values = row.values
        scale = scales[values["scale"]] = upsert(session, QualitativeScale,
                                                 {"code": values["scale"]}, name=values["name"])
        upsert(session, ScaleLevel, {"scale_id": scale.id, "level": values["level"]},
               label=values["label"])
    return {code: scale.id for code, scale in scales.items()}


def _write_indicator(session: Session, strategy: Strategy, values: dict[str, Any],
                     objectives: dict[str, Objective], entities: dict[str, Entity],
                     dimensions: dict[str, Dimension], scales: dict[str, int]) -> Indicator:
    simple = ("name", "definition", "kind", "unit", "currency", "direction", "frequency",
              "aggregation", "data_source", "verification", "standard", "sex_required",
              "baseline_value", "baseline_note", "archived")
    responsible = entities.get(values["responsible"])
    indicator = upsert(
        session, Indicator, {"strategy_id": strategy.id, "code": values["code"]},
        objective_id=objectives[values["objective"]].id,
        responsible_entity_id=responsible.id if responsible else None,
        scale_id=scales.get(values["scale"]), baseline_period=values["baseline_period"] or None,
        **{name: values[name] for name in simple})
    wanted = [dimensions[code].id for code in values["dimensions"]]
    if [link.dimension_id for link in indicator.dimension_links] != wanted:
        indicator.dimension_links = [IndicatorDimension(dimension_id=dimension_id, position=rank)
                                     for rank, dimension_id in enumerate(wanted)]
    reporters = [entities[code] for code in values["reporters"]]
    if [entity.code for entity in indicator.reporters] != values["reporters"]:
        indicator.reporters = reporters
    return indicator

