"""Bulk import of published statistics in long format (one row per country, indicator, breakdown,
year and value), e.g. the UNODC data files, into indicator series.

A mapping (TOML, see `mappings/unodc.toml`) names the columns, maps column cells to the tracker's
indicators, dimensions and categories (`Female` -> `sex=female`, `Total` -> no breakdown) and says
how published values read (`<5` -> suppressed, `..` -> not available). The unit is part of the
series: one indicator published as counts and as rates is two indicators. Indicators, dimensions
and categories the mapping does not list get a code made from their label (`México` -> `mexico`);
labels that differ only by case or spacing are one category, labels that differ otherwise never
share a code.

Every row is accounted for: stored, added up with the rows that share its key (entity,
indicator, breakdown, year), or refused with its row number. If some rows of a key were
published as `<5`, the sum of the others is stored as a lower bound ("at least"), estimated, with
the rows named in the comment; if all were `<5`, the value is suppressed with no number. A re-import
of the same file writes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
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
    Indicator,
    Kind,
    Nature,
    Objective,
    Principle,
    Strategy,
)
from indicators.periods import Frequency
from indicators.problems import Problem, ProblemType
from indicators.values import ValueChanges, ValueKey, write_values

MAPPINGS = Path(__file__).with_name("mappings")
CHUNK = 5000
CODE_LENGTH = 40  # the length of every code column
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

    @property
    def refused_rows(self) -> int:
        """How many rows of the file are refused (each problem with a row names one)."""
        return sum("row" in problem.fields for problem in self.problems)


class Unmapped(NamedTuple):
    """Why a row's series is not in the mapping: the catalogue's problem and its fields."""

    kind: type[ProblemType]
    fields: dict[str, str]


def same_label(label: str) -> str:
    """The label as compared: labels that differ only by case or spacing are one."""
    return "".join(label.casefold().split())


def slug(label: str, length: int = CODE_LENGTH) -> str:
    """A code that keeps the label's meaning: accents dropped from their letters, each run of
    other characters than ASCII letters, digits and + one hyphen (`Forced labour` ->
    `forced-labour`, `Türkiye` -> `turkiye`, `Côte d’Ivoire` -> `cote-d-ivoire`). A code
    longer than `length` is cut and ends with a stable hash of the label, so that two labels
    are never cut into one code."""
    plain = "".join(char for char in unicodedata.normalize("NFKD", unmangled(label))
                    if not unicodedata.combining(char))
    code = re.sub(r"[^0-9a-z+]+", "-", plain.lower()).strip("-")
    return code if len(code) <= length else hashed(code, label, length)


def unmangled(label: str) -> str:
    """The label as written when its UTF-8 was read as Windows-1252 (`TÃ¼rkiye` -> `Türkiye`),
    else the label."""
    try:
        return label.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return label


def hashed(code: str, label: str, length: int = CODE_LENGTH) -> str:
    """`code`, cut to leave room for a hyphen and six characters of the label's hash."""
    digest = hashlib.sha1(same_label(label).encode()).hexdigest()[:6]
    return f"{code[:length - 7].rstrip('-')}-{digest}"


@dataclass
class CategoryCodes:
    """The codes of one dimension's categories, by label: a stored category keeps its code,
    labels that differ only by case or spacing share one, and a label whose code another label
    holds gets the code with its hash."""

    dimension: str
    labels: dict[str, str] = field(default_factory=dict)  # code -> its label
    codes: dict[str, str] = field(default_factory=dict)  # same_label -> code
    seen: dict[str, dict[str, None]] = field(default_factory=dict)  # code -> labels of the file

    def hold(self, code: str, label: str) -> None:
        """`code` is the category of `label` (stored, or named by the mapping)."""
        self.labels.setdefault(code, label)
        self.codes.setdefault(same_label(label), code)

    def code(self, label: str) -> str:
        """The code of the category `label` names."""
        key = same_label(label)
        code = self.codes.get(key)
        if code is None:
            code = slug(label) or hashed("", label)
            if code in self.labels:
                code = hashed(code, label)
            self.hold(code, label)
        self.seen.setdefault(code, {}).setdefault(label, None)
        return code

    def merges(self) -> list[Problem]:
        """One problem per category whose labels in the file differ by case or spacing."""
        return [problems.LabelsMerged.problem(
            dimension=self.dimension, code=code, labels=", ".join(map(repr, labels)))
            for code, labels in self.seen.items() if len(labels) > 1]


class Pair(NamedTuple):
    """A row's category of one dimension."""

    dimension: str
    dimension_name: str
    category: str
    label: str


@dataclass(frozen=True)
class Breakdown:
    """How one column (or a dimension column and its category column) becomes a breakdown.
    The `categories` table names codes; other labels get a code made from them when the
    breakdown is `open` (always for a pair of columns), else they are not in the mapping. An
    empty category cell reads as `blank`."""

    column: str
    total: str
    dimension: str = ""
    categories: dict[str, str] = field(default_factory=dict)
    dimension_column: str = ""
    dimensions: dict[str, dict[str, str]] = field(default_factory=dict)
    blank: str = "Unspecified"
    open: bool = False

    def pair(self, row: dict[str, str], codes: Callable[[str], CategoryCodes]) -> Pair | None:
        """The row's category of this breakdown, or None for the total."""
        cell = row.get(self.column, "")
        label = cell or self.blank
        dimension, name = self.dimension, ""
        if self.dimension_column:
            dimension_label = row.get(self.dimension_column, "")
            if dimension_label == self.total:
                return None
            if not dimension_label:
                raise KeyError(self.dimension_column, dimension_label)
            spec = self.dimension_spec(dimension_label)
            dimension, name = spec["code"], spec.get("name", spec["code"])
        elif cell == self.total:
            return None
        if label in self.categories:
            return Pair(dimension, name, self.categories[label], label)
        if not (self.open or self.dimension_column):
            raise KeyError(self.column, cell)
        categories = codes(dimension)
        for named, code in self.categories.items():  # a code the mapping gives is taken
            categories.hold(code, named)
        return Pair(dimension, name, categories.code(label), label)

    def dimension_spec(self, label: str) -> dict[str, str]:
        """The dimension a cell of the dimension column names: the mapping's, else one made
        from its label (`by form of exploitation` -> `form-of-exploitation`)."""
        spec = self.dimensions.get(label)
        if spec is not None:
            return spec
        name = re.sub(r"^by\s+", "", label, flags=re.IGNORECASE) or label
        return {"code": slug(name), "name": name[:1].upper() + name[1:]}

    def clashes(self) -> list[Problem]:
        """One problem per pair of labels of `categories` that differ otherwise than by case or
        spacing and are given one code."""
        first: dict[str, str] = {}
        found = []
        for label, code in self.categories.items():
            other = first.setdefault(code, label)
            if same_label(other) != same_label(label):
                found.append(problems.CategoryCodeClash.problem(
                    first=other, second=label, code=code,
                    dimension=self.dimension or self.dimension_column))
        return found


@dataclass(frozen=True)
class StatsMapping:
    """A mapping file, read."""

    name: str
    header_row: int
    columns: dict[str, str]
    values_columns: tuple[str, ...]
    entity_kind: str
    suppressed: frozenset[str]
    not_available: frozenset[str]
    thousands_separator: str
    units: dict[str, str]
    unit_codes: dict[str, str]
    strategy: dict[str, Any]
    indicators: dict[str, dict[str, str]]
    breakdowns: tuple[Breakdown, ...]

    def column_names(self) -> set[str]:
        """Every column the mapping reads."""
        return {*self.columns.values(), *self.values_columns,
                *(breakdown.column for breakdown in self.breakdowns),
                *(breakdown.dimension_column for breakdown in self.breakdowns)} - {""}

    def series(self, label: str, unit: str) -> tuple[str, dict[str, str]]:
        """The code and specification of the indicator of a label published in a unit: the
        mapping's, else one made from the label; in a unit with a code (rates), the code and
        name say the unit, as counts and rates are two series."""
        spec = {"name": label, **self.indicators.get(label, {})}
        code = spec.get("code") or slug(label).upper()
        suffix = self.unit_codes.get(unit, "")
        if suffix:
            code = f"{code}-{suffix}"
            code = code if len(code) <= CODE_LENGTH else hashed(code, f"{label} {unit}")
            spec["name"] = f"{spec['name']} ({unit})"
        return code, spec


def load_mapping(name: str) -> StatsMapping:
    """The mapping shipped as `mappings/NAME.toml`, or the mapping file at path NAME."""
    path = Path(name) if Path(name).is_file() else MAPPINGS / f"{name}.toml"
    if not path.is_file():
        shipped = ", ".join(sorted(item.stem for item in MAPPINGS.glob("*.toml")))
        raise StatsProblem([problems.UnknownMapping.problem(name=name, shipped=shipped)])
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    values = spec.get("values", {})
    columns = dict(spec["columns"])
    value = columns.pop("value")
    mapping = StatsMapping(
        name=spec.get("name", path.stem), header_row=int(spec.get("header_row", 1)),
        columns=columns, values_columns=(value,) if isinstance(value, str) else tuple(value),
        entity_kind=spec.get("entities", {}).get("kind", "country"),
        suppressed=frozenset(values.get("suppressed", ["<5"])),
        not_available=frozenset(values.get("not_available", ["..", ""])),
        thousands_separator=values.get("thousands_separator", ""),
        units=spec.get("units", {}), unit_codes=spec.get("unit_codes", {}),
        strategy=spec.get("strategy", {}), indicators=spec.get("indicators", {}),
        breakdowns=tuple(Breakdown(**item) for item in spec.get("breakdowns", [])),
    )
    clashes = [problem for breakdown in mapping.breakdowns for problem in breakdown.clashes()]
    if clashes:
        raise StatsProblem(clashes)
    return mapping


class Table(NamedTuple):
    """A long-format file as read: its sheet (or file) name, its header, the cells of the
    columns asked for as text, by column name, and how many rows it has below the header."""

    sheet: str
    header: list[str]
    columns: dict[str, list[str]]
    rows: int


def read_table(path: Path, header_row: int = 1, columns: Iterable[str] | None = None) -> Table:
    """The header and the columns (only `columns` when given) of a long-format xlsx, xls, ods
    or csv file, as text cells; whole numbers are written without a decimal point."""
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            grid: list[list[Any]] = list(csv.reader(handle))
        sheet = path.name
    else:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.sheet_names[0]
        grid = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    header = [_text(cell) for cell in grid[header_row - 1]] if len(grid) >= header_row else []
    chosen = None if columns is None else set(columns)
    wanted = {name: index for index, name in enumerate(header)
              if chosen is None or name in chosen}
    body = grid[header_row:]
    if body and min(map(len, body)) < len(header):  # a csv file's short rows
        body = [_padded(row, len(header)) for row in body]
    # the cells of each column (of a longer csv row, those beyond the header are not read)
    cells = list(zip(*body, strict=False)) if body else [()] * len(header)
    return Table(sheet, header, {name: _texts(cells[index]) for name, index in wanted.items()},
                 len(body))


def _texts(column: Sequence[Any]) -> list[str]:
    """The column's cells as text, each distinct cell read once (a long-format file repeats
    its countries, indicators, categories and years)."""
    if bool in set(map(type, column)):  # True equals 1 but reads otherwise: cell by cell
        return [_text(cell) for cell in column]
    distinct = {cell: _text(cell) for cell in set(column)}
    return list(map(distinct.__getitem__, column))


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

    def add(self, row: int, cell: str, published: float | Nature) -> None:
        """Add the row whose value cell is `cell`, read as `published`."""
        self.rows.append(row)
        if published is Nature.SUPPRESSED:
            self.suppressed += 1
            self.published = cell
        elif published is Nature.NOT_AVAILABLE:
            self.published = self.published or cell
        else:
            self.total += published
            self.numbers += 1

    def fields(self, sheet: str) -> dict[str, Any]:
        fields: dict[str, Any] = {"source_sheet": sheet[:60], "source_cell": f"row {self.rows[0]}"}
        if self.numbers == 0:
            nature = Nature.SUPPRESSED if self.suppressed else Nature.NOT_AVAILABLE
            return {**fields, "value": None, "nature": nature, "comment": self.published}
        fields["value"] = self.total
        if self.suppressed:
            fields["nature"] = Nature.ESTIMATED
            fields["low"], fields["at_least"] = self.total, True
            fields["comment"] = _(
                "At least %(total)s: sum of rows %(rows)s, %(count)s of them published as "
                "%(text)s.",
                total=f"{self.total:g}", rows=", ".join(map(str, self.rows)),
                count=self.suppressed, text=self.published)
        elif len(self.rows) > 1:
            fields["comment"] = _("Sum of rows %(rows)s.", rows=", ".join(map(str, self.rows)))
        return fields


Rows = list[tuple[int, str]]  # the rows of one key: row number and value cell of each


@dataclass
class StatsPlan:
    """What a file holds once read through its mapping, before anything is written."""

    sheet: str
    rows: int = 0
    values: dict[tuple[str, str, str, str], Rows] = field(default_factory=dict)
    readings: dict[str, float | Nature] = field(default_factory=dict)  # value cell -> reading
    entities: dict[str, str] = field(default_factory=dict)
    indicators: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> specification
    categories: dict[str, dict[str, str]] = field(default_factory=dict)
    dimensions: dict[str, str] = field(default_factory=dict)  # code -> name, when named
    codes: dict[str, CategoryCodes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def value_fields(self) -> Iterator[tuple[tuple[str, str, str, str], dict[str, Any]]]:
        """Each key and the fields of its value, combined from its rows. Most keys have one row,
        whose fields differ from those of another row with the same value cell only by the
        row's number: they are combined once per value cell."""
        by_cell: dict[str, dict[str, Any]] = {}
        for key, rows in self.values.items():
            if len(rows) > 1:
                yield key, self._combined(rows).fields(self.sheet)
                continue
            number, cell = rows[0]
            if cell not in by_cell:
                by_cell[cell] = self._combined(rows).fields(self.sheet)
            yield key, {**by_cell[cell], "source_cell": f"row {number}"}

    def _combined(self, rows: Rows) -> _Combined:
        combined = _Combined()
        for number, cell in rows:
            combined.add(number, cell, self.readings[cell])
        return combined

    def codes_of(self, dimension: str) -> CategoryCodes:
        return self.codes.setdefault(dimension, CategoryCodes(dimension))

    def added_up(self) -> list[Problem]:
        """One problem per value stored from several rows, naming them."""
        return [problems.RowsAddedUp.problem(
            row=rows[0][0], rows=", ".join(str(number) for number, _cell in rows),
            entity=entity, indicator=indicator, breakdown=breakdown or _("total"), year=year)
            for (entity, indicator, breakdown, year), rows in self.values.items()
            if len(rows) > 1]

    def rows_added_up(self) -> int:
        """Rows whose value went into another row's (every row of a key but the first)."""
        return sum(map(len, self.values.values())) - len(self.values)

    def merged_labels(self) -> list[Problem]:
        return [problem for codes in self.codes.values() for problem in codes.merges()]


def plan_import(path: Path, mapping: StatsMapping,
                stored: dict[str, dict[str, str]] | None = None) -> StatsPlan:
    """Read the file through the mapping: values combined by key, the entities, indicators,
    dimensions and categories they need (`stored` gives the categories already stored, code to
    label, by dimension); problems listed with their row numbers. A long-format file repeats
    its series, entities and value cells, so each distinct one is read once."""
    table = read_table(path, mapping.header_row, mapping.column_names())
    plan = StatsPlan(sheet=table.sheet, rows=table.rows)
    for dimension, categories in (stored or {}).items():
        for code, label in categories.items():
            plan.codes_of(dimension).hold(code, label)
    columns = mapping.columns
    value_column = next((name for name in mapping.values_columns if name in table.header), "")
    absent = [name for name in (columns["entity"], columns["indicator"], columns["year"])
              if name not in table.header]
    if not value_column:
        absent.append(" / ".join(mapping.values_columns))  # one of them is enough
    if absent:
        plan.problems.append(problems.MissingColumns.problem(sheet=table.sheet,
                                                             columns=", ".join(absent)))
        return plan
    blank = [""] * table.rows

    def cells_of(name: str) -> list[str]:
        return table.columns.get(name, blank)

    names = (columns["indicator"], columns.get("unit", ""),
             *sorted(mapping.column_names() - {*columns.values(), *mapping.values_columns}))
    series_cells = [cells_of(name) for name in names]
    series = {cells: _series_of(dict(zip(names, cells, strict=True)), mapping, plan)
              for cells in dict.fromkeys(zip(*series_cells, strict=True))}
    entity_cells = (cells_of(columns["entity"]), cells_of(columns.get("entity_name", "")))
    entities = {cells: _entity_of(*cells, plan)
                for cells in dict.fromkeys(zip(*entity_cells, strict=True))}
    readings = plan.readings = _readings(cells_of(value_column), mapping)
    for number, (found, entity, year, cell) in enumerate(zip(
            zip(*series_cells, strict=True), zip(*entity_cells, strict=True),
            cells_of(columns["year"]), cells_of(value_column), strict=True),
            start=mapping.header_row + 1):
        mapped = series[found]
        if type(mapped) is Unmapped:
            plan.problems.append(mapped.kind.problem(row=number, **mapped.fields))
        elif cell not in readings:
            plan.problems.append(problems.StatisticNotANumber.problem(row=number, found=cell))
        else:
            key = (entities[entity], *mapped, year)
            rows = plan.values.get(key)
            if rows is None:
                plan.values[key] = [(number, cell)]
            else:
                rows.append((number, cell))
    return plan


def _series_of(row: dict[str, str], mapping: StatsMapping,
               plan: StatsPlan) -> tuple[str, str] | Unmapped:
    """(indicator code, canonical breakdown) of a row, with the indicator, dimensions and
    categories it needs noted in the plan; or what is wrong with it."""
    unit_column = mapping.columns.get("unit", "")
    unit = row.get(unit_column, "")
    if unit_column and unit not in mapping.units:
        return Unmapped(problems.CategoryNotMapped, {"found": unit, "column": unit_column})
    try:
        pairs = [pair for breakdown in mapping.breakdowns
                 if (pair := breakdown.pair(row, plan.codes_of)) is not None]
    except KeyError as unknown:
        column, cell = unknown.args
        return Unmapped(problems.CategoryNotMapped, {"found": cell, "column": column})
    code, spec = mapping.series(row.get(mapping.columns["indicator"], ""), unit)
    indicator = plan.indicators.setdefault(code, {
        **spec, "unit": mapping.units.get(unit, "count"), "dimensions": {}})
    for pair in pairs:
        if pair.dimension_name:
            plan.dimensions.setdefault(pair.dimension, pair.dimension_name)
        plan.categories.setdefault(pair.dimension, {}).setdefault(pair.category, pair.label[:200])
        indicator["dimensions"][pair.dimension] = None
    return code, canonical_key({pair.dimension: pair.category for pair in pairs})


def _entity_of(code: str, name: str, plan: StatsPlan) -> str:
    """The code of the entity of a row's code and name cells (made from the name when the code
    cell is empty), noted in the plan."""
    code = code or slug(name).upper()
    plan.entities.setdefault(code, name or code)
    return code


def _readings(cells: Iterable[str], mapping: StatsMapping) -> dict[str, float | Nature]:
    """What each distinct value cell says (see `_published`); a cell that says nothing the
    mapping reads is left out."""
    found = {}
    for cell in dict.fromkeys(cells):
        try:
            found[cell] = _published(cell, mapping)
        except ValueError:
            continue
    return found


def _published(cell: str, mapping: StatsMapping) -> float | Nature:
    """What a value cell says: a number, suppressed (`<5`) or not available (`..`); raises
    ValueError for anything else."""
    if cell in mapping.suppressed:
        return Nature.SUPPRESSED
    if cell in mapping.not_available:
        return Nature.NOT_AVAILABLE
    separator = mapping.thousands_separator
    return float(cell.replace(separator, "") if separator else cell)


@dataclass
class StatsSummary:
    """What an import did with every row of the file: `values` stored (one per key), the rows
    added up into another row's value (`added_up`, one problem per value naming its rows), the
    categories whose labels differ only by case or spacing (`merged_labels`). Rows refused
    stop the import (`StatsProblem`), so none is refused here."""

    rows: int
    values: int
    changes: ValueChanges
    created: list[str]
    rows_added_up: int = 0
    added_up: list[Problem] = field(default_factory=list)
    merged_labels: list[Problem] = field(default_factory=list)

    def outcomes(self) -> dict[str, int]:
        """How many rows were stored, added into another row and refused: all rows, once."""
        return {"stored": self.values, "added_up": self.rows_added_up, "refused": 0}


@collector_paused()
def import_statistics(session: Session, path: Path, mapping: StatsMapping,
                      strategy_code: str | None = None, create_missing: bool = False,
                      progress: Progress | None = None) -> StatsSummary:
    """Import the file into the strategy's indicator series (the mapping's strategy when none is
    given). Missing strategy, entities, indicators, dimensions and categories are created with
    `create_missing`; otherwise `StatsProblem` lists them and nothing is written. A row that
    cannot be read stops the import: `StatsProblem` names each with its row number."""
    stored: dict[str, dict[str, str]] = {}
    for dimension, code, label in session.execute(
            select(Dimension.code, Category.code, Category.label).join(Category)):
        stored.setdefault(dimension, {})[code] = label
    plan = plan_import(path, mapping, stored)
    if plan.problems:
        raise StatsProblem(plan.problems)
    resolver = _Resolver(session, mapping, plan, strategy_code or mapping.strategy["code"])
    missing = resolver.missing()
    if missing and not create_missing:
        raise StatsProblem(missing)
    entity_ids, indicator_ids = resolver.create()
    rows = sorted((  # by indicator and entity, so that each chunk reads few current values
        (ValueKey(indicator_ids[indicator], entity_ids[entity], year, breakdown), fields)
        for (entity, indicator, breakdown, year), fields in plan.value_fields()
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
                        [problem.message for problem in missing] if create_missing else [],
                        plan.rows_added_up(), plan.added_up(), plan.merged_labels())


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
                  for code in sorted(self.plan.indicators) if code not in self.indicators]
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
        missing = [code for code in self.plan.indicators if code not in self.indicators]
        if missing:
            objective = self._objective()
            for code in missing:
                self.indicators[code] = self._new_indicator(code, objective).id
        return self.entities, self.indicators

    def _add_categories(self) -> None:
        names = self.plan.dimensions
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
                        code=category_code, label=label,
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
        spec = self.plan.indicators[code]
        wanted = list(spec["dimensions"])
        return write_indicator(
            self.session, self.strategy, code, objective=objective.code,
            name=spec["name"][:200], definition=spec.get("definition", ""),
            kind=Kind.QUANTITATIVE, unit=spec["unit"],
            direction=spec.get("direction", "maintain"), frequency=Frequency.ANNUAL,
            aggregation=spec.get("aggregation", "sum"),
            data_source=self.mapping.name, standard=spec.get("standard", ""),
            sex_required="sex" in wanted, dimensions=wanted)
