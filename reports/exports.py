"""Open exchange: data values out as tidy CSV (one value per row, every key), SDMX-CSV (the
SDMX 2.1 CSV layout: DATAFLOW, dimension columns, TIME_PERIOD, OBS_VALUE, attributes) and xlsx,
filtered by strategy, indicator, entity and period range. Text cells are neutralised so that a
spreadsheet never runs them as formulas."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.cells import neutralise
from indicators.disaggregation import parse_key
from indicators.evaluation import approved_figures
from indicators.model import DataValue, Dimension, Entity, Indicator, Nature, Strategy
from indicators.periods import parse_period

SDMX_TOTAL = "_T"
SDMX_AGENCY = "MNE"
TIDY_COLUMNS = ["strategy", "indicator", "indicator_name", "standard", "unit", "entity",
                "entity_name", "period", "period_end", "disaggregation", "value", "level",
                "nature", "low", "high", "at_least", "narrative", "evidence", "comment"]


@dataclass(frozen=True)
class ValueFilter:
    """Which values to export; empty fields do not filter. Periods: values whose period ends
    between the start of `period_from` and the end of `period_to`. `approved_only`: only
    `indicators.evaluation.approved_figures`."""

    strategy: str = ""
    indicator: str = ""
    entity: str = ""
    period_from: str = ""
    period_to: str = ""
    approved_only: bool = False

    @classmethod
    def of(cls, arguments: Mapping[str, str]) -> ValueFilter:
        """The filter named by query arguments or command-line options (`strategy`,
        `indicator`, `entity`, `from`, `to`)."""
        return cls(strategy=arguments.get("strategy", ""),
                   indicator=arguments.get("indicator", ""),
                   entity=arguments.get("entity", ""),
                   period_from=arguments.get("from", ""), period_to=arguments.get("to", ""))


def tidy_values(session: Session, wanted: ValueFilter) -> pd.DataFrame:
    """The values, one per row with every key, ordered by strategy, indicator, entity, period
    and breakdown."""
    statement = (
        select(Strategy.code, Indicator.code, Indicator.name, Indicator.standard, Indicator.unit,
               Entity.code, Entity.name, DataValue.period, DataValue.period_end,
               DataValue.disaggregation, DataValue.value, DataValue.level, DataValue.nature,
               DataValue.low, DataValue.high, DataValue.at_least, DataValue.narrative,
               DataValue.evidence, DataValue.comment)
        .join(Indicator, DataValue.indicator_id == Indicator.id)
        .join(Strategy, Indicator.strategy_id == Strategy.id)
        .join(Entity, DataValue.entity_id == Entity.id)
        .order_by(Strategy.code, Indicator.code, Entity.code, DataValue.period_end,
                  DataValue.disaggregation)
    )
    for column, value in ((Strategy.code, wanted.strategy), (Indicator.code, wanted.indicator),
                          (Entity.code, wanted.entity)):
        if value:
            statement = statement.where(column == value)
    if wanted.period_from:
        statement = statement.where(DataValue.period_end >= parse_period(wanted.period_from).start)
    if wanted.period_to:
        statement = statement.where(DataValue.period_end <= parse_period(wanted.period_to).end)
    if wanted.approved_only:
        statement = approved_figures(statement)
    frame = pd.DataFrame(session.execute(statement).all(), columns=TIDY_COLUMNS)
    frame["unit"] = frame["unit"].map(str)
    frame["nature"] = frame["nature"].map(str)
    return frame


def _neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.apply(lambda column: column.map(neutralise) if column.dtype == object else column)


def tidy_csv(frame: pd.DataFrame) -> bytes:
    """Tidy CSV, UTF-8 with a byte-order mark so that Excel reads it as UTF-8."""
    return _neutralised(frame).to_csv(index=False).encode("utf-8-sig")


def sdmx_frame(frame: pd.DataFrame, dimensions: list[str]) -> pd.DataFrame:
    """The values in the SDMX 2.1 CSV layout: DATAFLOW (`MNE:<strategy>(1.0)`), INDICATOR,
    REF_AREA, one column per breakdown dimension (`_T` for the total), TIME_PERIOD (`2026-Q3`),
    OBS_VALUE (the number, or the level of a qualitative answer), OBS_STATUS and CONF_STATUS
    (the value's nature: `Nature.obs_status`, `Nature.conf_status`), LOWER_BOUND and
    UPPER_BOUND (a range's ends; a lower bound alone for "at least"), UNIT_MEASURE, COMMENT."""
    breakdowns = [parse_key(key) for key in frame["disaggregation"]]
    used = [code for code in dimensions if any(code in item for item in breakdowns)]
    sdmx = pd.DataFrame({
        "DATAFLOW": [f"{SDMX_AGENCY}:{code}(1.0)" for code in frame["strategy"]],
        "INDICATOR": frame["indicator"],
        "REF_AREA": frame["entity"],
        **{code.upper(): [item.get(code, SDMX_TOTAL) for item in breakdowns] for code in used},
        "TIME_PERIOD": [sdmx_period(code) for code in frame["period"]],
        "OBS_VALUE": frame["value"].where(frame["value"].notna(), frame["level"]),
        "OBS_STATUS": [Nature(nature).obs_status for nature in frame["nature"]],
        "CONF_STATUS": [Nature(nature).conf_status for nature in frame["nature"]],
        "LOWER_BOUND": frame["low"],
        "UPPER_BOUND": frame["high"],
        "UNIT_MEASURE": frame["unit"],
        "COMMENT": frame["comment"],
    })
    return _neutralised(sdmx)


def sdmx_csv(frame: pd.DataFrame, dimensions: list[str]) -> bytes:
    """SDMX-CSV text of `sdmx_frame`."""
    return sdmx_frame(frame, dimensions).to_csv(index=False).encode("utf-8")


def sdmx_period(code: str) -> str:
    """A period code in SDMX form: `2026Q3` -> `2026-Q3`, `2026M07` -> `2026-M07`, `2026`."""
    return code if code.isdigit() else f"{code[:4]}-{code[4:]}"


def dimension_codes(session: Session) -> list[str]:
    """Dimension codes in their configured order."""
    return list(session.scalars(select(Dimension.code).order_by(Dimension.position,
                                                                Dimension.code)))


def values_xlsx(frame: pd.DataFrame) -> bytes:
    """The tidy values as a workbook: one sheet, bold frozen header, filters on every column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Values"
    sheet.append(list(frame.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _neutralised(frame).itertuples(index=False):
        sheet.append([None if pd.isna(cell) else cell for cell in row])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


EXPORT_FORMATS = {"csv": "text/csv", "sdmx.csv": "text/csv",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export_values(session: Session, wanted: ValueFilter, format_: str) -> bytes:
    """The filtered values in one of `EXPORT_FORMATS`."""
    frame = tidy_values(session, wanted)
    if format_ == "sdmx.csv":
        return sdmx_csv(frame, dimension_codes(session))
    if format_ == "xlsx":
        return values_xlsx(frame)
    return tidy_csv(frame)
