"""Exports of data values: tidy CSV, SDMX-CSV and xlsx, of the figures the signed-in user
reads: every value for those who read every return, approved figures only for the others (as
on the overview, the dashboards and the indicator pages)."""

from __future__ import annotations

from dataclasses import replace

from flask import Response, request

from mne.accounts.guard import approved_figures_only, requires
from mne.accounts.permissions import Action
from mne.api import blueprint
from mne.api.openapi import documented
from mne.context import session
from reports.exports import EXPORT_FORMATS, ValueFilter, export_values

FILTERS = {
    "strategy": "Strategy code",
    "indicator": "Indicator code",
    "entity": "Entity code",
    "from": "First period (e.g. 2025Q1): values whose period ends on or after its start",
    "to": "Last period (e.g. 2026Q2): values whose period ends on or before its end",
}


def _export(format_: str):
    wanted = replace(ValueFilter.of(request.args), approved_only=approved_figures_only())
    content = export_values(session(), wanted, format_)
    name = f"values.{format_}"
    return Response(content, mimetype=EXPORT_FORMATS[format_],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _media(media_type: str, what: str) -> dict:
    return {"200": {"description": what, "content": {media_type: {}}},
            "400": "A period that is not a period code"}


@blueprint.get("/exports/values.csv")
@requires(Action.READ_FRAMEWORK)
@documented(query=FILTERS, responses=_media("text/csv", "One value per row with every key"))
def export_tidy_csv():
    """Values as tidy CSV: one value per row with strategy, indicator, entity, period and
    breakdown."""
    return _export("csv")


@blueprint.get("/exports/values.sdmx.csv")
@requires(Action.READ_FRAMEWORK)
@documented(query=FILTERS, responses=_media("text/csv", "SDMX 2.1 CSV"))
def export_sdmx_csv():
    """Values as SDMX-CSV (SDMX 2.1): DATAFLOW, INDICATOR, REF_AREA, one column per dimension,
    TIME_PERIOD, OBS_VALUE, OBS_STATUS, CONF_STATUS, UNIT_MEASURE, COMMENT."""
    return _export("sdmx.csv")


@blueprint.get("/exports/values.xlsx")
@requires(Action.READ_FRAMEWORK)
@documented(query=FILTERS, responses=_media(EXPORT_FORMATS["xlsx"], "A workbook of values"))
def export_xlsx():
    """Values as an xlsx workbook, one value per row with every key."""
    return _export("xlsx")
