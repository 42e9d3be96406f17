"""Charts drawn as inline SVG on the server: no script, no network, printable."""

from __future__ import annotations

from html import escape
from itertools import cycle

from markupsafe import Markup

from indicators.vocabulary import written_number
from reports.compilation import Chart

PALETTE = ("1f5f8b", "d9822b", "2e8b57", "b03a48", "7a5195", "8c8c8c")
WIDTH = 640
LABEL_WIDTH = 240
ROW = 22


def svg_chart(chart: Chart) -> Markup:
    """The chart as an <svg> element."""
    return line_chart(chart) if chart.kind == "line" else bar_chart(chart)


def _colours(chart: Chart) -> dict[str, str]:
    palette = cycle(PALETTE)
    return {name: "#" + (chart.colours.get(name) or next(palette)) for name in chart.series}


def _text(x: float, y: float, content: str, anchor: str = "start", size: int = 11) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}">'
            f"{escape(str(content))}</text>")


def bar_chart(chart: Chart) -> Markup:
    """Horizontal bars, one row per category; series side by side or stacked."""
    names = list(chart.series)
    colours = _colours(chart)
    totals = [
        sum(values[index] or 0 for values in chart.series.values()) if chart.stacked
        else max((values[index] or 0 for values in chart.series.values()), default=0)
        for index in range(len(chart.categories))
    ]
    scale = (WIDTH - LABEL_WIDTH - 50) / max(max(totals, default=0), 1)
    per_row = 1 if chart.stacked else len(names)
    height = 30 + len(chart.categories) * ROW * per_row + 24
    parts = [_text(0, 14, chart.title, size=13)]
    for index, category in enumerate(chart.categories):
        top = 24 + index * ROW * per_row
        parts.append(_text(LABEL_WIDTH - 6, top + ROW * per_row / 2 + 4, category[:40], "end"))
        left = LABEL_WIDTH
        for rank, name in enumerate(names):
            value = chart.series[name][index] or 0
            y = top + (0 if chart.stacked else rank * ROW)
            width = value * scale
            parts.append(f'<rect x="{left:.1f}" y="{y + 3:.1f}" width="{width:.1f}" '
                         f'height="{ROW - 6}" fill="{colours[name]}"><title>{escape(name)}: '
                         f"{written_number(value)}</title></rect>")
            if chart.stacked:
                left += width
            else:
                parts.append(_text(left + width + 4, y + ROW - 7, written_number(value)))
        if chart.stacked:
            parts.append(_text(left + 4, top + ROW - 7, written_number(totals[index])))
    parts.append(_legend(names, colours, height - 8))
    return _svg(height, parts, chart.title)


def line_chart(chart: Chart) -> Markup:
    """Lines over the categories (periods), one per series, with their first and last values."""
    names = list(chart.series)
    colours = _colours(chart)
    present = [value for values in chart.series.values() for value in values if value is not None]
    low, high = (min(present), max(present)) if present else (0.0, 1.0)
    low, high = min(low, 0.0), high if high > low else low + 1
    height, top, bottom, left, right = 200, 24, 160, 50, WIDTH - 20
    step = (right - left) / max(len(chart.categories) - 1, 1)

    def y_of(value: float) -> float:
        return bottom - (value - low) / (high - low) * (bottom - top)

    parts = [_text(0, 14, chart.title, size=13),
             f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#999"/>',
             _text(left - 4, y_of(high) + 4, written_number(high), "end"),
             _text(left - 4, y_of(low) + 4, written_number(low), "end")]
    for index, category in enumerate(chart.categories):
        parts.append(_text(left + index * step, bottom + 14, category, "middle", 10))
    for name in names:
        points = [(left + index * step, y_of(value))
                  for index, value in enumerate(chart.series[name]) if value is not None]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colours[name]}" '
                         f'stroke-width="2"/>')
            parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colours[name]}"/>'
                         for x, y in points)
    parts.append(_legend(names, colours, height - 8))
    return _svg(height, parts, chart.title)


def _legend(names: list[str], colours: dict[str, str], y: float) -> str:
    items, x = [], 0.0
    for name in names:
        items.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" '
                     f'fill="{colours[name]}"/>' + _text(x + 14, y, name))
        x += 24 + 7 * len(name)
    return "".join(items)


def _svg(height: float, parts: list[str], title: str) -> Markup:
    return Markup(
        f'<svg role="img" aria-label="{escape(title)}" '
        f'width="{WIDTH}" height="{height:.0f}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'font-family="sans-serif">' + "".join(parts) + "</svg>"
    )
