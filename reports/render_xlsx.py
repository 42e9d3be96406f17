"""A compiled report as an Excel workbook: a cover, a sheet per section with frozen headings,
statuses coloured by conditional formatting, and native Excel charts."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from indicators.cells import neutralise
from indicators.i18n import _
from indicators.vocabulary import Term, shown
from reports.compilation import (
    DATE,
    PERCENT,
    STATUS,
    Chart,
    Column,
    Compilation,
    Section,
)

HEADING = Font(bold=True, color="FFFFFF")
HEADING_FILL = PatternFill("solid", fgColor="1F5F8B")
FORMATS = {PERCENT: "0.0%", DATE: "yyyy-mm-dd", "number": "#,##0.##"}
CHART_DATA_SHEET = "chart data"


def render_xlsx(compilation: Compilation) -> bytes:
    """The workbook's bytes."""
    workbook = Workbook()
    _cover(workbook.active, compilation)
    chart_data = _ChartData(workbook.create_sheet(CHART_DATA_SHEET))
    titles: set[str] = {workbook.active.title, CHART_DATA_SHEET}
    for section in compilation.sections:
        before_chart_data = len(workbook.sheetnames) - 1
        sheet = workbook.create_sheet(_sheet_title(section.sheet_title, titles), before_chart_data)
        _write_section(sheet, section)
        for position, chart in enumerate(section.charts):
            anchor = f"{get_column_letter(len(section.columns) + 2)}{2 + 16 * position}"
            drawing = (_row_chart(sheet, chart, len(section.columns))
                       if chart.source_row is not None else chart_data.chart(chart))
            sheet.add_chart(drawing, anchor)
    if compilation.preliminary:
        _mark_preliminary(workbook, compilation.preliminary_note)
    workbook.properties.creator = "mne"
    workbook.properties.created = dt.datetime.combine(compilation.as_of, dt.time())
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _mark_preliminary(workbook: Workbook, note: str) -> None:
    """Every sheet says, on screen (its tab red) and on every printed page (its header and
    footer), that the report is preliminary."""
    for sheet in workbook.worksheets:
        sheet.sheet_properties.tabColor = "C0392B"
        for header in (sheet.oddHeader, sheet.evenHeader, sheet.firstHeader,
                       sheet.oddFooter, sheet.evenFooter, sheet.firstFooter):
            header.center.text = note
            header.center.color = "C0392B"


def _cover(sheet: Worksheet, compilation: Compilation) -> None:
    sheet.title = _("Report")
    rows = [
        (compilation.title, ""),
        (_("Strategy"), f"{compilation.strategy_code} — {compilation.strategy_title}"),
        (_("Period"), compilation.period),
        (_("As of"), compilation.as_of),
        (_("Returns used"), len(compilation.returns_used)),
    ]
    for row in rows:
        sheet.append([neutralise(cell) for cell in row])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["B4"].number_format = FORMATS[DATE]
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 60


def _sheet_title(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    clean = "".join(" " if char in "[]:*?/\\" else char for char in title)[:31].strip()
    candidate, number = clean, 2
    while candidate.lower() in {name.lower() for name in used}:
        suffix = f" ({number})"
        candidate, number = clean[: 31 - len(suffix)] + suffix, number + 1
    used.add(candidate)
    return candidate


def _write_section(sheet: Worksheet, section: Section) -> None:
    sheet.append([column.label for column in section.columns])
    for cell in sheet[1]:
        cell.font, cell.fill = HEADING, HEADING_FILL
    for row in section.rows:
        sheet.append([neutralise(shown(row.get(column.key))) for column in section.columns])
    sheet.freeze_panes = "A2"
    last = len(section.rows) + 1
    for index, column in enumerate(section.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _width(column, section.rows)
        if column.kind in FORMATS:
            for (cell,) in sheet.iter_rows(min_row=2, max_row=last, min_col=index, max_col=index):
                cell.number_format = FORMATS[column.kind]
        if column.kind == STATUS and section.rows:
            _colour_statuses(sheet, f"{letter}2:{letter}{last}",
                             {type(row[column.key]) for row in section.rows
                              if isinstance(row.get(column.key), Term)})
    if section.note:
        sheet.cell(row=last + 2, column=1, value=neutralise(section.note)).font = Font(
            italic=True)
    _print_setup(sheet, section)


WIDE = 6
"""Sections with more columns than this print on landscape pages."""


def _print_setup(sheet: Worksheet, section: Section) -> None:
    """Printed, the sheet repeats its headings on every page, fits its columns to the page's
    width, and turns landscape when it is wide."""
    sheet.print_title_rows = "1:1"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if len(section.columns) > WIDE else "portrait"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _width(column: Column, rows: list[dict[str, Any]]) -> float:
    longest = max([len(str(shown(row.get(column.key)) or "")) for row in rows[:200]]
                  + [len(column.label)])
    return min(60, max(8, longest + 2))


def _colour_statuses(sheet: Worksheet, cells: str, vocabularies: set[type[Term]]) -> None:
    """Fill each cell of `cells` with the colour of the member it names, by its words."""
    for member in (member for vocabulary in vocabularies for member in vocabulary):
        fill = PatternFill("solid", fgColor=member.fill, bgColor=member.fill)
        sheet.conditional_formatting.add(
            cells, CellIsRule(operator="equal", formula=[f'"{member.label}"'], fill=fill)
        )


def _drawing(chart: Chart, data: Reference, categories: Reference,
             from_rows: bool = False) -> BarChart | LineChart:
    drawing = LineChart() if chart.kind == "line" else BarChart()
    if chart.stacked:
        drawing.grouping, drawing.overlap = "stacked", 100
    drawing.title = chart.title
    drawing.height, drawing.width = 7.5, 16
    drawing.add_data(data, titles_from_data=True, from_rows=from_rows)
    drawing.set_categories(categories)
    for series, name in zip(drawing.series, chart.series, strict=True):
        if name in chart.colours:
            series.graphicalProperties.solidFill = chart.colours[name]
            series.graphicalProperties.line.solidFill = chart.colours[name]
    return drawing


def _row_chart(sheet: Worksheet, chart: Chart, width: int) -> BarChart | LineChart:
    """A chart of one row of the section's own table (its name in the first column)."""
    row = chart.source_row + 2
    return _drawing(chart, Reference(sheet, min_col=1, max_col=width, min_row=row, max_row=row),
                    Reference(sheet, min_col=2, max_col=width, min_row=1, max_row=1),
                    from_rows=True)


class _ChartData:
    """The sheet holding the figures charts are drawn from, one block per chart."""

    def __init__(self, sheet: Worksheet):
        self.sheet, self.next_row = sheet, 1

    def chart(self, chart: Chart) -> BarChart | LineChart:
        """A native Excel chart of `chart`, its figures written to the chart-data sheet."""
        top = self.next_row
        self.sheet.cell(row=top, column=1, value=neutralise(chart.title))
        header = top + 1
        self.sheet.cell(row=header, column=1, value=_("Category"))
        for offset, name in enumerate(chart.series, start=2):
            self.sheet.cell(row=header, column=offset, value=neutralise(name))
        for row, category in enumerate(chart.categories, start=header + 1):
            self.sheet.cell(row=row, column=1, value=neutralise(category))
            for offset, values in enumerate(chart.series.values(), start=2):
                self.sheet.cell(row=row, column=offset, value=values[row - header - 1])
        last = header + len(chart.categories)
        self.next_row = last + 2
        data = Reference(self.sheet, min_col=2, max_col=1 + len(chart.series), min_row=header,
                         max_row=last)
        categories = Reference(self.sheet, min_col=1, min_row=header + 1, max_row=last)
        return _drawing(chart, data, categories)
