"""One framework writer: whoever creates an indicator (the framework workbook, the administration
pages, the demonstration, the statistics import, the standards catalogue) writes the same row for
the same fields, and a repeat changes nothing."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from sqlalchemy import inspect, select

from importers.framework_workbook import SHEET, export_framework, import_framework
from indicators.errors import NotFound
from indicators.framework import (
    INDICATOR_FIELD,
    INDICATOR_FIELDS,
    CellError,
    ensure_default_scale,
    ensure_dimensions,
    indicator_fields,
    write_entity,
    write_indicator,
    write_objective,
    write_principle,
    write_strategy,
    write_target,
)
from indicators.model import (
    Dimension,
    Direction,
    Entity,
    Indicator,
    Kind,
    Objective,
    Strategy,
    Unit,
)
from indicators.periods import Frequency

VICTIMS = {
    "objective": "PR1", "name": "Victims identified", "definition": "Persons identified",
    "kind": "quantitative", "unit": "count", "currency": "", "direction": "increase",
    "frequency": "quarterly", "aggregation": "sum", "data_source": "Police records",
    "verification": "Case files", "responsible": "POL", "reporters": ["COURT", "POL"],
    "dimensions": ["sex"], "standard": "SDG 16.2.2", "sex_required": True, "scale": None,
    "baseline_value": 12.0, "baseline_period": "2024", "baseline_note": "first count",
    "archived": False, "name_zh": "识别的被害人", "definition_zh": "",
}


def _framework(session) -> Strategy:
    """Strategy TST with principle PROTECT, objective PR1, entities POL and COURT, dimension
    sex and the default scale."""
    ensure_dimensions(session, {"sex": {"name": "Sex",
                                        "categories": {"female": "Female", "male": "Male"}}})
    ensure_default_scale(session)
    strategy = write_strategy(session, "TST", title="Test strategy", area="Testland",
                              start_year=2025, end_year=2029)
    principle = write_principle(session, strategy, "PROTECT", name="Protect")
    write_objective(session, principle, "PR1", title="Victims identified")
    write_entity(session, "POL", name="Police", kind="agency", populations={2024: 1_000_000})
    write_entity(session, "COURT", name="Courts", kind="agency")
    return strategy


def _columns(indicator: Indicator) -> dict:
    """The indicator row's columns, without what tells two rows apart (id and code)."""
    return {column.key: getattr(indicator, column.key)
            for column in inspect(indicator).mapper.column_attrs
            if column.key not in ("id", "code")}


def test_a_new_indicator_takes_every_field_given_and_the_defaults_for_the_rest(session):
    strategy = _framework(session)

    indicator = write_indicator(session, strategy, "PR1.1", objective="PR1", name="Victims")

    assert indicator.kind is Kind.QUANTITATIVE and indicator.unit is Unit.COUNT
    assert indicator.frequency is Frequency.ANNUAL and indicator.direction is Direction.INCREASE
    assert indicator.reporters == [] and indicator.dimensions == []
    assert indicator_fields(indicator)["objective"] == "PR1"


def test_the_writer_reads_codes_and_enums_alike_and_links_by_code(session):
    strategy = _framework(session)

    indicator = write_indicator(session, strategy, "PR1.1", **VICTIMS)

    assert indicator.unit is Unit.COUNT and indicator.frequency is Frequency.QUARTERLY
    assert [entity.code for entity in indicator.reporters] == ["COURT", "POL"]
    assert indicator.responsible_entity.code == "POL"
    assert indicator_fields(indicator) == VICTIMS


def test_writing_the_same_fields_again_changes_nothing_and_an_update_keeps_what_it_omits(
        session):
    strategy = _framework(session)
    indicator = write_indicator(session, strategy, "PR1.1", **VICTIMS)
    session.commit()

    again = write_indicator(session, strategy, "PR1.1", **VICTIMS)
    assert again is indicator and not session.dirty and not session.new

    write_indicator(session, strategy, "PR1.1", unit=Unit.PERCENT, dimensions=[])
    assert indicator_fields(indicator) == VICTIMS | {"unit": Unit.PERCENT, "dimensions": []}


def test_a_field_the_writer_does_not_know_or_cannot_read_is_refused(session):
    strategy = _framework(session)
    with pytest.raises(TypeError, match="colour"):
        write_indicator(session, strategy, "PR1.1", objective="PR1", name="X", colour="red")
    with pytest.raises(CellError, match="Expected one of"):
        write_indicator(session, strategy, "PR1.1", objective="PR1", name="X", unit="litres")
    with pytest.raises(NotFound, match="NOBODY"):
        write_indicator(session, strategy, "PR1.1", objective="PR1", name="X",
                        reporters=["NOBODY"])


def test_the_workbook_lists_exactly_the_writers_fields():
    assert SHEET["Indicators"].headers == ["code", *(item.name for item in INDICATOR_FIELDS)]


def _cells(data: bytes) -> dict[str, list[tuple]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


def test_a_framework_workbook_comes_back_in_unchanged_and_goes_out_equal(session):
    strategy = _framework(session)
    indicator = write_indicator(session, strategy, "PR1.1", **VICTIMS)
    write_target(session, indicator, "2029", 40, final=True)
    session.commit()
    exported = export_framework(session, "TST")

    result = import_framework(session, exported)

    assert not result.report.has_errors and result.written
    assert not session.dirty and not session.new
    session.commit()
    assert _cells(export_framework(session, "TST")) == _cells(exported)


def _token(client, url: str) -> str:
    page = client.get(url)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def _ids(session, model) -> dict[str, int]:
    return {code: row_id for code, row_id in session.execute(select(model.code, model.id))}


def test_the_admin_page_and_the_workbook_make_the_same_indicator_row(client_as, session):
    strategy = _framework(session)
    session.commit()
    client = client_as("administrator")
    entities = _ids(session, Entity)
    url = f"/admin/indicator/new?owner={strategy.id}"
    form = {name: value for name, value in VICTIMS.items() if not INDICATOR_FIELD[name].link}
    form |= {"code": "PAGE", "objective_id": str(_ids(session, Objective)["PR1"]),
             "responsible_entity_id": str(entities["POL"]),
             "reporters": [str(entities["COURT"]), str(entities["POL"])],
             "dimension_links": [str(_ids(session, Dimension)["sex"])], "scale_id": "",
             "baseline_value": "12", "sex_required": "on", "csrf_token": _token(client, url)}
    del form["archived"]
    response = client.post(url, data=form, follow_redirects=True)
    assert "Indicator saved." in response.text

    workbook = openpyxl.load_workbook(io.BytesIO(export_framework(session, "TST")))
    sheet = workbook["Indicators"]
    sheet.append(["BOOK", *(cell.value for cell in sheet[2][1:])])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert not import_framework(session, buffer.getvalue()).report.has_errors
    session.commit()

    page, book = (session.scalars(select(Indicator).filter_by(code=code)).one()
                  for code in ("PAGE", "BOOK"))
    assert _columns(page) == _columns(book)
    assert indicator_fields(page) == indicator_fields(book) == VICTIMS
