"""A compiled report as one self-contained, printable html page: styles inline, charts as
inline SVG, nothing fetched from anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from indicators.i18n import _, reader_language
from indicators.periods import parse_period
from indicators.vocabulary import COLOURED, Status, Term, Unit, written_number
from reports.charts import (
    Point,
    Projection,
    SeriesContext,
    Shade,
    axis_title,
    section_chart,
    status_chart,
    trend_chart,
    trend_legend,
)
from reports.compilation import DATE, NUMBER, PERCENT, Column, Compilation
from reports.model import ReportKind
from reports.narratives import narratives_of

TEMPLATES = Path(__file__).with_name("templates")


def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(TEMPLATES),
                              autoescape=select_autoescape(["html"]), trim_blocks=True,
                              lstrip_blocks=True)
    environment.globals.update(_=_, language=reader_language, section_chart=section_chart,
                               coloured=COLOURED, trend_legend=trend_legend,
                               statuses=list(Status))
    environment.filters["cell"] = format_cell
    environment.filters["in_words"] = value_in_words
    return environment


def format_cell(value: Any, column: Column) -> str:
    """A value as the page shows it in a column of its kind."""
    if value is None:
        return ""
    if isinstance(value, Term):
        return value.label
    if column.kind == PERCENT:
        return f"{value * 100:.1f} %"
    if column.kind == NUMBER and isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if column.kind == DATE:
        return value.isoformat()
    return str(value)


def render_html(compilation: Compilation) -> bytes:
    """The page's bytes (UTF-8): a progress report as a briefing (summary, a section per
    principle, annex), any other report as its sections one after the other."""
    if compilation.kind is ReportKind.PROGRESS:
        page = _environment().get_template("progress.html").render(
            report=compilation, **briefing(compilation))
    else:
        page = _environment().get_template("report.html").render(report=compilation)
    return page.encode("utf-8")


def briefing(compilation: Compilation) -> dict[str, Any]:
    """What the briefing shows beyond the compilation's sections: the indicators grouped by
    principle with their default narrative, each one's small chart, the statuses by principle
    as a chart and in total, the lowest and highest female shares."""
    rows = compilation.section("indicators").rows
    by_principle: dict[str, list[dict]] = {}
    for row in rows:
        by_principle.setdefault(row["principle_name"], []).append(row)
    counts = {entry["principle"]: {status: entry[status.value] for status in Status}
              for entry in compilation.section("principle").rows}
    totals = {status: sum(group[status] for group in counts.values()) for status in Status}
    shares = sorted((row for row in compilation.section("sex").rows
                     if row["female_share"] is not None), key=lambda row: row["female_share"])
    return {
        "sex_extremes": (shares[0], shares[-1]) if shares else None,
        "by_principle": by_principle,
        "narratives": narratives_of(compilation),
        "small_charts": _small_charts(compilation, rows),
        "status_chart": status_chart(_("Indicators by principle and status"), counts),
        "totals": totals,
    }


def _small_charts(compilation: Compilation, rows: list[dict]) -> dict[str, str]:
    """A small trend chart per indicator with values: baseline, target and projection."""
    trends = compilation.section("trends")
    periods = [column.key for column in trends.columns[1:]]
    figures = {row["code"]: row for row in rows}
    charts = {}
    for series in trends.rows:
        row = figures[series["code"]]
        reporting = series.get("entities", {})
        actual = [Point(parse_period(period), series[period], reporting.get(period))
                  for period in periods if series.get(period) is not None]
        charts[row["code"]] = trend_chart(
            f"{row['code']} {row['name']}", axis_title(row["unit"]), actual,
            _marked(row, "baseline"), _marked(row, "target"), _projection(row),
            width=340, height=200, legend=False, context=_context(series.get("caveats") or {}))
    return charts


def _context(drawn: dict) -> SeriesContext:
    """A chart's caveats from the plain data the trends section keeps of them."""
    return SeriesContext(
        crises=[Shade(parse_period(first), parse_period(last) if last else None, name)
                for first, last, name in drawn.get("crises", [])],
        breaks=[parse_period(period) for period in drawn.get("breaks", [])],
        estimate=[Point(parse_period(period), value)
                  for period, value in drawn.get("estimate", {}).items()],
        estimate_words=drawn.get("estimate_words", ""))


def _marked(row: dict, which: str) -> Point | None:
    value, period = row[f"{which}_value"], row[f"{which}_period"]
    return Point(parse_period(period), value) if value is not None and period else None


def _projection(row: dict) -> Projection | None:
    target = _marked(row, "target")
    if target is None or row["projected_value"] is None or row["slope"] is None:
        return None
    return Projection(row["slope"], Point(target.period, row["projected_value"]),
                      Unit(row["unit"]).whole_numbers)


def value_in_words(value: Any, unit: Any) -> str:
    """A figure with its unit's sign (%, per 100,000) as the briefing's tables write it."""
    if value is None:
        return "—"
    return f"{written_number(value)} {unit.suffix()}".strip()
