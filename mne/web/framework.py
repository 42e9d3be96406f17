"""Framework management pages: create and edit strategies, principles, objectives, indicators
(every field), targets, entities and their population, dimensions and categories; deletions that
would orphan data are refused with the reason (indicators with values are archived instead)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect as sqlalchemy_inspect
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from indicators.audit import record
from indicators.crises import write_crisis
from indicators.editing import deletion_refused
from indicators.errors import Invalid, NotFound
from indicators.framework import (
    INDICATOR_FIELD,
    CellError,
    choice,
    integer,
    language,
    languages,
    number,
    optional_period,
    required,
    required_period,
    text,
    write_indicator,
    yes_no,
)
from indicators.framework_texts import (
    TRANSLATED_FIELDS,
    column_texts,
    other_languages,
    set_texts,
    text_columns,
)
from indicators.i18n import LANGUAGES
from indicators.model import (
    Base,
    Category,
    Crisis,
    Dimension,
    Entity,
    EntityPopulation,
    Indicator,
    Objective,
    PairedEstimate,
    Principle,
    QualitativeScale,
    SeriesBreak,
    Strategy,
    Target,
)
from indicators.periods import parse_period
from indicators.standards import StandardError, add_standard, standards
from indicators.vocabulary import BreakKind, CrisisKind, EstimateSource
from mne.accounts.guard import requires
from mne.accounts.permissions import Action
from mne.context import actor, session

blueprint = Blueprint("framework", __name__, url_prefix="/admin")
Options = Callable[[Session, Any], list[tuple[str, str]]]


@dataclass(frozen=True)
class FormField:
    """One field of an editing form: the model attribute, its label, how its text is read, and
    for choices the options (value, label) offered."""

    name: str
    label: Any
    parse: Callable[[Any], Any] = text
    widget: str = "text"
    options: Options | None = None
    show: Callable[[Any], Any] | None = None

    def current(self, row: Any) -> Any:
        if self.show:
            return self.show(row)
        value = getattr(row, self.name, None)
        return getattr(value, "value", value)


@dataclass(frozen=True)
class Editor:
    """How one kind of framework row is edited: its model, fields and owner column."""

    model: type[Base]
    title: Any
    fields: tuple[FormField, ...]
    owner: str = ""
    strategy_of: Callable[[Any], Strategy | None] = field(default=lambda row: None)
    save: Callable[[Session, Any, dict[str, Any]], None] | None = None

    def apply(self, db: Session, row: Any, values: dict[str, Any]) -> None:
        """Write the form's values into the row (through `save` when the kind has a writer)."""
        if self.save:
            self.save(db, row, values)
        else:
            texts = {name: values.pop(name) for name in text_columns(self.model)
                     if name in values}
            for name, value in values.items():
                setattr(row, name, value)
            set_texts(row, texts)


def _strategy_options(kind: type[Base]) -> Options:
    def options(db: Session, strategy: Strategy | None) -> list[tuple[str, str]]:
        if kind is Objective:
            rows = [] if strategy is None else [objective for principle in strategy.principles
                                                for objective in principle.objectives]
            return [(str(row.id), f"{row.code} {row.title}") for row in rows]
        rows = db.scalars(select(kind).order_by(kind.code))
        return [(str(row.id), f"{row.code} {getattr(row, 'name', '')}") for row in rows]
    return options


def _optional_id(cell: Any) -> int | None:
    return integer(cell) if text(cell) else None


def _ids(cells: list[str]) -> list[int]:
    return [integer(cell) for cell in cells]


def _save_target(_db: Session, target: Target, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(target, name, value)
    target.period_end = parse_period(target.period).end


def _save_indicator(db: Session, indicator: Indicator, values: dict[str, Any]) -> None:
    """Through the framework writer, the form's row ids turned into the codes it takes."""
    def code(model: type[Base], row_id: int | None) -> str | None:
        row = db.get(model, row_id) if row_id else None
        return row.code if row else None

    links = {
        "objective": code(Objective, values.pop("objective_id")),
        "responsible": code(Entity, values.pop("responsible_entity_id")),
        "scale": code(QualitativeScale, values.pop("scale_id")),
        "reporters": [code(Entity, row_id) for row_id in values.pop("reporters")],
        "dimensions": [code(Dimension, row_id) for row_id in values.pop("dimension_links")],
    }
    write_indicator(db, db.get(Strategy, indicator.strategy_id), values.pop("code"),
                    indicator=indicator, **values, **links)


def _save_crisis(db: Session, crisis: Crisis, values: dict[str, Any]) -> None:
    """Through the crisis writer, the entities' ids turned into their codes."""
    codes = [db.get(Entity, row_id).code for row_id in values.pop("entities")]
    texts = {name: values.pop(name) for name in text_columns(Crisis) if name in values}
    write_crisis(db, values["name"], values["kind"], values["start_period"],
                 values["end_period"], codes, values["note"], crisis=crisis, texts=texts)


def _term_field(name: str, label: Any, enum_class: type) -> FormField:
    """A choice among the members of a vocabulary's enumeration, shown in words."""
    return FormField(name, label, choice(enum_class), "select",
                     lambda _db, _strategy: [(item.value, item.label) for item in enum_class])


def _indicator_options(db: Session, strategy: Strategy | None) -> list[tuple[str, str]]:
    rows = [] if strategy is None else strategy.indicators
    return [(str(row.id), f"{row.code} {row.name}") for row in rows]


def _indicator_field(name: str, label: Any, widget: str = "text") -> FormField:
    """A form field of an indicator, read as the framework's field schema reads it."""
    return FormField(name, label, INDICATOR_FIELD[name].parse, widget)


def _choice_field(name: str, label: Any) -> FormField:
    enum_class = type(INDICATOR_FIELD[name].default)
    return FormField(name, label, INDICATOR_FIELD[name].parse, "select",
                     lambda _db, _strategy: [(item.value, item.label) for item in enum_class])


def _text_fields(model: type[Base], labels: dict[str, Any]) -> tuple[FormField, ...]:
    """The fields of the row's texts in each other language (`name_zh`), labelled with the
    field's label and the language's name."""
    def show(column: str) -> Callable[[Any], str]:
        return lambda row: column_texts(row, TRANSLATED_FIELDS[model])[column]
    return tuple(
        FormField(f"{name}_{code}", _l("%(field)s (%(language)s)", field=labels[name],
                                       language=LANGUAGES[code]),
                  text, "textarea" if name in ("description", "definition", "note") else "text",
                  show=show(f"{name}_{code}"))
        for code in other_languages() for name in TRANSLATED_FIELDS[model])


def _language_options(_db: Session, _strategy: Any) -> list[tuple[str, str]]:
    return list(LANGUAGES.items())


_BOOL = {"parse": yes_no, "widget": "checkbox"}
EDITORS: dict[str, Editor] = {
    "strategy": Editor(Strategy, _l("Strategy"), (
        FormField("code", _l("Code"), required), FormField("title", _l("Title"), required),
        FormField("area", _l("Country or region")),
        FormField("start_year", _l("Start year"), integer, "number"),
        FormField("end_year", _l("End year"), integer, "number"),
        FormField("description", _l("Description"), widget="textarea"),
        FormField("active", _l("Active"), **_BOOL),
        FormField("report_languages", _l("Languages of its scheduled reports (none: the "
                                         "default language)"), languages, "multiselect",
                  _language_options, lambda row: row.report_languages or []),
        *_text_fields(Strategy, {"title": _l("Title"), "description": _l("Description")})),
        strategy_of=lambda row: row),
    "principle": Editor(Principle, _l("Principle"), (
        FormField("code", _l("Code"), required), FormField("name", _l("Name"), required),
        FormField("description", _l("Description"), widget="textarea"),
        FormField("position", _l("Position"), integer, "number"),
        *_text_fields(Principle, {"name": _l("Name"), "description": _l("Description")})),
        owner="strategy_id", strategy_of=lambda row: row.strategy),
    "objective": Editor(Objective, _l("Objective"), (
        FormField("code", _l("Code"), required), FormField("title", _l("Title"), required),
        FormField("description", _l("Description"), widget="textarea"),
        FormField("parent_id", _l("Part of objective"), _optional_id, "select",
                  _strategy_options(Objective)),
        *_text_fields(Objective, {"title": _l("Title"), "description": _l("Description")})),
        owner="principle_id", strategy_of=lambda row: row.principle.strategy),
    "indicator": Editor(Indicator, _l("Indicator"), (
        FormField("code", _l("Code"), required), _indicator_field("name", _l("Name")),
        FormField("objective_id", _l("Objective"), integer, "select",
                  _strategy_options(Objective)),
        _indicator_field("definition", _l("Definition"), "textarea"),
        _choice_field("kind", _l("Kind")), _choice_field("unit", _l("Unit")),
        _indicator_field("currency", _l("Currency (ISO 4217, for amounts)")),
        _choice_field("direction", _l("Direction")),
        _choice_field("frequency", _l("Frequency")),
        _choice_field("aggregation", _l("Aggregation")),
        _indicator_field("data_source", _l("Data source"), "textarea"),
        _indicator_field("verification", _l("Means of verification"), "textarea"),
        FormField("responsible_entity_id", _l("Responsible entity"), _optional_id, "select",
                  _strategy_options(Entity)),
        FormField("reporters", _l("Reporting entities"), _ids, "multiselect",
                  _strategy_options(Entity),
                  lambda row: [str(entity.id) for entity in row.reporters]),
        FormField("dimension_links", _l("Broken down by"), _ids, "multiselect",
                  lambda db, _s: [(str(row.id), row.name) for row in db.scalars(
                      select(Dimension).order_by(Dimension.position))],
                  lambda row: [str(link.dimension_id) for link in row.dimension_links]),
        _indicator_field("standard", _l("International standard (e.g. SDG 16.2.2)")),
        FormField("sex_required", _l("Sex breakdown required"), **_BOOL),
        FormField("scale_id", _l("Qualitative scale"), _optional_id, "select",
                  _strategy_options(QualitativeScale)),
        _indicator_field("baseline_value", _l("Baseline value"), "number"),
        _indicator_field("baseline_period", _l("Baseline period")),
        _indicator_field("baseline_note", _l("Baseline note"), "textarea"),
        FormField("archived", _l("Archived (kept with its values, no longer collected)"),
                  **_BOOL),
        *_text_fields(Indicator, {"name": _l("Name"), "definition": _l("Definition")})),
        owner="strategy_id", strategy_of=lambda row: row.strategy, save=_save_indicator),
    "target": Editor(Target, _l("Target"), (
        FormField("period", _l("Period"), required_period),
        FormField("value", _l("Value"), number, "number"),
        FormField("final", _l("Final target"), **_BOOL)),
        owner="indicator_id", strategy_of=lambda row: row.indicator.strategy,
        save=_save_target),
    "entity": Editor(Entity, _l("Entity"), (
        FormField("code", _l("Code"), required), FormField("name", _l("Name"), required),
        FormField("kind", _l("Kind (country, ministry, agency...)")),
        FormField("parent_id", _l("Part of"), _optional_id, "select",
                  _strategy_options(Entity)),
        FormField("template_language", _l("Language of its return template (—: the default)"),
                  language, "select", _language_options),
        *_text_fields(Entity, {"name": _l("Name")}))),
    "population": Editor(EntityPopulation, _l("Population"), (
        FormField("year", _l("Year"), integer, "number"),
        FormField("population", _l("Population"), integer, "number")), owner="entity_id"),
    "dimension": Editor(Dimension, _l("Dimension"), (
        FormField("code", _l("Code"), required), FormField("name", _l("Name"), required),
        FormField("position", _l("Position"), integer, "number"),
        *_text_fields(Dimension, {"name": _l("Name")}))),
    "category": Editor(Category, _l("Category"), (
        FormField("code", _l("Code"), required), FormField("label", _l("Label"), required),
        FormField("position", _l("Position"), integer, "number"),
        *_text_fields(Category, {"label": _l("Label")})), owner="dimension_id"),
}
EDITORS |= {
    "crisis": Editor(Crisis, _l("Crisis"), (
        FormField("name", _l("Name"), required), _term_field("kind", _l("Kind"), CrisisKind),
        FormField("start_period", _l("First period"), required_period),
        FormField("end_period", _l("Last period (empty while it lasts)"), optional_period),
        FormField("entities", _l("Entities affected"), _ids, "multiselect",
                  _strategy_options(Entity),
                  lambda row: [str(entity.id) for entity in row.entities]),
        FormField("note", _l("Note"), widget="textarea"),
        *_text_fields(Crisis, {"name": _l("Name"), "note": _l("Note")})), save=_save_crisis),
    "series_break": Editor(SeriesBreak, _l("Series break"), (
        FormField("period", _l("First period measured anew"), required_period),
        _term_field("kind", _l("Reason"), BreakKind),
        FormField("note", _l("Note"), widget="textarea")),
        owner="indicator_id", strategy_of=lambda row: row.indicator.strategy),
    "paired_estimate": Editor(PairedEstimate, _l("Paired estimate"), (
        FormField("estimate_id", _l("Indicator holding the estimate"), integer, "select",
                  _indicator_options),
        _term_field("source", _l("Source of the estimate"), EstimateSource),
        FormField("citation", _l("Citation"), widget="textarea")),
        owner="indicator_id", strategy_of=lambda row: row.indicator.strategy),
}
OWNERS = {"strategy_id": Strategy, "principle_id": Principle, "indicator_id": Indicator,
          "entity_id": Entity, "dimension_id": Dimension}


def _editor(kind: str) -> Editor:
    if kind not in EDITORS:
        abort(404)
    return EDITORS[kind]


def _strategy_for(editor: Editor, row: Any, owner: Any) -> Strategy | None:
    if row is not None and row.id is not None:
        return editor.strategy_of(row)
    if isinstance(owner, Strategy):
        return owner
    if isinstance(owner, Principle | Indicator):
        return owner.strategy
    return None


def _read_form(editor: Editor) -> tuple[dict[str, Any], dict[str, str]]:
    """The submitted form's values and its problems, both by field name."""
    values, problems = {}, {}
    for item in editor.fields:
        if item.widget == "multiselect":
            raw: Any = request.form.getlist(item.name)
        elif item.widget == "checkbox":
            raw = "yes" if request.form.get(item.name) else "no"
        else:
            raw = request.form.get(item.name, "")
        try:
            value = item.parse(raw)
        except CellError as problem:
            problems[item.name] = str(problem)
            continue
        values[item.name] = value
    return values, problems


def _back(row: Any) -> str:
    strategy = None
    for editor in EDITORS.values():
        if isinstance(row, editor.model):
            strategy = editor.strategy_of(row)
    if strategy is not None:
        return url_for("framework.strategy", code=strategy.code)
    return url_for("framework.index")


def _columns(row: Any) -> dict[str, Any]:
    """A framework row's column values, as the audit trail keeps them."""
    return {column.key: getattr(row, column.key)
            for column in sqlalchemy_inspect(row).mapper.column_attrs}


def _audit(db: Session, action: str, kind: str, row: Any, before: dict[str, Any] | None,
           after: dict[str, Any] | None) -> None:
    record(db, actor(), f"framework.{action}", kind,
           getattr(row, "code", None) or row.id, before=before, after=after)


@blueprint.get("/")
@requires(Action.EDIT_FRAMEWORK)
def index():
    """Strategies, entities and dimensions, with links to edit them."""
    db = session()
    return render_template(
        "framework/index.html",
        strategies=db.scalars(select(Strategy).order_by(Strategy.code)).all(),
        entities=db.scalars(select(Entity).order_by(Entity.code)).all(),
        crises=db.scalars(select(Crisis).order_by(Crisis.start_period, Crisis.id)).all(),
        dimensions=db.scalars(select(Dimension).order_by(Dimension.position)).all())


@blueprint.get("/strategies/<code>")
@requires(Action.EDIT_FRAMEWORK)
def strategy(code: str):
    """A strategy's framework to edit, and the international standards to add to it."""
    row = session().scalars(select(Strategy).filter_by(code=code)).one_or_none()
    if row is None:
        raise NotFound("strategy", code)
    return render_template("framework/strategy.html", strategy=row, standards=standards())


@blueprint.post("/strategies/<code>/standards")
@requires(Action.EDIT_FRAMEWORK)
def add_standard_page(code: str):
    """Add an international standard to the strategy as a new indicator, in one step."""
    db = session()
    try:
        indicator = add_standard(db, code, request.form.get("objective", ""),
                                 request.form.get("standard", ""))
        db.flush()
        _audit(db, "add", "indicator", indicator, None, _columns(indicator))
        db.commit()
        flash(_("Added %(code)s (%(standard)s).", code=indicator.code,
                standard=indicator.standard), "ok")
    except StandardError as problem:
        db.rollback()
        flash(str(problem), "error")
    return redirect(url_for("framework.strategy", code=code))


@blueprint.route("/<kind>/new", methods=["GET", "POST"])
@blueprint.route("/<kind>/<int:row_id>", methods=["GET", "POST"])
@requires(Action.EDIT_FRAMEWORK)
def edit(kind: str, row_id: int | None = None):
    """The form of a framework row: a new one (under `?owner=ID`) or an existing one."""
    editor, db = _editor(kind), session()
    owner = None
    if row_id is not None:
        row = db.get(editor.model, row_id) or abort(404)
    else:
        row = editor.model()
        if editor.owner:
            owner = db.get(OWNERS[editor.owner], request.args.get("owner", type=int) or 0)
            if owner is None:
                abort(404)
            setattr(row, editor.owner, owner.id)
    strategy = _strategy_for(editor, row, owner)
    problems: dict[str, str] = {}
    if request.method == "POST":
        before = _columns(row) if row_id is not None else None
        values, problems = _read_form(editor)
        if not problems:
            try:
                with db.no_autoflush:
                    editor.apply(db, row, values)
                db.add(row)
                db.flush()
                _audit(db, "edit" if before else "add", kind, row, before, _columns(row))
                db.commit()
                flash(_("%(what)s saved.", what=editor.title), "ok")
                return redirect(_back(row))
            except IntegrityError:
                db.rollback()
                problems["code"] = _("Another row already has this code (or key).")
            except Invalid as problem:
                db.rollback()
                problems["form"] = str(problem)
        if row_id is not None:
            db.rollback()
    return render_template("framework/form.html", editor=editor, kind=kind, row=row,
                           problems=problems, strategy=strategy,
                           options={item.name: item.options(db, strategy)
                                    for item in editor.fields if item.options}), (
        422 if problems else 200)


@blueprint.post("/<kind>/<int:row_id>/delete")
@requires(Action.EDIT_FRAMEWORK)
def delete(kind: str, row_id: int):
    """Delete a row, unless that would orphan data: then say why and keep it."""
    editor, db = _editor(kind), session()
    row = db.get(editor.model, row_id) or abort(404)
    back = _back(row)
    reason = deletion_refused(db, row)
    if reason:
        flash(_("Not deleted: %(reason)s", reason=reason), "error")
    else:
        _audit(db, "delete", kind, row, _columns(row), None)
        db.delete(row)
        db.commit()
        flash(_("%(what)s deleted.", what=editor.title), "ok")
    return redirect(back)
