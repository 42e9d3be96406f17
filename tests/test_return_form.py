"""The return as a form in the browser: the template's rows, dropdowns and rules, saved as a
workbook through the upload path, problems shown next to their fields (over HTTP, real
database, real workbooks; the browser test is in tests/test_browser_my_returns.py)."""

import datetime as dt
import html
import io
import re

import openpyxl
import pytest
from markupsafe import escape
from sqlalchemy import select

from importers.form_entry import entry_form, filled_workbook
from importers.return_form import L_CODE
from indicators.model import DataValue, Indicator, Return, Upload
from tests.helpers import csrf_token_of
from tests.return_workbooks import cell_of, fill, rows_by_code

FORM = "/returns/of/AG/2026Q3/form"


@pytest.fixture
def november(monkeypatch):
    monkeypatch.setattr("mne.evaluation.today", lambda: dt.date(2026, 11, 2))


@pytest.fixture
def coordinator(client_as, small_strategy, november):
    return client_as("coordinator", "AG")


def _template(client) -> bytes:
    return client.get("/returns/of/AG/2026Q3/template").data


def _fields(page: str) -> dict[str, str]:
    """The form's fields by name (a cell reference), each with the value it shows."""
    fields = {}
    for name, rest in re.findall(r'name="((?:Quantitative|Qualitative)![A-Z]+\d+)"([^>]*)', page):
        value = re.search(r'value="([^"]*)"', rest)
        fields[html.unescape(name)] = html.unescape(value.group(1)) if value else ""
    return fields


def _post(client, entries: dict[str, str], action: str):
    return client.post(FORM, data={**entries, "action": action,
                                   "csrf_token": csrf_token_of(client, FORM)})


def _entries(template: bytes, **by_row) -> dict[str, str]:
    """A good return as a person types it in the form, with `by_row` (code or code:breakdown
    to the text typed in the value cell) changed."""
    typed = {("C1", ""): "100", ("C1", "sex=female"): "40", ("C1", "sex=male"): "55",
             ("C1", "sex=unknown"): "5", ("P1", ""): "45", ("Y1", ""): "1"}
    for row, text in by_row.items():
        code, _colon, breakdown = row.partition(":")
        typed[code, breakdown.replace("_", "=")] = text
    entries = {f"Quantitative!{cell_of(template, code, key)}": text
               for (code, key), text in typed.items()}
    level_row = rows_by_code(openpyxl.load_workbook(io.BytesIO(template))["Qualitative"],
                             L_CODE)[("Q1", "")]
    entries |= {f"Qualitative!E{level_row}": "2 – in progress",
                f"Qualitative!F{level_row}": "Work has started.",
                f"Qualitative!G{level_row}": "Decree 12/2026"}
    return entries


def test_form_has_every_cell_and_dropdown_of_the_template(coordinator):
    template = _template(coordinator)
    page = coordinator.get(FORM).get_data(as_text=True)
    sheet = openpyxl.load_workbook(io.BytesIO(template))["Quantitative"]
    unlocked = {f"Quantitative!{cell.coordinate}" for row in sheet.iter_rows(min_row=2)
                for cell in row if cell.protection.locked is False}
    assert unlocked <= set(_fields(page))
    assert f"Quantitative!{cell_of(template, 'C1', 'sex=unknown')}" in unlocked
    assert '<option value="estimated">estimated</option>' in page  # the flag dropdown
    assert '<option value="2 – in progress">2 – in progress</option>' in page  # the scale
    assert "&lt;5 for a small number you may not publish" in page  # the value cells' rule


def test_form_finds_the_problems_an_upload_finds_and_shows_them_by_their_field(coordinator,
                                                                              db):
    template = _template(coordinator)
    entries = _entries(template, **{"C1:sex_male": "-3", "P1": "abc"})
    page = _post(coordinator, entries, "check").get_data(as_text=True)
    male = cell_of(template, "C1", "sex=male")
    assert 'id="f-Quantitative-' + male + '-problems"' in page
    assert 'aria-invalid="true"' in page
    assert 'value="abc"' in page  # what was typed stays in the form
    workbook = fill(template, {("C1", "sex=male"): -3, ("P1", ""): "abc"})
    coordinator.post("/returns/of/AG/2026Q3", data={
        "action": "check", "csrf_token": csrf_token_of(coordinator, FORM),
        "file": (io.BytesIO(workbook), "return.xlsx")})
    with db.sessions() as session:
        form_check, upload_check = session.scalars(select(Upload).order_by(Upload.id)).all()
        assert form_check.original_name == "form-SMALL-AG-2026Q3.xlsx"
        assert ([(item["reference"], item["message"])
                 for item in form_check.validation["problems"]]
                == [(item["reference"], item["message"])
                    for item in upload_check.validation["problems"]])
    for problem in form_check.validation["problems"]:
        assert str(escape(problem["message"])) in page


def test_form_submits_through_the_upload_path_and_opens_prefilled(coordinator, db, settings):
    template = _template(coordinator)
    entries = _entries(template, **{"C1:sex_female": "<5", "C1:sex_unknown": "", "C1": "1 234"})
    code_cell = cell_of(template, "C1", column="A")
    answer = _post(coordinator, {**entries, "mne!B3": "OTHER", f"Quantitative!{code_cell}": "X"},
                   "submit")
    assert answer.status_code == 302
    with db.sessions() as session:
        sent = session.scalars(select(Return)).one()
        assert answer.headers["Location"].endswith(f"/returns/{sent.id}")
        c1 = session.scalars(select(Indicator.id).where(Indicator.code == "C1")).one()
        values = {row.disaggregation: row for row in session.scalars(
            select(DataValue).where(DataValue.indicator_id == c1, DataValue.period == "2026Q3"))}
        stored = (settings.storage_folder / sent.upload.file_path).read_bytes()
    assert values[""].value == 1234 and values["sex=female"].value is None
    assert values["sex=female"].comment == "<5" and "sex=unknown" not in values
    assert (values[""].source_sheet, values[""].return_id) == ("Quantitative", sent.id)
    kept = openpyxl.load_workbook(io.BytesIO(stored))["Quantitative"]
    assert kept[code_cell].value == "C1"  # a locked cell cannot be written through the form
    shown = _fields(coordinator.get(FORM).get_data(as_text=True))
    assert shown[f"Quantitative!{cell_of(template, 'C1', 'sex=female')}"] == "<5"
    assert shown[f"Quantitative!{cell_of(template, 'C1')}"] == "1234"


def test_form_fields_follow_the_template_columns(coordinator):
    """A column the template leaves open to fill is a field of the form: the form is read
    from the workbook, not a second layout."""
    workbook = openpyxl.load_workbook(io.BytesIO(_template(coordinator)))
    workbook["Quantitative"].cell(1, 12, "Source")
    workbook["Quantitative"].cell(3, 12).protection = openpyxl.styles.Protection(locked=False)
    output = io.BytesIO()
    workbook.save(output)
    form = entry_form(output.getvalue())
    assert "Source" in form.sheets[0].titles
    assert "Quantitative!L3" in form.fields
    filled = filled_workbook(output.getvalue(), {"Quantitative!L3": "=HYPERLINK(1)"})
    cell = openpyxl.load_workbook(io.BytesIO(filled))["Quantitative"]["L3"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")  # text, never a formula
