"""Bulk import of published statistics in long format (one row per country, indicator, breakdown,
year and value), e.g. the UNODC data files, into indicator series.

A mapping (TOML, see `mappings/unodc.toml`) names the columns, maps column cells to the tracker's
dimensions and categories (`Female` -> `sex=female`, `Total` -> no breakdown) and says how
published values read (`<5` -> suppressed, `..` -> not available).

Rows that share a key (entity, indicator, breakdown, year) are combined: their numbers are added
up. If some of them were published as `<5`, the sum of the others is stored as a lower bound,
flagged estimated, with the rows named in the comment; if all were `<5`, the value is suppressed
with no number. A re-import of the same file writes nothing.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators import problems
from indicators.bulk import collector_paused
from indicators.disaggregation import canonical_key
from indicators.errors import MneError
from indicators.framework import write_indicator, write_objective, write_principle, write_strategy
from indicators.i18n import _
from indicators.model import (
    Category,
    Dimension,
    Entity,
    Flag,
    Indicator,
    Kind,
    Objective,
    Principle,
    Strategy,
)
from indicators.periods import Frequency
from indicators.problems import Problem, ProblemType
from indicators.values import ValueChanges, ValueKey, write_values

MAPPINGS = Path(__file__).with_name("mappings")
CHUNK = 5000
Progress = Callable[[int, int], None]  # values written so far, values in all


TO_CREATE = frozenset({problems.MissingStrategy.code, problems.MissingEntity.code,
                       problems.MissingIndicator.code, problems.MissingDimension.code,
                       problems.MissingCategories.code})


class StatsProblem(MneError):
    """The file cannot be imported as it stands; `problems` says why, `lines` one line each."""

    def __init__(self, found: list[Problem]):
        self.problems = found
        self.lines = [problem.message for problem in found]
        super().__init__("\n".join(self.lines))

    @property
    def needs_creation(self) -> bool:
        """Whether things the file refers to are missing (`create_missing` would add them)."""
        return any(problem.type in TO_CREATE for problem in self.problems)


class Unmapped(NamedTuple):
    """Why a row's series is not in the mapping: the catalogue's problem and its fields."""

    kind: type[ProblemType]
    fields: dict[str, str]


@dataclass(frozen=True)
class Breakdown:
    """How one column (or a dimension column and its category column) becomes a breakdown."""

    column: str
    total: str
    dimension: str = ""
    categories: dict[str, str] = field(default_factory=dict)
    dimension_column: str = ""
    dimensions: dict[str, dict[str, str]] = field(default_factory=dict)
    blank: str = "unknown"

    def pair(self, row: dict[str, str]) -> tuple[str, str, str] | None:
        """(dimension, category, category label) of a row, or None for the total."""
        label = row.get(self.column, "")
        if self.dimension_column:
            dimension_label = row.get(self.dimension_column, "")
            if dimension_label == self.total:
                return None
            spec = self.dimensions.get(dimension_label)
            if spec is None:
                raise KeyError(self.dimension_column, dimension_label)
            return spec["code"], self.categories.get(label) or slug(label) or self.blank, label
        if label == self.total:
            return None
        if label not in self.categories:
            raise KeyError(self.column, label)
        return self.dimension, self.categories[label], label


@dataclass(frozen=True)
class StatsMapping:
    """A mapping file, read."""

    name: str
    header_row: int
    columns: dict[str, str]
    entity_kind: str
    suppressed: frozenset[str]
    not_available: frozenset[str]
    thousands_separator: str
    units: dict[str, str]
    strategy: dict[str, Any]
    indicators: dict[str, dict[str, str]]
    breakdowns: tuple[Breakdown, ...]

    def column_names(self) -> set[str]:
        """Every column the mapping reads."""
        return {*self.columns.values(), *(breakdown.column for breakdown in self.breakdowns),
                *(breakdown.dimension_column for breakdown in self.breakdowns)} - {""}

    def dimension_names(self) -> dict[str, str]:
        """Names of the dimensions the mapping's paired columns define, by code."""
        return {spec["code"]: spec.get("name", spec["code"])
                for breakdown in self.breakdowns for spec in breakdown.dimensions.values()}


def load_mapping(name: str) -> StatsMapping:
    """The mapping shipped as `mappings/NAME.toml`, or the mapping file at path NAME."""
    path = Path(name) if Path(name).is_file() else MAPPINGS / f"{name}.toml"
    if not path.is_file():
        shipped = ", ".join(sorted(item.stem for item in MAPPINGS.glob("*.toml")))
        raise StatsProblem([problems.UnknownMapping.problem(name=name, shipped=shipped)])
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    values = spec.get("values", {})
    return StatsMapping(
        name=spec.get("name", path.stem), header_row=int(spec.get("header_row", 1)),
        columns=spec["columns"], entity_kind=spec.get("entities", {}).get("kind", "country"),
        suppressed=frozenset(values.get("suppressed", ["<5"])),
        not_available=frozenset(values.get("not_available", ["..", ""])),
        thousands_separator=values.get("thousands_separator", ""),
        units=spec.get("units", {}), strategy=spec.get("strategy", {}),
        indicators=spec.get("indicators", {}),
        breakdowns=tuple(Breakdown(**item) for item in spec.get("breakdowns", [])),
    )


@lru_cache(maxsize=8192)
def slug(label: str) -> str:
    """A category code made from its label: `Forced labour` -> `forced-labour` (40 at most)."""
    return re.sub(r"[^0-9a-z+]+", "-", label.lower()).strip("-")[:40].strip("-")


def read_table(path: Path, header_row: int = 1,
               columns: Iterable[str] | None = None) -> tuple[str, list[dict[str, str]]]:
    """The sheet (or file) name and the rows of a long-format xlsx, xls, ods or csv file, as text
    cells keyed by the header (only `columns` when given); whole numbers are written without a
    decimal point."""
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            grid: list[list[Any]] = list(csv.reader(handle))
        sheet = path.name
    else:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.sheet_names[0]
        grid = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    header = [_text(cell) for cell in grid[header_row - 1]]
    wanted = [(name, index) for index, name in enumerate(header)
              if columns is None or name in set(columns)]
    names = [name for name, _index in wanted]
    pick = itemgetter(*[index for _name, index in wanted])
    return sheet, [dict(zip(names, map(_text, pick(_padded(row, len(header)))), strict=True))
                   for row in grid[header_row:]]


def _padded(row: list[Any], width: int) -> list[Any]:
    return row if len(row) >= width else [*row, *[None] * (width - len(row))]


def _text(cell: Any) -> str:
    if type(cell) is str:
        return cell.strip()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else str(cell).strip()


@dataclass
class _Combined:
    """The rows of the file that share one key."""

    rows: list[int] = field(default_factory=list)
    total: float = 0.0
    numbers: int = 0
    suppressed: int = 0
    published: str = ""

    def fields(self, sheet: str) -> dict[str, Any]:
        fields: dict[str, Any] = {"source_sheet": sheet[:60], "source_cell": f"row {self.rows[0]}"}
        if self.numbers == 0:
            flag = Flag.SUPPRESSED if self.suppressed else Flag.NOT_AVAILABLE
            return {**fields, "value": None, "flag": flag, "comment": self.published}
        fields["value"] = self.total
        if self.suppressed:
            fields["flag"] = Flag.ESTIMATED
            fields["comment"] = _(
                "At least %(total)s: sum of rows %(rows)s, %(count)s of them published as "
                "%(text)s.",
                total=f"{self.total:g}", rows=", ".join(map(str, self.rows)),
                count=self.suppressed, text=self.published)
        elif len(self.rows) > 1:
            fields["comment"] = _("Sum of rows %(rows)s.", rows=", ".join(map(str, self.rows)))
        return fields


@dataclass
class StatsPlan:
    """What a file holds once read through its mapping, before anything is written."""

    sheet: str
    rows: int = 0
    values: dict[tuple[str, str, str, str], _Combined] = field(default_factory=dict)
    entities: dict[str, str] = field(default_factory=dict)
    indicator_dimensions: dict[str, dict[str, None]] = field(default_factory=dict)
    categories: dict[str, dict[str, str]] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def plan_import(path: Path, mapping: StatsMapping) -> StatsPlan:
    """Read the file through the mapping: values combined by key, the entities, indicators,
    dimensions and categories they need; problems listed with their row numbers."""
    sheet, rows = read_table(path, mapping.header_row, mapping.column_names())
    plan = StatsPlan(sheet=sheet, rows=len(rows))
    columns = mapping.columns
    breakdown_columns = sorted(mapping.column_names() - set(columns.values()))
    seen: dict[tuple[str, ...], tuple[str, str] | Unmapped] = {}
    for number, row in enumerate(rows, start=mapping.header_row + 1):
        cells = (row.get(columns["indicator"], ""), *map(row.get, breakdown_columns))
        if cells not in seen:
            seen[cells] = _series_of(row, mapping, plan)
        series = seen[cells]
        if isinstance(series, Unmapped):
            plan.problems.append(series.kind.problem(row=number, **series.fields))
            continue
        indicator, breakdown = series
        key = (_entity_of(row, columns, plan), indicator, breakdown, row.get(columns["year"], ""))
        _add_value(plan.values.setdefault(key, _Combined()), number,
                   row.get(columns["value"], ""), mapping, plan)
    return plan


def _series_of(row: dict[str, str], mapping: StatsMapping,
               plan: StatsPlan) -> tuple[str, str] | Unmapped:
    """(indicator code, canonical breakdown) of a row, with the dimensions and categories it
    needs noted in the plan; or what is wrong with it."""
    label = row.get(mapping.columns["indicator"], "")
    indicator = mapping.indicators.get(label)
    if indicator is None:
        return Unmapped(problems.IndicatorNotMapped, {"label": label})
    try:
        pairs = [pair for breakdown in mapping.breakdowns
                 if (pair := breakdown.pair(row)) is not None]
    except KeyError as unknown:
        column, cell = unknown.args
        return Unmapped(problems.CategoryNotMapped, {"found": cell, "column": column})
    code = indicator["code"]
    dimensions = plan.indicator_dimensions.setdefault(code, {})
    for dimension, category, label in pairs:
        plan.categories.setdefault(dimension, {}).setdefault(category, label or category)
        dimensions[dimension] = None
    plan.units[code] = row.get(mapping.columns.get("unit", ""), "")
    return code, canonical_key({dimension: category for dimension, category, _label in pairs})


def _entity_of(row: dict[str, str], columns: dict[str, str], plan: StatsPlan) -> str:
    name = row.get(columns.get("entity_name", ""), "")
    code = row.get(columns["entity"], "") or slug(name).upper()
    plan.entities.setdefault(code, name or code)
    return code


def _add_value(combined: _Combined, number: int, cell: str, mapping: StatsMapping,
               plan: StatsPlan) -> None:
    combined.rows.append(number)
    if cell in mapping.suppressed:
        combined.suppressed += 1
        combined.published = cell
        return
    if cell in mapping.not_available:
        combined.published = combined.published or cell
        return
    try:
        combined.total += float(cell.replace(mapping.thousands_separator, "")
                                if mapping.thousands_separator else cell)
        combined.numbers += 1
    except ValueError:
        plan.problems.append(problems.StatisticNotANumber.problem(row=number, found=cell))


@dataclass
class StatsSummary:
    """What an import did."""

    rows: int
    values: int
    changes: ValueChanges
    created: list[str]


@collector_paused()
def import_statistics(session: Session, path: Path, mapping: StatsMapping,
                      strategy_code: str | None = None, create_missing: bool = False,
                      progress: Progress | None = None) -> StatsSummary:
    """Import the file into the strategy's indicator series (the mapping's strategy when none is
    given). Missing strategy, entities, indicators, dimensions and categories are created with
    `create_missing`; otherwise `StatsProblem` lists them and nothing is written."""
    plan = plan_import(path, mapping)
    if plan.problems:
        raise StatsProblem(plan.problems)
    resolver = _Resolver(session, mapping, plan, strategy_code or mapping.strategy["code"])
    missing = resolver.missing()
    if missing and not create_missing:
        raise StatsProblem(missing)
    entity_ids, indicator_ids = resolver.create()
    rows = sorted((  # by indicator and entity, so that each chunk reads few current values
        (ValueKey(indicator_ids[indicator], entity_ids[entity], year, breakdown),
         combined.fields(plan.sheet))
        for (entity, indicator, breakdown, year), combined in plan.values.items()
    ), key=lambda row: (row[0].indicator_id, row[0].entity_id))
    changes = ValueChanges()
    for start in range(0, len(rows), CHUNK):
        chunk = write_values(session, rows[start:start + CHUNK])
        changes.added += chunk.added
        changes.changed += chunk.changed
        changes.unchanged += chunk.unchanged
        if progress:
            progress(min(start + CHUNK, len(rows)), len(rows))
    return StatsSummary(plan.rows, len(rows), changes,
                        [problem.message for problem in missing] if create_missing else [])


class _Resolver:
    """Finds (and on request creates) what the planned values refer to."""

    def __init__(self, session: Session, mapping: StatsMapping, plan: StatsPlan, strategy: str):
        self.session, self.mapping, self.plan, self.strategy_code = session, mapping, plan, strategy
        self.strategy = session.scalars(select(Strategy).filter_by(code=strategy)).one_or_none()
        self.entities = dict(session.execute(select(Entity.code, Entity.id)).all())
        self.indicators = {} if self.strategy is None else dict(session.execute(
            select(Indicator.code, Indicator.id).filter_by(strategy_id=self.strategy.id)
        ).all())
        self.categories: dict[str, set[str]] = {}
        for dimension, category in session.execute(
                select(Dimension.code, Category.code).outerjoin(Category)):
            self.categories.setdefault(dimension, set()).add(category)

    def missing(self) -> list[Problem]:
        """One problem per thing the file needs and the database lacks."""
        found = []
        if self.strategy is None:
            found.append(problems.MissingStrategy.problem(code=self.strategy_code))
        found += [problems.MissingEntity.problem(code=code, name=name)
                  for code, name in sorted(self.plan.entities.items())
                  if code not in self.entities]
        found += [problems.MissingIndicator.problem(code=code)
                  for code in sorted(self.plan.indicator_dimensions)
                  if code not in self.indicators]
        for dimension, categories in sorted(self.plan.categories.items()):
            if dimension not in self.categories:
                found.append(problems.MissingDimension.problem(code=dimension))
            absent = sorted(set(categories) - self.categories.get(dimension, set()))
            if absent:
                found.append(problems.MissingCategories.problem(dimension=dimension,
                                                                codes=", ".join(absent)))
        return found

    def create(self) -> tuple[dict[str, int], dict[str, int]]:
        """Create what is missing; the ids of the entities and indicators by code."""
        self._add_categories()
        created = [Entity(code=code, name=name, kind=self.mapping.entity_kind)
                   for code, name in self.plan.entities.items() if code not in self.entities]
        self.session.add_all(created)
        self.session.flush()
        self.entities.update((entity.code, entity.id) for entity in created)
        missing = [code for code in self.plan.indicator_dimensions if code not in self.indicators]
        if missing:
            objective = self._objective()
            for code in missing:
                self.indicators[code] = self._new_indicator(code, objective).id
        return self.entities, self.indicators

    def _add_categories(self) -> None:
        names = self.mapping.dimension_names()
        dimensions = {row.code: row for row in self.session.scalars(select(Dimension))}
        for code, categories in self.plan.categories.items():
            dimension = dimensions.get(code)
            if dimension is None:
                dimension = Dimension(code=code, name=names.get(code, code.title()),
                                      position=len(dimensions))
                self.session.add(dimension)
                dimensions[code] = dimension
            present = {category.code for category in dimension.categories}
            for category_code, label in categories.items():
                if category_code not in present:
                    dimension.categories.append(Category(
                        code=category_code, label=label[:200],
                        position=len(dimension.categories)))
        self.session.flush()

    def _objective(self) -> Objective:
        spec = self.mapping.strategy
        if self.strategy is None:
            self.strategy = write_strategy(
                self.session, self.strategy_code, title=spec.get("title", self.strategy_code),
                area=spec.get("area", ""), start_year=int(spec.get("start_year", 2000)),
                end_year=int(spec.get("end_year", 2030)))
        principle = self._find(Principle, strategy_id=self.strategy.id, code=spec["principle"])
        if principle is None:
            principle = write_principle(
                self.session, self.strategy, spec["principle"],
                name=spec.get("principle_name", spec["principle"].title()),
                position=len(self.strategy.principles))
        objective = self.session.scalars(
            select(Objective).join(Principle).where(Principle.strategy_id == self.strategy.id,
                                                    Objective.code == spec["objective"])).first()
        if objective is None:
            objective = write_objective(self.session, principle, spec["objective"],
                                        title=spec.get("objective_title", spec["objective"]))
        return objective

    def _find(self, model: type, **key: Any) -> Any:
        return self.session.scalars(select(model).filter_by(**key)).one_or_none()

    def _new_indicator(self, code: str, objective: Objective) -> Indicator:
        spec = next(item for item in self.mapping.indicators.values() if item["code"] == code)
        wanted = list(self.plan.indicator_dimensions[code])
        return write_indicator(
            self.session, self.strategy, code, objective=objective.code,
            name=spec.get("name", code), definition=spec.get("definition", ""),
            kind=Kind.QUANTITATIVE,
            unit=self.mapping.units.get(self.plan.units.get(code, ""), "count"),
            direction=spec.get("direction", "maintain"), frequency=Frequency.ANNUAL,
            aggregation=spec.get("aggregation", "sum"), data_source=self.mapping.name,
            standard=spec.get("standard", ""), sex_required="sex" in wanted, dimensions=wanted)
