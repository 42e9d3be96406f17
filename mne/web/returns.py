"""Return pages: the list of returns, the page of an entity and period (template, upload),
the result of an upload and each stored return with its problems and its changes."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from importers.return_form import FormError
from importers.returns import Expected
from indicators.model import Entity, Return
from indicators.periods import PeriodError, parse_period
from indicators.uploads import Upload
from mne.context import session
from mne.uploads import (
    annotated_response,
    original_response,
    receive,
    return_summary,
    returns_query,
    template,
    xlsx_response,
)

blueprint = Blueprint("returns", __name__)


def _entities() -> list[Entity]:
    return list(session().scalars(select(Entity).order_by(Entity.code)))


@blueprint.get("/returns")
def index():
    """Every return received, newest first, with a form to open an entity and period."""
    args = request.args
    rows = session().scalars(returns_query(entity=args.get("entity", ""),
                                           period=args.get("period", ""),
                                           state=args.get("state", "")).limit(500))
    return render_template("returns/index.html", returns=[return_summary(row) for row in rows],
                           entities=_entities(), filters=args)


@blueprint.get("/returns/open")
def open_period():
    """Go to the page of the entity and period chosen in the form."""
    return redirect(url_for("returns.period_page", entity=request.args.get("entity", ""),
                            period=request.args.get("period", "").strip().upper()))


def _entity_and_period(entity_code: str, period_code: str) -> tuple[Entity, str]:
    entity = session().scalars(select(Entity).where(Entity.code == entity_code)).one_or_none()
    if entity is None:
        abort(404, _("No entity has the code %(code)s.", code=entity_code))
    try:
        return entity, parse_period(period_code).code
    except PeriodError as problem:
        abort(404, str(problem))


@blueprint.get("/returns/of/<entity>/<period>")
def period_page(entity: str, period: str):
    """An entity's return for a period: the template, the upload form and the revisions."""
    row, code = _entity_and_period(entity, period)
    return _period_page(row, code)


def _period_page(entity: Entity, period: str, missing_file: bool = False) -> str:
    revisions = session().scalars(returns_query(entity=entity.code, period=period))
    return render_template("returns/period.html", entity=entity, period=period,
                           revisions=[return_summary(item) for item in revisions],
                           missing_file=missing_file)


@blueprint.get("/returns/of/<entity>/<period>/template")
def period_template(entity: str, period: str):
    """The return template to fill in."""
    try:
        name, data = template(entity, period, request.args.get("strategy") or None)
    except FormError as problem:
        abort(404, str(problem))
    return xlsx_response(data, name)


@blueprint.post("/returns/of/<entity>/<period>")
def period_upload(entity: str, period: str):
    """Check or submit the chosen workbook and show what became of it."""
    row, code = _entity_and_period(entity, period)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _period_page(row, code, missing_file=True), 400
    result = receive(upload.read(), upload.filename,
                     dry_run=request.form.get("action") == "check",
                     expected=Expected(entity=row.code, period=code))
    return render_template("returns/result.html", result=result.to_dict(), entity=row,
                           period=code)


@blueprint.get("/returns/<int:return_id>")
def show(return_id: int):
    """A stored return: its state, its problems and what it changed."""
    row = session().get(Return, return_id) or abort(404)
    validation = row.validation or {}
    result = {**return_summary(row), "outcome": str(row.state), "return_id": row.id,
              "upload_id": None, "message": "", "problems": validation.get("problems", []),
              "diff": validation.get("diff")}
    return render_template("returns/result.html", result=result, entity=row.entity,
                           period=row.period)


@blueprint.get("/returns/<int:return_id>/file")
def original_file(return_id: int):
    """The workbook exactly as received."""
    row = session().get(Return, return_id) or abort(404)
    return original_response(row) if row.file_path else abort(404)


@blueprint.get("/returns/<int:return_id>/annotated")
def annotated(return_id: int):
    """The workbook as received with every problem marked on its cell."""
    row = session().get(Return, return_id) or abort(404)
    return annotated_response(row) if row.file_path else abort(404)


@blueprint.get("/uploads/<int:upload_id>/annotated")
def annotated_check(upload_id: int):
    """A checked (not imported) workbook with every problem marked on its cell."""
    return annotated_response(session().get(Upload, upload_id) or abort(404))
