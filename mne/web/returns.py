"""Return pages: the list of returns, the page of an entity and period (template, upload),
the result of an upload and each stored return with its problems and its changes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from importers.returns import Expected
from indicators.errors import NotFound
from indicators.model import Entity, Return, Upload
from indicators.periods import Period, parse_period
from indicators.problems import ProblemReport
from indicators.return_review import feedback_for_period
from mne.accounts.guard import (
    authorize,
    authorized_return,
    entity_codes,
    permissions,
    requires,
)
from mne.accounts.permissions import Action
from mne.context import actor, session
from mne.evaluation import my_returns
from mne.languages import language_code
from mne.uploads import (
    annotated_response,
    original_response,
    receive,
    resubmit,
    return_summary,
    returns_query,
    submittable,
    template,
    xlsx_response,
)

blueprint = Blueprint("returns", __name__)


def _entities() -> list[Entity]:
    """The entities whose returns the user may read."""
    return list(session().scalars(permissions().scope(
        select(Entity).order_by(Entity.code), Entity.id, Action.READ_RETURNS)))


@blueprint.get("/returns")
@requires(Action.READ_RETURNS)
def index():
    """Every return received that the user may read, newest first, with a form to open an
    entity and period."""
    args = request.args
    statement = returns_query(entity=args.get("entity", ""), period=args.get("period", ""),
                              state=args.get("state", ""))
    rows = session().scalars(permissions().scope(statement, Return.entity_id,
                                                 Action.READ_RETURNS).limit(500))
    return render_template("returns/index.html", returns=[return_summary(row) for row in rows],
                           entities=_entities(), filters=args)


@blueprint.get("/my/returns")
@requires(Action.SUBMIT_RETURNS)
def mine():
    """The coordinator's desk: every return their entities owe, where each stands, one click
    to the template or the upload; sent-back returns first with their comments."""
    return render_template("returns/mine.html", items=my_returns())


@blueprint.get("/returns/open")
@requires(Action.READ_RETURNS)
def open_period():
    """Go to the page of the entity and period chosen in the form."""
    return redirect(url_for("returns.period_page", entity=request.args.get("entity", ""),
                            period=request.args.get("period", "").strip().upper()))


def entity_and_period(entity_code: str, period_code: str,
                      action: Action) -> tuple[Entity, Period]:
    """The entity and the period, if the user may do `action` for that entity."""
    entity = session().scalars(select(Entity).where(Entity.code == entity_code)).one_or_none()
    if entity is None:
        raise NotFound("entity", entity_code)
    authorize(action, entity.id)
    return entity, parse_period(period_code)


@blueprint.get("/returns/of/<entity>/<period>")
@requires(Action.READ_RETURNS)
def period_page(entity: str, period: str):
    """An entity's return for a period: the template, the upload form, the revisions and the
    reviewer's comments to act on."""
    row, found = entity_and_period(entity, period, Action.READ_RETURNS)
    return _period_page(row, found.code)


def _period_page(entity: Entity, period: str, missing_file: bool = False) -> str:
    revisions = list(session().scalars(returns_query(entity=entity.code, period=period)))
    feedback = (feedback_for_period(session(), revisions[0].strategy_id, entity.id, period)
                if revisions else None)
    return render_template("returns/period.html", entity=entity, period=period,
                           revisions=[return_summary(item) for item in revisions],
                           missing_file=missing_file, feedback=feedback,
                           may_submit=permissions().allows(Action.SUBMIT_RETURNS, entity.id))


@blueprint.get("/returns/of/<entity>/<period>/template")
@requires(Action.SUBMIT_RETURNS)
def period_template(entity: str, period: str):
    """The return template to fill in."""
    _row, found = entity_and_period(entity, period, Action.SUBMIT_RETURNS)
    name, data = template(entity, found, request.args.get("strategy") or None,
                          language_code(request.args.get("lang")))
    return xlsx_response(data, name)


@blueprint.post("/returns/of/<entity>/<period>")
@requires(Action.SUBMIT_RETURNS)
def period_upload(entity: str, period: str):
    """Check or submit the chosen workbook and show what became of it."""
    row, found = entity_and_period(entity, period, Action.SUBMIT_RETURNS)
    code = found.code
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _period_page(row, code, missing_file=True), 400
    result = receive(upload.read(), upload.filename,
                     dry_run=request.form.get("action") == "check",
                     expected=Expected(entity=row.code, period=code))
    return _result_page(result.to_dict(), row, code)


def _result_page(result: dict, entity: Entity, period: str) -> str:
    """What became of an upload; after a clean check, a button submits the same file."""
    return render_template("returns/result.html", result=result, entity=entity, period=period,
                           may_submit_checked=result["outcome"] == "checked"
                           and not result["errors"] and submittable(period))


@blueprint.post("/uploads/<int:upload_id>/submit")
@requires(Action.SUBMIT_RETURNS)
def submit_checked(upload_id: int):
    """Submit the workbook just checked, without choosing the file again (it is stored)."""
    upload = _own_upload(upload_id, Action.SUBMIT_RETURNS)
    result = resubmit(upload, entity_codes(Action.SUBMIT_RETURNS)).to_dict()
    entity = session().scalars(select(Entity).where(Entity.code == result["entity"])).first()
    if entity is None:  # not a return: say why where the returns are
        flash(result["message"], "error")
        return redirect(url_for("returns.mine"))
    return _result_page(result, entity, result["period"])


def _own_upload(upload_id: int, action: Action) -> Upload:
    """An upload with its file, for the one who sent it or whoever may do `action` for the
    return it became."""
    upload = session().get(Upload, upload_id)
    if upload is None or not upload.file_path:  # the demonstration's returns have no file
        abort(404)
    if upload.return_id is not None:
        authorized_return(upload.return_id, action)
    elif upload.uploaded_by != actor() and permissions().entities(action) is not None:
        abort(403)
    return upload


@blueprint.get("/returns/<int:return_id>")
@requires(Action.READ_RETURNS)
def show(return_id: int):
    """A stored return: its state, its problems, what it changed and the reviewer's comments."""
    row = authorized_return(return_id, Action.READ_RETURNS)
    validation = row.validation or {}
    result = {**return_summary(row), "outcome": str(row.state), "return_id": row.id,
              "upload_id": row.upload_id, "message": "", "problems": validation.get("problems", []),
              "omissions": ProblemReport.from_dict(validation).omissions(), "diff": row.diff}
    feedback = feedback_for_period(session(), row.strategy_id, row.entity_id, row.period)
    return render_template("returns/result.html", result=result, entity=row.entity,
                           period=row.period, feedback=feedback)


@blueprint.get("/returns/<int:return_id>/file")
@requires(Action.READ_RETURNS)
def original_file(return_id: int):
    """The workbook exactly as received."""
    row = authorized_return(return_id, Action.READ_RETURNS)
    return original_response(row) if row.file_path else abort(404)


@blueprint.get("/returns/<int:return_id>/annotated")
@requires(Action.READ_RETURNS)
def annotated(return_id: int):
    """The workbook as received with every problem marked on its cell."""
    row = authorized_return(return_id, Action.READ_RETURNS)
    return annotated_response(row) if row.file_path else abort(404)


@blueprint.get("/uploads/<int:upload_id>/annotated")
@requires(Action.READ_RETURNS)
def annotated_check(upload_id: int):
    """A checked (not imported) workbook with every problem marked on its cell: for the one
    who sent it, or whoever may read the return it became."""
    return annotated_response(_own_upload(upload_id, Action.READ_RETURNS))
