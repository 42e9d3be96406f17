"""Every export (CSV or Excel, page or API) shows text from users as text: a cell beginning with
=, +, -, @, tab or carriage return never runs as a formula.

Every GET route is fetched as an administrator after hostile text was put where users write it;
each response that is a CSV or an xlsx file is read back cell by cell, so an export added later
is covered at once (a route needing query parameters lists them in tests/routes.py QUERIES).
"""

import csv
import io

import openpyxl
from sqlalchemy import select

from indicators.audit import record
from indicators.cells import FORMULA_TRIGGERS
from indicators.model import DataValue, Entity, Indicator
from tests.routes import (
    HOME_ENTITY,
    SAMPLE_USER,
    add_sample_report,
    add_sample_upload,
    routes,
    samples,
    url,
)

HOSTILE = '=HYPERLINK("http://evil.example","x")'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plant_hostile_text(db) -> None:
    with db.transaction() as session:
        session.scalars(select(Indicator).order_by(Indicator.code)).first().name = HOSTILE
        home = session.scalars(select(Entity).where(Entity.code == HOME_ENTITY)).one()
        home.name = "+" + HOSTILE
        for value in session.scalars(select(DataValue).where(DataValue.entity_id == home.id)
                                     .order_by(DataValue.id).limit(50)):
            value.comment, value.narrative = "@" + HOSTILE, "-" + HOSTILE
        record(session, "\t" + HOSTILE, "framework.edit", "indicator", "\r" + HOSTILE)


def _cells(response) -> list[str]:
    """The text cells of a CSV or xlsx response; None when the response is neither."""
    if response.mimetype in ("text/csv", "application/csv"):
        text = response.get_data(as_text=True).lstrip("\ufeff")
        return [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    if response.mimetype == XLSX:
        workbook = openpyxl.load_workbook(io.BytesIO(response.data))
        cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows()
                 for cell in row]
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
        return [cell.value for cell in cells if isinstance(cell.value, str)]
    return None


def _looks_like_a_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_no_export_lets_user_text_run_as_a_formula(app, db, settings, demo, client_as,
                                                   make_user, token_for):
    make_user("viewer", email=SAMPLE_USER)
    token_for("viewer")
    with db.transaction() as session:
        add_sample_upload(session, settings.storage_folder)
    _plant_hostile_text(db)
    with db.transaction() as session:
        add_sample_report(session, settings)  # compiled from the hostile text
    admin = client_as("administrator")
    with db.sessions() as session:
        values = samples(session)
    exports, unsafe = [], []
    for endpoint, rule, method in routes(app):
        if method != "GET" or endpoint == "static":
            continue
        address = url(app, endpoint, rule, values)
        cells = _cells(admin.get(address))
        if cells is None:
            continue
        exports.append(address)
        unsafe += [f"{address}: {cell!r}" for cell in cells
                   if cell.startswith(FORMULA_TRIGGERS) and not _looks_like_a_number(cell)
                   and len(cell.strip()) > 1]  # a lone "-" ("not available") runs nothing
    assert "/audit/export.csv" in exports and "/audit/export.xlsx" in exports
    assert any(address.endswith(".xlsx") and address.startswith("/reports/")
               for address in exports)
    assert unsafe == []
