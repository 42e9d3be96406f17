"""Compiled reports: the list of issued versions, their files and their figures."""

from __future__ import annotations

import json

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from indicators.errors import NotFound
from mne.accounts.guard import requires
from mne.accounts.permissions import Action
from mne.api import blueprint, error
from mne.context import session, settings
from mne.web.reports import file_response, may_read_preliminary, readable_report
from reports.archive import list_reports, report_bytes
from reports.model import CompiledReport, ReportFormat


def report_entry(report: CompiledReport) -> dict:
    """A report version as the API lists it."""
    return {
        "id": report.id,
        "strategy": report.strategy.code,
        "kind": report.kind.value,
        "period": report.period,
        "version": report.version,
        "compiled_at": report.compiled_at.isoformat(timespec="seconds"),
        "compiled_by": report.compiled_by,
        "returns_used": report.returns_used,
        "preliminary": report.preliminary,
        "files": {
            file.format.value: {
                "sha256": file.sha256, "size": file.size,
                "url": url_for("api.report_file", report_id=report.id, format=file.format.value),
            }
            for file in report.files
        },
    }


@blueprint.get("/reports")
@requires(Action.READ_REPORTS)
def reports():
    """Issued report versions, optionally of one strategy, kind or period."""
    rows = list_reports(session(), request.args.get("strategy"), may_read_preliminary())
    wanted = {key: request.args[key] for key in ("kind", "period") if key in request.args}
    return jsonify([report_entry(row) for row in rows
                    if all(str(getattr(row, key)) == value for key, value in wanted.items())])


@blueprint.get("/reports/<int:report_id>")
@requires(Action.READ_REPORTS)
def report(report_id: int):
    """One report version with the figures it was compiled from."""
    found = readable_report(report_id)
    if found is None:
        raise NotFound("report", str(report_id))
    figures = json.loads(report_bytes(found, ReportFormat.JSON, settings().storage_folder))
    return jsonify({**report_entry(found), "figures": figures})


@blueprint.get("/reports/<int:report_id>/file")
@requires(Action.READ_REPORTS)
def report_file(report_id: int):
    """The kept file of a report: ?format=xlsx (default), html or json."""
    found = readable_report(report_id)
    format = request.args.get("format", ReportFormat.XLSX.value)
    if found is None or format not in set(ReportFormat):
        return error(404, _("No report %(id)s in format %(format)s.", id=report_id,
                            format=format))
    return file_response(found, ReportFormat(format))
