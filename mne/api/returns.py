"""Return templates, uploaded returns and values with their provenance."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from importers.returns import Expected
from indicators.desk import DeskItem
from indicators.model import DataValue, Entity, Indicator, Return, Strategy, UploadOutcome
from indicators.periods import parse_period
from mne.accounts.guard import (
    authorize_entity,
    authorized_return,
    entity_codes,
    permissions,
    requires,
)
from mne.accounts.permissions import Action
from mne.api import blueprint, error
from mne.api.openapi import documented
from mne.context import session
from mne.evaluation import my_returns
from mne.languages import language_code
from mne.uploads import (
    annotated_response,
    original_response,
    receive,
    return_summary,
    returns_query,
    template,
    xlsx_response,
)

STATUS = {UploadOutcome.SUBMITTED: 201, UploadOutcome.DUPLICATE: 200,
          UploadOutcome.CHECKED: 200, UploadOutcome.REJECTED: 422,
          UploadOutcome.UNUSABLE: 400, UploadOutcome.REFUSED: 409,
          UploadOutcome.FORBIDDEN: 403}


@blueprint.get("/templates")
@requires(Action.SUBMIT_RETURNS)
def return_template():
    """The return template of `entity` for `period` (and `strategy`), in `lang` when given, else
    in the entity's template language."""
    entity, period = request.args.get("entity", ""), request.args.get("period", "")
    if not entity or not period:
        return error(400, _("Name the entity and the period: ?entity=POL&period=2026Q3."))
    authorize_entity(Action.SUBMIT_RETURNS, entity)
    name, data = template(entity, parse_period(period), request.args.get("strategy") or None,
                          language_code(request.args.get("lang")))
    return xlsx_response(data, name)


@blueprint.get("/me/returns")
@requires(Action.SUBMIT_RETURNS)
@documented(responses={"200": "Every return the user's entities owe, sent-back ones first: "
                              "entity, period, due date, status and the status in words "
                              "(`in_words`), the reviewer's comments, the template and the "
                              "page to upload"}, tags=["returns"])
def returns_owed():
    """The returns the user's entities (and those below them) owe, as on My returns.

    For the period in progress and the four before it, under every active strategy: what is
    not due yet, due, late, submitted, sent back (with the comments) or approved."""
    return jsonify([_desk_entry(item) for item in my_returns()])


def _desk_entry(item: DeskItem) -> dict[str, Any]:
    entry = item.to_dict()
    where = {"entity": entry["entity"], "period": entry["period"]}
    entry["template_url"] = url_for("api.return_template", **where, strategy=entry["strategy"])
    entry["page_url"] = url_for("returns.period_page", **where)
    return entry


@blueprint.post("/returns")
@requires(Action.SUBMIT_RETURNS)
def upload_return():
    """Receive a return (multipart field `file`); `?dry_run=1` validates only. A workbook for
    an entity the sender may not send for is refused (403)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return error(400, _("Send the workbook as the multipart field 'file'."))
    if request.args.get("entity"):
        authorize_entity(Action.SUBMIT_RETURNS, request.args["entity"])
    expected = Expected(entity=request.args.get("entity", ""),
                        period=request.args.get("period", ""),
                        allowed_entities=entity_codes(Action.SUBMIT_RETURNS))
    result = receive(upload.read(), upload.filename,
                     dry_run=request.args.get("dry_run", "") in ("1", "true", "yes"),
                     expected=expected)
    return jsonify(result.to_dict()), STATUS[result.outcome]


@blueprint.get("/returns")
@requires(Action.READ_RETURNS)
def list_returns():
    """Returns the user may read, newest first; filters: strategy, entity, period, state;
    `limit` (500)."""
    args = request.args
    statement = permissions().scope(
        returns_query(args.get("strategy", ""), args.get("entity", ""), args.get("period", ""),
                      args.get("state", "")), Return.entity_id, Action.READ_RETURNS)
    limit = min(args.get("limit", 500, type=int), 5000)
    return jsonify([return_summary(row) for row in session().scalars(statement.limit(limit))])


@blueprint.get("/returns/<int:return_id>")
@requires(Action.READ_RETURNS)
def show_return(return_id: int):
    """One return with its problems and what it changed against the revision before."""
    row = authorized_return(return_id, Action.READ_RETURNS)
    validation = row.validation or {}
    return jsonify({**return_summary(row), "problems": validation.get("problems", []),
                    "diff": row.diff})


def _workbook_of(return_id: int, respond):
    row = authorized_return(return_id, Action.READ_RETURNS)
    if not row.file_path:
        return error(404, _("Return %(id)s has no file.", id=return_id))
    return respond(row)


@blueprint.get("/returns/<int:return_id>/file")
@requires(Action.READ_RETURNS)
def return_file(return_id: int):
    """The workbook exactly as received."""
    return _workbook_of(return_id, original_response)


@blueprint.get("/returns/<int:return_id>/annotated")
@requires(Action.READ_RETURNS)
def return_annotated(return_id: int):
    """The workbook as received with every problem marked on its cell."""
    return _workbook_of(return_id, annotated_response)


@blueprint.get("/values")
@requires(Action.READ_RETURNS)
def values_with_provenance():
    """Current values of the entities whose returns the user may read, with where each came
    from: return, revision, sheet, cell, file sha256. Filters: strategy, indicator, entity,
    period."""
    source = aliased(Return)
    statement = (
        select(DataValue, Indicator.code, Entity.code, Strategy.code, source)
        .join(Indicator, DataValue.indicator_id == Indicator.id)
        .join(Strategy, Indicator.strategy_id == Strategy.id)
        .join(Entity, DataValue.entity_id == Entity.id)
        .outerjoin(source, DataValue.return_id == source.id)
        .order_by(Indicator.code, Entity.code, DataValue.period_end, DataValue.disaggregation)
    )
    args = request.args
    for column, wanted in ((Strategy.code, args.get("strategy")),
                           (Indicator.code, args.get("indicator")),
                           (Entity.code, args.get("entity")),
                           (DataValue.period, (args.get("period") or "").upper())):
        if wanted:
            statement = statement.where(column == wanted)
    statement = permissions().scope(statement, DataValue.entity_id, Action.READ_RETURNS)
    rows = session().execute(statement.limit(min(args.get("limit", 10000, type=int), 50000)))
    return jsonify([_value_with_source(*row) for row in rows])


def _value_with_source(value: DataValue, indicator: str, entity: str, strategy: str,
                       source: Return | None) -> dict[str, Any]:
    return {
        "strategy": strategy, "indicator": indicator, "entity": entity, "period": value.period,
        "breakdown": value.disaggregation, "value": value.value, "level": value.level,
        "narrative": value.narrative, "evidence": value.evidence, "nature": str(value.nature),
        "low": value.low, "high": value.high, "at_least": value.at_least,
        "comment": value.comment,
        "provenance": {
            "return_id": value.return_id, "revision": source.revision if source else None,
            "sheet": value.source_sheet, "cell": value.source_cell,
            "sha256": source.sha256 if source else None,
        },
    }
