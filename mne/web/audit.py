"""The audit trail: who did what, when, before and after; filtered, and exported."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from indicators.audit import AuditEvent, AuditFilter, audit_actions, audit_query
from indicators.cells import neutralise
from indicators.revision_audit import ValueLine, audit_rows
from mne.accounts.guard import requires
from mne.accounts.permissions import Action
from mne.context import session

blueprint = Blueprint("audit", __name__)
PAGE_SIZE = 200
EXPORT_LIMIT = 100_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _date(name: str) -> dt.date | None:
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        abort(400, _("%(value)s is not a date (YYYY-MM-DD).", value=text))


def _criteria() -> AuditFilter:
    return AuditFilter(actor=request.args.get("actor", "").strip(),
                       action=request.args.get("action", "").strip(),
                       subject=request.args.get("subject", "").strip(),
                       since=_date("since"), until=_date("until"))


@blueprint.get("/audit")
@requires(Action.READ_AUDIT)
def events():
    """The newest events matching the filters."""
    criteria = _criteria()
    rows = audit_rows(session(), session().scalars(audit_query(criteria).limit(PAGE_SIZE)),
                      PAGE_SIZE, criteria.action)
    return render_template("audit.html", events=rows, criteria=criteria,
                           actions=audit_actions(session()), page_size=PAGE_SIZE)


def _changes_text(event: AuditEvent | ValueLine) -> str:
    return "; ".join(f"{name}: {_text(before)} → {_text(after)}"
                     for name, before, after in event.changed_fields())


def _text(value: object) -> str:
    return "" if value is None else str(value)


EXPORT_COLUMNS = ("at", "actor", "action", "subject_type", "subject", "changes", "before",
                  "after")


def _export_rows() -> list[list[object]]:
    criteria = _criteria()
    events = session().scalars(audit_query(criteria).limit(EXPORT_LIMIT))
    return [[event.at.isoformat(sep=" ", timespec="seconds"), event.actor, event.action,
             event.subject_type, event.subject_id, _changes_text(event),
             json.dumps(event.before, ensure_ascii=False) if event.before else "",
             json.dumps(event.after, ensure_ascii=False) if event.after else ""]
            for event in audit_rows(session(), events, EXPORT_LIMIT, criteria.action)]


def _download(content: bytes, mimetype: str, suffix: str) -> Response:
    name = f"mne-audit-{dt.date.today().isoformat()}.{suffix}"
    return Response(content, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blueprint.get("/audit/export.csv")
@requires(Action.READ_AUDIT)
def export_csv():
    """The filtered events as CSV (UTF-8 with BOM, for Excel); no cell runs as a formula."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows([[neutralise(cell) for cell in row] for row in _export_rows()])
    return _download(("\ufeff" + output.getvalue()).encode("utf-8"), "text/csv", "csv")


@blueprint.get("/audit/export.xlsx")
@requires(Action.READ_AUDIT)
def export_xlsx():
    """The filtered events as an Excel workbook; no cell runs as a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "audit"
    sheet.append(EXPORT_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _export_rows():
        sheet.append([neutralise(cell) for cell in row])
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGH", (20, 28, 18, 12, 36, 60, 40, 40), strict=True):
        sheet.column_dimensions[column].width = width
    output = io.BytesIO()
    workbook.save(output)
    return _download(output.getvalue(), XLSX_TYPE, "xlsx")
