"""The framework writer: every strategy, principle, objective, entity, indicator and target is
created or updated here, whoever asks (the framework workbook, the administration pages, the
demonstration, the statistics import, the standards catalogue).

`INDICATOR_FIELDS` is the one list of an indicator's fields: its name, how its text is read and
its value when a new indicator does not name it. Links (objective, responsible entity, reporters,
dimensions, scale) are given by code. Also here: the default qualitative scale and the
disaggregation dimensions named in configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators import problems
from indicators.errors import NotFound
from indicators.framework_texts import (
    column_texts,
    other_languages,
    set_texts,
    text_columns,
    translation_columns,
)
from indicators.i18n import LANGUAGES
from indicators.model import (
    Aggregation,
    Base,
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
from indicators.problems import ProblemError

Parser = Callable[[Any], Any]

DEFAULT_SCALE_CODE = "default"
DEFAULT_SCALE = (
    (0, "not started"),
    (1, "initiated"),
    (2, "in progress"),
    (3, "largely achieved"),
    (4, "fully achieved"),
)

Row = TypeVar("Row", bound=Base)


# ------------------------------------------------------------------ reading a field's text


class CellError(ProblemError, ValueError):
    """A cell that cannot be read as its field asks: `kind` is the catalogue's problem, the
    message says what is expected."""


def text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def required(cell: Any) -> str:
    value = text(cell)
    if not value:
        raise CellError(problems.CellRequired)
    return value


def integer(cell: Any) -> int:
    try:
        number = float(cell)
    except (TypeError, ValueError):
        raise CellError(problems.NotAWholeNumber) from None
    if not number.is_integer():
        raise CellError(problems.NotAWholeNumber)
    return int(number)


def optional_number(cell: Any) -> float | None:
    if text(cell) == "":
        return None
    try:
        return float(cell)
    except (TypeError, ValueError):
        raise CellError(problems.NotANumberOrEmpty) from None


def number(cell: Any) -> float:
    value = optional_number(cell)
    if value is None:
        raise CellError(problems.NumberExpected)
    return value


def yes_no(cell: Any) -> bool:
    if isinstance(cell, bool):
        return cell
    value = text(cell).lower()
    if value in ("true", "yes", "1", "1.0"):
        return True
    if value in ("false", "no", "0", "0.0", ""):
        return False
    raise CellError(problems.NotTrueOrFalse)


def choice(enum_class: type) -> Parser:
    def parse(cell: Any) -> Any:
        try:
            return enum_class(text(cell))
        except ValueError:
            allowed = ", ".join(member.value for member in enum_class)
            raise CellError(problems.NotAChoice, allowed=allowed) from None
    return parse


def period(cell: Any) -> str:
    value = text(cell)
    if not value:
        return ""
    try:
        return parse_period(value).code
    except PeriodError:
        raise CellError(problems.NotAPeriod) from None


def optional_period(cell: Any) -> str | None:
    return period(cell) or None


def required_period(cell: Any) -> str:
    value = period(cell)
    if not value:
        raise CellError(problems.CellRequired)
    return value


def codes(cell: Any) -> list[str]:
    if isinstance(cell, list | tuple):
        return [text(part) for part in cell if text(part)]
    return [part.strip() for part in text(cell).split(",") if part.strip()]


def optional_text(cell: Any) -> str | None:
    return text(cell) or None


def language(cell: Any) -> str | None:
    """A language code of LANGUAGES (`zh`), or None when blank."""
    code = text(cell).lower()
    if code and code not in LANGUAGES:
        raise CellError(problems.NotAChoice, allowed=", ".join(LANGUAGES))
    return code or None


def languages(cell: Any) -> list[str]:
    """Language codes separated by commas (`en, zh`), each of LANGUAGES."""
    return [language(code) for code in codes(cell)]


# ---------------------------------------------------------------------- the field schema


@dataclass(frozen=True)
class Field:
    """One field of an indicator: its name (the workbook column, the writer's keyword), how its
    text is read, its value when a new indicator does not name it, and whether it links to
    another row by code, or is the text of another field in another language (`name_zh`)."""

    name: str
    parse: Parser = text
    default: Any = ""
    link: bool = False
    translation: bool = False


INDICATOR_FIELDS = (
    Field("objective", required, link=True),
    Field("name", required),
    Field("definition"),
    Field("kind", choice(Kind), Kind.QUANTITATIVE),
    Field("unit", choice(Unit), Unit.COUNT),
    Field("currency"),
    Field("direction", choice(Direction), Direction.INCREASE),
    Field("frequency", choice(Frequency), Frequency.ANNUAL),
    Field("aggregation", choice(Aggregation), Aggregation.SUM),
    Field("data_source"),
    Field("verification"),
    Field("responsible", optional_text, None, link=True),
    Field("reporters", codes, (), link=True),
    Field("dimensions", codes, (), link=True),
    Field("standard"),
    Field("sex_required", yes_no, False),
    Field("scale", optional_text, None, link=True),
    Field("baseline_value", optional_number, None),
    Field("baseline_period", optional_period, None),
    Field("baseline_note"),
    Field("archived", yes_no, False),
    *(Field(column, text, translation=True)
      for column in translation_columns(("name", "definition"))),
)
INDICATOR_FIELD = {item.name: item for item in INDICATOR_FIELDS}


def indicator_fields(indicator: Indicator) -> dict[str, Any]:
    """The indicator's fields as `INDICATOR_FIELDS` names them (links by code): what
    `write_indicator` takes back to make the same row."""
    links = {
        "objective": indicator.objective.code,
        "responsible": indicator.responsible_entity.code if indicator.responsible_entity else None,
        "reporters": [entity.code for entity in indicator.reporters],
        "dimensions": [dimension.code for dimension in indicator.dimensions],
        "scale": indicator.scale.code if indicator.scale else None,
    }
    texts = column_texts(indicator, ("name", "definition"))
    return {item.name: links[item.name] if item.link else texts[item.name] if item.translation
            else getattr(indicator, item.name) for item in INDICATOR_FIELDS}


def default_strategy(session: Session) -> str | None:
    """The strategy meant when none is named (pages, API, reports): the first active one by
    code, or, when every strategy is closed, the first by code; None when there is none."""
    return session.scalar(select(Strategy.code).order_by(Strategy.active.desc(), Strategy.code)
                          .limit(1))


# ---------------------------------------------------------------------------- the writer


def upsert(session: Session, model: type[Row], key: Mapping[str, Any], **fields: Any) -> Row:
    """The row of `model` with `key`, created if absent, its other fields set to `fields`
    (a field already equal is not touched, so a repeat changes nothing). Texts in other
    languages come as per-language columns (`name_zh`, see `indicators.framework_texts`)."""
    texts = {column: fields.pop(column) for column in text_columns(model) if column in fields}
    row = session.scalars(select(model).filter_by(**key)).one_or_none()
    if row is None:
        row = model(**key, **fields)
        set_texts(row, texts)
        session.add(row)
        session.flush()
        return row
    _assign(row, fields)
    set_texts(row, texts)
    return row


def _assign(row: Base, fields: Mapping[str, Any]) -> None:
    for name, content in fields.items():
        if getattr(row, name) != content:
            setattr(row, name, content)


def write_strategy(session: Session, code: str, **fields: Any) -> Strategy:
    """The strategy `code` with `fields` (title, area, start_year, end_year, description,
    active)."""
    return upsert(session, Strategy, {"code": code}, **fields)


def write_principle(session: Session, strategy: Strategy, code: str, **fields: Any) -> Principle:
    """The principle `code` of the strategy with `fields` (name, description, position)."""
    return upsert(session, Principle, {"strategy_id": strategy.id, "code": code}, **fields)


def write_objective(session: Session, principle: Principle, code: str,
                    parent: Objective | None = None, **fields: Any) -> Objective:
    """The objective `code` under the principle, part of `parent`, with `fields` (title,
    description)."""
    return upsert(session, Objective, {"principle_id": principle.id, "code": code},
                  parent_id=parent.id if parent else None, **fields)


def write_entity(session: Session, code: str, parent: Entity | None = None,
                 populations: Mapping[int, int] | None = None, **fields: Any) -> Entity:
    """The entity `code`, part of `parent`, with `fields` (name, kind, email) and its population
    by year."""
    entity = upsert(session, Entity, {"code": code}, parent_id=parent.id if parent else None,
                    **fields)
    write_populations(session, entity, populations or {})
    return entity


def write_populations(session: Session, entity: Entity, populations: Mapping[int, int]) -> None:
    """The entity's population in each year given."""
    for year, population in populations.items():
        upsert(session, EntityPopulation, {"entity_id": entity.id, "year": int(year)},
               population=int(population))


def write_target(session: Session, indicator: Indicator, period_code: str, value: float,
                 final: bool = False) -> Target:
    """The indicator's target for a period (its end date follows from the period)."""
    return upsert(session, Target, {"indicator_id": indicator.id, "period": period_code},
                  period_end=parse_period(period_code).end, value=float(value), final=final)


def write_indicator(session: Session, strategy: Strategy, code: str,
                    indicator: Indicator | None = None, **fields: Any) -> Indicator:
    """The indicator `code` of the strategy with `fields` as `INDICATOR_FIELDS` names them
    (links by code), each read through its field's parser (so `"count"` and `Unit.COUNT` are
    one). A new indicator takes each field's default for a field not given; an existing one
    keeps it. `indicator` is the row to update when its code changes (a form). Raises
    `CellError` for a value its field cannot read, `NotFound` for an unknown code."""
    unknown = set(fields) - set(INDICATOR_FIELD)
    if unknown:
        raise TypeError(f"not an indicator field: {', '.join(sorted(unknown))}")
    fields = {name: INDICATOR_FIELD[name].parse(value) for name, value in fields.items()}
    if indicator is None:
        indicator = session.scalars(select(Indicator).filter_by(
            strategy_id=strategy.id, code=code)).one_or_none()
    if indicator is None or indicator.id is None:
        fields = {item.name: item.default for item in INDICATOR_FIELDS} | fields
    row = indicator or Indicator(strategy_id=strategy.id)
    with session.no_autoflush:
        columns = {name: value for name, value in fields.items()
                   if not (INDICATOR_FIELD[name].link or INDICATOR_FIELD[name].translation)}
        _assign(row, {"code": code, "strategy_id": strategy.id} | columns)
        set_texts(row, {name: value for name, value in fields.items()
                        if INDICATOR_FIELD[name].translation})
        _link(session, strategy, row, fields)
    session.add(row)
    session.flush()
    return row


def _link(session: Session, strategy: Strategy, indicator: Indicator,
          fields: Mapping[str, Any]) -> None:
    if "objective" in fields:
        objective = _objective(session, strategy, fields["objective"])
        if indicator.objective_id != objective.id:
            indicator.objective = objective
    if "responsible" in fields:
        responsible = _entities(session, [fields["responsible"]] if fields["responsible"] else [])
        indicator.responsible_entity_id = responsible[0].id if responsible else None
    if "scale" in fields:
        scale = _one(session, QualitativeScale, fields["scale"]) if fields["scale"] else None
        indicator.scale_id = scale.id if scale else None
    if "reporters" in fields:
        reporters = _entities(session, fields["reporters"])
        if {entity.id for entity in indicator.reporters} != {entity.id for entity in reporters}:
            indicator.reporters = reporters
    if "dimensions" in fields:
        wanted = [_one(session, Dimension, code).id for code in fields["dimensions"]]
        if [link.dimension_id for link in indicator.dimension_links] != wanted:
            indicator.dimension_links = [
                IndicatorDimension(dimension_id=dimension_id, position=rank)
                for rank, dimension_id in enumerate(wanted)]


def _objective(session: Session, strategy: Strategy, code: str) -> Objective:
    objective = session.scalars(
        select(Objective).join(Principle)
        .where(Principle.strategy_id == strategy.id, Objective.code == code)
        .order_by(Objective.id)).first()
    if objective is None:
        raise NotFound("objective", code)
    return objective


def _entities(session: Session, entity_codes: Sequence[str]) -> list[Entity]:
    return [_one(session, Entity, code) for code in entity_codes]


def _one(session: Session, model: type[Row], code: str) -> Row:
    row = session.scalars(select(model).filter_by(code=code)).one_or_none()
    if row is None:
        raise NotFound(model.__tablename__, code)
    return row


# ----------------------------------------------------------------------------- defaults


def ensure_default_scale(session: Session) -> QualitativeScale:
    """The default 0–4 scale, created if absent."""
    scale = upsert(session, QualitativeScale, {"code": DEFAULT_SCALE_CODE},
                   name="Default implementation scale")
    present = {level.level for level in scale.levels}
    for level, label in DEFAULT_SCALE:
        if level not in present:
            scale.levels.append(ScaleLevel(level=level, label=label))
    session.flush()
    return scale


def ensure_dimensions(session: Session, dimensions: Mapping[str, Mapping[str, Any]]) -> None:
    """Create or update the dimensions and categories named in configuration:
    `{"sex": {"name": "Sex", "categories": {"female": "Female", ...}}, ...}`, with texts in
    other languages as `name_zh` and `categories_zh = {"female": "女", ...}`."""
    for position, (code, spec) in enumerate(dimensions.items()):
        dimension = upsert(session, Dimension, {"code": code},
                           name=spec.get("name", code.title()), position=position,
                           **{column: spec[column] for column in text_columns(Dimension)
                              if column in spec})
        existing = {category.code: category for category in dimension.categories}
        for rank, (category_code, label) in enumerate(spec["categories"].items()):
            category = existing.get(category_code)
            if category is None:
                category = Category(code=category_code)
                dimension.categories.append(category)
            category.label, category.position = label, rank
            set_texts(category, _category_texts(spec, category_code))
    session.flush()


def _category_texts(spec: Mapping[str, Any], category_code: str) -> dict[str, str]:
    return {f"label_{language}": spec[f"categories_{language}"][category_code]
            for language in other_languages()
            if category_code in spec.get(f"categories_{language}", {})}
