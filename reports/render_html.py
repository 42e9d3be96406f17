"""A compiled report as one self-contained, printable html page: styles inline, charts as
inline SVG, nothing fetched from anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from indicators.i18n import _
from indicators.vocabulary import COLOURED, Term
from reports.compilation import DATE, NUMBER, PERCENT, Column, Compilation
from reports.svg import svg_chart

TEMPLATES = Path(__file__).with_name("templates")


def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(TEMPLATES),
                              autoescape=select_autoescape(["html"]), trim_blocks=True,
                              lstrip_blocks=True)
    environment.globals.update(_=_, svg_chart=svg_chart, coloured=COLOURED)
    environment.filters["cell"] = format_cell
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
    """The page's bytes (UTF-8)."""
    template = _environment().get_template("report.html")
    return template.render(report=compilation).encode("utf-8")
