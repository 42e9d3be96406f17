"""Charts drawn on the server as inline SVG: no script, nothing from the network."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 32, 16, 40
PALETTE = ("#7b3294", "#008837", "#e08214", "#777777", "#2c7bb6", "#d7191c")


@dataclass(frozen=True)
class Point:
    """A value at the end of a period."""

    label: str
    day: dt.date
    value: float


class _Scale:
    """Maps dates to x and values to y inside the plotting area, the value axis running
    between round numbers."""

    def __init__(self, days: Sequence[dt.date], values: Sequence[float]):
        self.first, self.last = min(days), max(days)
        low, high = min(values), max(values)
        self.step = _round_step((high - low) / 4 or abs(high) / 4 or 1.0)
        self.low = math.floor(low / self.step) * self.step
        self.high = math.ceil(high / self.step) * self.step
        if self.high == self.low:
            self.high += self.step

    def x(self, day: dt.date) -> float:
        span = (self.last - self.first).days or 1
        return LEFT + (day - self.first).days / span * (WIDTH - LEFT - RIGHT)

    def y(self, value: float) -> float:
        return TOP + (self.high - value) / (self.high - self.low) * (HEIGHT - TOP - BOTTOM)

    def ticks(self) -> list[float]:
        count = round((self.high - self.low) / self.step)
        return [self.low + self.step * index for index in range(count + 1)]


def _round_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `raw`."""
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(factor * magnitude for factor in (1, 2, 2.5, 5, 10) if factor * magnitude >= raw)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.2f}"


def _frame(scale: _Scale, points: Sequence[Point]) -> list[str]:
    parts = [f'<rect class="plot" x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" '
             f'height="{HEIGHT - TOP - BOTTOM}" fill="none" stroke="#ccc"/>']
    for tick in scale.ticks():
        y = scale.y(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#eee"/><text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" '
                     f'text-anchor="end" font-size="11">{_number(tick)}</text>')
    stride = max(1, len(points) // 8)
    for point in points[::stride]:
        parts.append(f'<text class="tick" x="{scale.x(point.day):.1f}" y="{HEIGHT - BOTTOM + 16}" '
                     f'text-anchor="middle" font-size="11">{escape(point.label)}</text>')
    return parts


def _dashes(dash: str) -> str:
    return f' stroke-dasharray="{dash}"' if dash else ""


def _polyline(scale: _Scale, points: Sequence[Point], colour: str, css: str,
              dash: str = "") -> str:
    coordinates = " ".join(f"{scale.x(p.day):.1f},{scale.y(p.value):.1f}" for p in points)
    return (f'<polyline class="{css}" points="{coordinates}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{_dashes(dash)}/>')


def _dots(scale: _Scale, points: Sequence[Point], colour: str, css: str) -> list[str]:
    return [f'<circle class="{css}" cx="{scale.x(p.day):.1f}" cy="{scale.y(p.value):.1f}" r="3.5" '
            f'fill="{colour}"><title>{escape(p.label)}: {_number(p.value)}</title></circle>'
            for p in points]


def _svg(kind: str, title: str, parts: list[str], legend: list[tuple[str, str, str]]) -> Markup:
    keys = "".join(
        f'<g class="key"><line x1="{LEFT + 130 * i}" x2="{LEFT + 130 * i + 18}" '
        f'y1="{HEIGHT - 8}" y2="{HEIGHT - 8}" stroke="{colour}" stroke-width="2"{_dashes(dash)}/>'
        f'<text x="{LEFT + 130 * i + 22}" y="{HEIGHT - 4}" font-size="11">{escape(name)}</text></g>'
        for i, (name, colour, dash) in enumerate(legend))
    return Markup(
        f'<svg class="chart {kind}" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" xmlns="http://www.w3.org/2000/svg">'
        f'<title>{escape(title)}</title>{"".join(parts)}{keys}</svg>')


def trend_chart(title: str, actual: Sequence[Point], baseline: Point | None = None,
                target: Point | None = None, projected: Point | None = None) -> Markup:
    """Actual value per period, the baseline, the line from baseline to target, and the
    projection from the latest value to the target period."""
    if not actual:
        return Markup("")
    marks = [point for point in (baseline, target, projected) if point is not None]
    scale = _Scale([p.day for p in [*actual, *marks]], [p.value for p in [*actual, *marks]])
    parts = _frame(scale, actual)
    legend = [(_("actual"), PALETTE[0], "")]
    if baseline is not None:
        y = scale.y(baseline.value)
        parts.append(f'<line class="baseline" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" '
                     f'y2="{y:.1f}" stroke="{PALETTE[3]}" stroke-dasharray="2 3"/>')
        legend.append((_("baseline"), PALETTE[3], "2 3"))
    if baseline is not None and target is not None:
        parts.append(_polyline(scale, [baseline, target], PALETTE[1], "target-line", "6 4"))
        parts.extend(_dots(scale, [target], PALETTE[1], "target"))
        legend.append((_("path to target"), PALETTE[1], "6 4"))
    if projected is not None:
        parts.append(_polyline(scale, [actual[-1], projected], PALETTE[2], "projection", "1 4"))
        legend.append((_("projection"), PALETTE[2], "1 4"))
    parts.append(_polyline(scale, actual, PALETTE[0], "actual"))
    parts.extend(_dots(scale, actual, PALETTE[0], "actual-point"))
    return _svg("trend", title, parts, legend)


def breakdown_chart(title: str, series: dict[str, Sequence[Point]]) -> Markup:
    """One line per category (e.g. female, male, unknown) over the periods."""
    drawn = {name: points for name, points in series.items() if points}
    if not drawn:
        return Markup("")
    every = [point for points in drawn.values() for point in points]
    scale = _Scale([p.day for p in every], [p.value for p in every])
    longest = max(drawn.values(), key=len)
    parts = _frame(scale, longest)
    legend = []
    for index, (name, points) in enumerate(drawn.items()):
        colour = PALETTE[index % len(PALETTE)]
        css = f"category category-{escape(name)}"
        parts.append(_polyline(scale, points, colour, css))
        parts.extend(_dots(scale, points, colour, "category-point"))
        legend.append((name, colour, ""))
    return _svg("breakdown", title, parts, legend)
