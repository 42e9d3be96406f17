"""Open exchange: values out as tidy CSV, SDMX-CSV and xlsx, filtered; the API described by an
OpenAPI document that lists every route."""

from __future__ import annotations

import io
import re

import openpyxl
import pandas as pd
from openapi_spec_validator import validate
from sqlalchemy import select

from indicators.disaggregation import canonical_key
from indicators.model import DataValue, Entity, Frequency, Indicator
from indicators.values import ValueKey, record_value


def _stored_values(session) -> dict[tuple[str, str, str, str], float | None]:
    rows = session.execute(
        select(Indicator.code, Entity.code, DataValue.period, DataValue.disaggregation,
               DataValue.value, DataValue.level)
        .join(Indicator, DataValue.indicator_id == Indicator.id)
        .join(Entity, DataValue.entity_id == Entity.id)).all()
    return {(indicator, entity, period, key): value if value is not None else level
            for indicator, entity, period, key, value, level in rows}


def _read_back_sdmx(content: bytes) -> dict[tuple[str, str, str, str], float | None]:
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    fixed = {"DATAFLOW", "INDICATOR", "REF_AREA", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS",
             "CONF_STATUS", "LOWER_BOUND", "UPPER_BOUND", "UNIT_MEASURE", "COMMENT"}
    dimensions = [column for column in frame.columns if column not in fixed]
    found = {}
    for row in frame.to_dict("records"):
        breakdown = {name.lower(): row[name] for name in dimensions if row[name] != "_T"}
        key = (row["INDICATOR"], row["REF_AREA"], row["TIME_PERIOD"].replace("-", ""),
               canonical_key(breakdown))
        found[key] = float(row["OBS_VALUE"]) if row["OBS_VALUE"] else None
    return found


def test_sdmx_csv_of_the_demo_strategy_reads_back_into_the_same_values(demo, client_as, session):
    client = client_as("evaluator")
    response = client.get("/api/v1/exports/values.sdmx.csv?strategy=MRD-NSOC")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    header = response.data.decode().splitlines()[0].split(",")
    assert header[:3] == ["DATAFLOW", "INDICATOR", "REF_AREA"] and "TIME_PERIOD" in header
    assert {"SEX", "AGE", "OBS_VALUE", "OBS_STATUS"} <= set(header)
    assert _read_back_sdmx(response.data) == _stored_values(session)


def test_tidy_csv_filters_by_indicator_entity_and_period_range(demo, client_as, session):
    client = client_as("evaluator")
    indicator = session.scalars(select(Indicator).where(
        Indicator.sex_required, Indicator.frequency == Frequency.QUARTERLY)).first()
    entity = indicator.reporters[0]
    response = client.get(f"/api/v1/exports/values.csv?indicator={indicator.code}"
                          f"&entity={entity.code}&from=2025Q2&to=2025Q4")
    frame = pd.read_csv(io.BytesIO(response.data), dtype={"period": str},
                        keep_default_na=False, encoding="utf-8-sig")
    assert set(frame["period"]) == {"2025Q2", "2025Q3", "2025Q4"}
    assert set(frame["indicator"]) == {indicator.code} and set(frame["entity"]) == {entity.code}
    assert "" in set(frame["disaggregation"]) and "sex=female" in set(frame["disaggregation"])
    bad = client.get("/api/v1/exports/values.csv?from=2025Q9")
    assert bad.status_code == 400 and "2025Q9" in bad.json["error"]


def test_xlsx_export_neutralises_text_that_would_run_as_a_formula(demo, client_as, session):
    client = client_as("evaluator")
    indicator = session.scalars(select(Indicator).filter_by(code="PV1.1")).one()
    entity = indicator.reporters[0]
    record_value(session, ValueKey.of(indicator.id, entity.id, "2023Q1"), value=1.0,
                 comment="=HYPERLINK(\"http://evil\")")
    session.commit()
    response = client.get("/api/v1/exports/values.xlsx?indicator=PV1.1&to=2023Q4")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    row = [cell.value for cell in sheet[2]]
    assert row[header.index("comment")] == "'=HYPERLINK(\"http://evil\")"
    assert sheet.max_row == 2


def test_export_on_the_command_line(demo, run_mne, tmp_path):
    target = tmp_path / "values.sdmx.csv"
    run_mne("export", "--format", "sdmx.csv", "--strategy", "MRD-NSOC", "--from", "2026Q3",
            "-o", str(target))
    frame = pd.read_csv(target, dtype=str)
    assert set(frame["TIME_PERIOD"]) == {"2026-Q3"}


def test_openapi_document_validates_and_lists_every_api_route(app, client_as):
    client = client_as("evaluator")
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    listed = {(path, method.upper()) for path, item in document["paths"].items()
              for method in item}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method) in listed, f"{method} {rule.rule} is not documented"
    exports = document["paths"]["/exports/values.sdmx.csv"]["get"]
    assert {parameter["name"] for parameter in exports["parameters"]} >= {
        "strategy", "indicator", "entity", "from", "to"}
    assert document["paths"]["/strategies/{code}/indicators"]["get"]["parameters"][0][
        "in"] == "path"
