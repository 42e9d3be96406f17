"""The one chart module: inline SVG drawn on the server for the pages and the reports (no script,
nothing from the network, printable). Every chart follows the same rules:

- time runs on an even axis (by period end); a missing period leaves a gap in the line;
- a period where fewer entities reported than usual is a hollow point with a note
  ("2 of 3 entities"), so that a missing return does not read as a fall;
- a figure with a range is drawn inside a shaded band (open above for a lower bound, marked
  by a caret), and a provisional or alleged figure as a hollow point (`Nature.hollow`);
- the projection starts on the fitted trend line at the latest period and is labelled;
  baseline and target are labelled points with their periods; the y-axis names its unit;
- a category keeps one colour in every chart (`indicators.vocabulary.category_colour`), a status
  its own (`Status.colour`);
- each chart carries a `<title>` and a `<desc>` for screen readers.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from indicators.caveats import Caveats
from indicators.i18n import gettext as _
from indicators.periods import Period, parse_period
from indicators.trends import years_between
from indicators.vocabulary import (
    OKABE_ITO,
    Status,
    Unit,
    category_colour,
    written_number,
    written_range,
)
from reports.compilation import Chart

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 96, 16, 44
INK, MUTED, GRID = "#1d2733", "#5b6b7c", "#e6e9ee"
BASELINE = MUTED
ACTUAL, TARGET, PROJECTION = (f"#{OKABE_ITO[index]}" for index in (4, 2, 5))
ESTIMATE, CRISIS = f"#{OKABE_ITO[6]}", "#f3e3c3"


@dataclass(frozen=True)
class Point:
    """A value of a period; `entities` says how many entities reported it (None: not counted);
    `low` and `high` the ends of its range (`high` None with a `low`: at least `low`); `hollow`
    when it is provisional or alleged."""

    period: Period
    value: float
    entities: int | None = None
    low: float | None = None
    high: float | None = None
    hollow: bool = False

    @property
    def lower_bound(self) -> bool:
        return self.low is not None and self.high is None


@dataclass(frozen=True)
class Projection:
    """The fitted trend line: its `slope` per year, and the value it reaches at the target
    (labelled as a whole number when the unit counts in `whole` numbers)."""

    slope: float
    target: Point
    whole: bool = False


@dataclass(frozen=True)
class Shade:
    """A span shaded behind a series (a crisis): from the start of `first` to the end of
    `last` (None: still lasting), named by `words`."""

    first: Period
    last: Period | None
    words: str


@dataclass(frozen=True)
class SeriesContext:
    """What a trend chart draws around a series: crises shaded behind it, the periods where
    it breaks (no line across them), and a paired estimate of the same phenomenon."""

    crises: Sequence[Shade] = ()
    breaks: Sequence[Period] = ()
    estimate: Sequence[Point] = ()
    estimate_words: str = ""


def series_context(caveats: Caveats) -> SeriesContext:
    """What a trend chart draws of an indicator's caveats: its crises, breaks and estimate."""
    pair = caveats.pair
    return SeriesContext(
        crises=[Shade(found.crisis.first, found.crisis.last, found.crisis.name)
                for found in caveats.crises],
        breaks=[found.period for found in caveats.breaks],
        estimate=[Point(period, value) for period, value in pair.estimate_points] if pair else [],
        estimate_words=pair.source.label if pair else "")


# ------------------------------------------------------------------ scales and pieces


class _Scale:
    """Maps a period's end to x (an even time axis) and a value to y, the value axis running
    between round numbers."""

    def __init__(self, points: Sequence[Point], width: int = WIDTH, height: int = HEIGHT,
                 margins: tuple[int, int, int, int] = (LEFT, RIGHT, TOP, BOTTOM)):
        self.left, self.right, self.top, self.bottom = margins
        self.width, self.height = width, height
        self.first = min(point.period.end for point in points)
        self.last = max(point.period.end for point in points)
        values = [end for point in points for end in (point.value, point.low, point.high)
                  if end is not None]
        low, high = min(values), max(values)
        self.step = _round_step((high - low) / 4 or abs(high) / 4 or 1.0)
        self.low = math.floor(low / self.step) * self.step
        self.high = math.ceil(high / self.step) * self.step
        if self.high == self.low:
            self.high += self.step

    def x(self, period: Period) -> float:
        return self.at(period.end)

    def at(self, day: dt.date) -> float:
        """The x of a day, kept within the plotting area."""
        span = (self.last - self.first).days or 1
        inner = self.width - self.left - self.right
        return self.left + min(max((day - self.first).days / span, 0.0), 1.0) * inner

    def y(self, value: float) -> float:
        inner = self.height - self.top - self.bottom
        return self.top + (self.high - value) / (self.high - self.low) * inner

    def ticks(self) -> list[float]:
        count = round((self.high - self.low) / self.step)
        return [self.low + self.step * index for index in range(count + 1)]


def _round_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `raw`."""
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(factor * magnitude for factor in (1, 2, 2.5, 5, 10) if factor * magnitude >= raw)


def axis_title(unit: Unit, currency: str = "") -> str:
    """What the y-axis names: the unit in words, with the currency of an amount."""
    return f"{unit.label} ({currency})" if currency else unit.label


def _text(x: float, y: float, content: str, css: str = "", anchor: str = "start",
          size: int = 11, colour: str = MUTED) -> str:
    return (f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{colour}" '
            f'text-anchor="{anchor}">{escape(str(content))}</text>')


def _dashes(dash: str) -> str:
    return f' stroke-dasharray="{dash}"' if dash else ""


def runs(points: Sequence[Point], breaks: Sequence[Period] = ()) -> list[list[Point]]:
    """The points split where a period is missing or the series breaks (a break's period
    starts a new run): each run holds consecutive, comparable periods, so a line drawn through
    a run never bridges a gap nor a break."""
    ordered = sorted(points, key=lambda point: point.period)
    found: list[list[Point]] = []
    for point in ordered:
        if found and found[-1][-1].period + 1 == point.period \
                and not _broken_between(found[-1][-1].period, point.period, breaks):
            found[-1].append(point)
        else:
            found.append([point])
    return found


def _broken_between(earlier: Period, later: Period, breaks: Sequence[Period]) -> bool:
    return any(earlier.start < found.start <= later.start for found in breaks)


def usual_coverage(points: Sequence[Point]) -> int | None:
    """How many entities usually report: the most that reported any period of the series."""
    counted = [point.entities for point in points if point.entities]
    return max(counted) if counted else None


def coverage_note(point: Point, usual: int | None) -> str | None:
    """"2 of 3 entities" when fewer entities reported `point` than usual, else None."""
    if usual is None or point.entities is None or point.entities >= usual:
        return None
    return _("%(count)s of %(usual)s entities", count=point.entities, usual=usual)


def _line(scale: _Scale, points: Sequence[Point], colour: str, css: str,
          dash: str = "", stroke: float = 2, breaks: Sequence[Period] = ()) -> list[str]:
    """One polyline per run of consecutive periods (a gap where a period is missing or the
    series breaks)."""
    return [_polyline(scale, run, colour, css, dash, stroke) for run in runs(points, breaks)]


def _polyline(scale: _Scale, points: Sequence[Point], colour: str, css: str, dash: str = "",
              stroke: float = 2) -> str:
    """One line through `points` in their order."""
    return (f'<polyline class="{css}" points="'
            + " ".join(f"{scale.x(p.period):.1f},{scale.y(p.value):.1f}" for p in points)
            + f'" fill="none" stroke="{colour}" stroke-width="{stroke}"{_dashes(dash)}/>')


def _dots(scale: _Scale, points: Sequence[Point], colour: str, css: str,
          usual: int | None, name: str = "") -> list[str]:
    """A filled point per period; a hollow one with its note where fewer entities reported
    (a note after a noted neighbour goes above its point, so that the two do not overlap)."""
    parts = []
    noted_below = False
    for point in points:
        note = coverage_note(point, usual)
        label = f"{name} {point.period.code}: {_figure(point)}".strip()
        x, y = scale.x(point.period), scale.y(point.value)
        if note is None:
            noted_below = False
        if point.hollow and note is None:
            parts.append(f'<circle class="{css} hollow" cx="{x:.1f}" cy="{y:.1f}" r="4" '
                         f'fill="#fff" stroke="{colour}" stroke-width="2">'
                         f'<title>{escape(label)}</title></circle>')
            continue
        if note is None:
            parts.append(f'<circle class="{css}" cx="{x:.1f}" cy="{y:.1f}" r="3.5" '
                         f'fill="{colour}"><title>{escape(label)}</title></circle>')
            continue
        parts.append(f'<circle class="{css} incomplete" cx="{x:.1f}" cy="{y:.1f}" r="4" '
                     f'fill="#fff" stroke="{colour}" stroke-width="2">'
                     f'<title>{escape(label)} ({escape(note)})</title></circle>')
        parts.append(_text(x, y - 9 if noted_below else y + 16, note, "coverage-note",
                           "middle", 10))
        noted_below = not noted_below
    return parts


def _figure(point: Point) -> str:
    """A point's figure as its tooltip says it: `470 [460–480]`, `≥ 2,000`."""
    return written_range(point.value, point.low, point.high, point.lower_bound)


def _band(scale: _Scale, points: Sequence[Point], colour: str) -> list[str]:
    """A shaded band from low to high across each run of points with a range (a point without
    one narrows it to its value); a caret above each lower bound, open upwards."""
    parts = []
    for run in runs(points):
        if not any(point.low is not None for point in run):
            continue
        tops = [(scale.x(p.period), scale.y(p.value if p.high is None else p.high)) for p in run]
        bottoms = [(scale.x(p.period), scale.y(p.value if p.low is None else p.low))
                   for p in reversed(run)]
        parts.append('<polygon class="range-band" points="'
                     + " ".join(f"{x:.1f},{y:.1f}" for x, y in [*tops, *bottoms])
                     + f'" fill="{colour}" fill-opacity="0.18" stroke="none"/>')
    for point in points:
        if point.lower_bound:
            x, y = scale.x(point.period), scale.y(point.value)
            parts.append(f'<path class="lower-bound" d="M{x - 5:.1f},{y - 8:.1f} L{x:.1f},'
                         f'{y - 14:.1f} L{x + 5:.1f},{y - 8:.1f}" fill="none" stroke="{colour}" '
                         f'stroke-width="1.5"><title>≥ {escape(written_number(point.value))}'
                         f'</title></path>')
    return parts


def _frame(scale: _Scale, periods: Sequence[Period], unit: str) -> list[str]:
    """The plotting area, the value ticks, the unit along the y-axis and the period ticks."""
    inner_width = scale.width - scale.left - scale.right
    parts = [f'<rect class="plot" x="{scale.left}" y="{scale.top}" width="{inner_width}" '
             f'height="{scale.height - scale.top - scale.bottom}" fill="none" stroke="{GRID}"/>']
    for tick in scale.ticks():
        y = scale.y(tick)
        parts.append(f'<line x1="{scale.left}" x2="{scale.width - scale.right}" y1="{y:.1f}" '
                     f'y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(scale.left - 6, y + 4, written_number(tick), "tick", "end"))
    middle = scale.top + (scale.height - scale.top - scale.bottom) / 2
    parts.append(f'<text class="unit" x="14" y="{middle:.1f}" font-size="11" fill="{MUTED}" '
                 f'text-anchor="middle" transform="rotate(-90 14 {middle:.1f})">'
                 f"{escape(unit)}</text>")
    stride = max(1, math.ceil(len(periods) / 8))
    for period in periods[::stride]:
        parts.append(_text(scale.x(period), scale.height - scale.bottom + 16, period.code,
                           "tick period", "middle"))
    return parts


def _every_period(points: Sequence[Point]) -> list[Period]:
    """Each period of the points' frequency from the first point to the last, missing ones
    included: the ticks of an even axis."""
    ordered = sorted(points, key=lambda point: point.period)
    first, last = ordered[0].period, ordered[-1].period
    return [first + step for step in range(last.steps_from(first) + 1)]


def _text_width(text: str) -> float:
    """About how wide `text` is drawn at the charts' font size: wide (Chinese) characters
    take twice the room of Latin ones."""
    return sum(12.0 if unicodedata.east_asian_width(char) in "WF" else 6.5 for char in text)


LEGEND_ROW = 16


def _legend_rows(entries: Sequence[tuple[str, str, str]]) -> list[list[tuple[str, str, str]]]:
    """The legend's entries in rows that fit the chart's width."""
    rows: list[list[tuple[str, str, str]]] = [[]]
    x = float(LEFT)
    for entry in entries:
        width = 34 + _text_width(entry[0])
        if rows[-1] and x + width > WIDTH:
            rows.append([])
            x = float(LEFT)
        rows[-1].append(entry)
        x += width
    return rows


def _legend(entries: Sequence[tuple[str, str, str]], y: float) -> list[str]:
    """The legend from `y` down, a row below another when the chart's width is used."""
    parts = []
    for index, row in enumerate(_legend_rows(entries)):
        x, row_y = float(LEFT), y + index * LEGEND_ROW
        for name, colour, dash in row:
            parts.append(f'<g class="key">{_key_mark(x, row_y, colour, dash)}'
                         + _text(x + 22, row_y, name, colour=INK) + "</g>")
            x += 34 + _text_width(name)
    return parts


def _key_mark(x: float, y: float, colour: str, dash: str) -> str:
    """A legend's mark: a line (dashed by `dash`), a shaded "band", a "hollow" point or the
    "caret" of a lower bound."""
    if dash == "caret":
        return (f'<path d="M{x + 4:.1f},{y - 1:.1f} L{x + 9:.1f},{y - 7:.1f} L{x + 14:.1f},'
                f'{y - 1:.1f}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
    if dash == "band":
        return (f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="18" height="10" fill="{colour}" '
                f'fill-opacity="0.18"/>')
    if dash == "hollow":
        return (f'<circle cx="{x + 9:.1f}" cy="{y - 4:.1f}" r="4" fill="#fff" stroke="{colour}" '
                f'stroke-width="2"/>')
    return (f'<line x1="{x:.1f}" x2="{x + 18:.1f}" y1="{y - 4:.1f}" y2="{y - 4:.1f}" '
            f'stroke="{colour}" stroke-width="2"{_dashes(dash)}/>')


def _svg(kind: str, title: str, description: str, parts: Sequence[str], width: int = WIDTH,
         height: int = HEIGHT, fixed: bool = False) -> Markup:
    """The chart; `fixed` keeps its size (a table cell's), else it fills its container."""
    size = f'width="{width}" height="{height}"' if fixed else 'width="100%"'
    return Markup(
        f'<svg class="chart {kind}" role="img" viewBox="0 0 {width} {height}" {size} '
        f'font-family="sans-serif">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        + "".join(parts) + "</svg>")


# ------------------------------------------------------------------ time series


def projection_start(latest: Point, projection: Projection) -> Point:
    """The fitted trend line's value at the latest period: where the projection starts."""
    years = years_between(latest.period.end, projection.target.period.end)
    return Point(latest.period, projection.target.value - projection.slope * years)


def _marked(scale: _Scale, point: Point, words: str, colour: str, css: str) -> list[str]:
    """A labelled point: baseline or target with its period and value."""
    x, y = scale.x(point.period), scale.y(point.value)
    label = f"{words} {point.period.code}: {written_number(point.value)}"
    return [f'<circle class="{css}" cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#fff" '
            f'stroke="{colour}" stroke-width="2.5"><title>{escape(label)}</title></circle>',
            _label_beside(scale, x, y - 8, label, f"{css}-label", colour)]


def _label_beside(scale: _Scale, x: float, y: float, label: str, css: str,
                  colour: str) -> str:
    """A point's label to its right, or to its left where it would leave the chart."""
    if x + 8 + _text_width(label) * 11 / 12 > scale.width:
        return _text(x - 8, y, label, css, "end", colour=colour)
    return _text(x + 8, y, label, css, colour=colour)


def trend_chart(title: str, unit: str, actual: Sequence[Point], baseline: Point | None = None,
                target: Point | None = None, projection: Projection | None = None,
                width: int = WIDTH, height: int = HEIGHT, legend: bool = True,
                context: SeriesContext = SeriesContext()) -> Markup:
    """The value per period (gaps where a period is missing, hollow points where fewer
    entities reported), the labelled baseline and target, the path between them and the
    labelled projection from the fitted trend line to the target period; a small multiple
    is drawn `width` × `height` without its `legend` (given once beside them). The `context`
    shades crises, parts the line at series breaks and draws a paired estimate."""
    if not actual:
        return Markup("")
    latest = max(actual, key=lambda point: point.period)
    start = projection_start(latest, projection) if projection else None
    marks = [point for point in (baseline, target, start,
                                 projection.target if projection else None) if point]
    scale = _Scale([*actual, *marks, *context.estimate], width, height,
                   (LEFT, RIGHT, TOP, BOTTOM) if legend else (56, 80, 22, 26))
    parts = _shades(scale, context.crises, legend) + _frame(scale, _every_period(actual), unit)
    keys = [(_("actual"), ACTUAL, "")]
    if baseline is not None and target is not None:
        parts += _line_between(scale, baseline, target, TARGET, "target-line", "6 4")
        keys.append((_("path to target"), TARGET, "6 4"))
    if projection is not None:
        parts += _line_between(scale, start, projection.target, PROJECTION, "projection", "2 3")
        end = projection.target
        parts.append(_text(scale.x(end.period) + 6, scale.y(end.value) + 14,
                           _("projection %(value)s", value=written_number(
                               round(end.value) if projection.whole else end.value)),
                           "projection-label", colour=PROJECTION))
        keys.append((_("projection from the trend"), PROJECTION, "2 3"))
    parts += _context_parts(scale, context, keys)
    usual = usual_coverage(actual)
    if any(point.low is not None for point in actual):
        parts += _band(scale, actual, ACTUAL)
    if any(point.high is not None for point in actual):
        keys.append((_("range"), ACTUAL, "band"))
    if any(point.lower_bound for point in actual):
        keys.append((_("at least"), ACTUAL, "caret"))
    if any(point.hollow for point in actual):
        keys.append((_("provisional or alleged"), ACTUAL, "hollow"))
    parts += _line(scale, actual, ACTUAL, "actual", breaks=context.breaks)
    parts += _dots(scale, actual, ACTUAL, "actual-point", usual)
    if baseline is not None:
        parts += _marked(scale, baseline, _("baseline"), BASELINE, "baseline")
    if target is not None:
        parts += _marked(scale, target, _("target"), TARGET, "target")
    extra = 0
    if legend:
        parts += _legend(keys, height - 6)
        extra = LEGEND_ROW * (len(_legend_rows(keys)) - 1)
    description = " ".join([_describe(actual, unit, baseline, target, projection),
                            *_context_sentences(context)])
    return _svg("trend", title, description, parts, width, height + extra)


def _shades(scale: _Scale, crises: Sequence[Shade], named: bool = True) -> list[str]:
    """A shaded band behind the series over each crisis, `named` above it (else in its
    tooltip only, as in a small multiple)."""
    parts = []
    inner = scale.height - scale.top - scale.bottom
    for crisis in crises:
        left = _between(scale, crisis.first - 1, crisis.first)
        right = _between(scale, crisis.last, crisis.last + 1) if crisis.last \
            else scale.at(scale.last)
        if right <= left:
            continue
        span = f"{crisis.first.code}–{crisis.last.code if crisis.last else ''}"
        parts.append(f'<rect class="crisis" data-first="{crisis.first.code}" '
                     f'data-last="{crisis.last.code if crisis.last else ""}" x="{left:.1f}" '
                     f'y="{scale.top}" width="{right - left:.1f}" height="{inner}" '
                     f'fill="{CRISIS}"><title>{escape(crisis.words)} {span}</title></rect>')
        if named:
            parts.append(_text(left + 2, scale.top - 4, crisis.words, "crisis-label", size=10))
    return parts


def _between(scale: _Scale, earlier: Period, later: Period) -> float:
    """Halfway between the points of two periods: where one ends and the next begins."""
    return (scale.x(earlier) + scale.x(later)) / 2


def _context_parts(scale: _Scale, context: SeriesContext,
                   keys: list[tuple[str, str, str]]) -> list[str]:
    """The break marks and the paired estimate's line; their keys are added to `keys`."""
    parts = []
    for found in context.breaks:
        x = _between(scale, found - 1, found)
        parts.append(f'<line class="series-break" data-period="{found.code}" x1="{x:.1f}" '
                     f'x2="{x:.1f}" y1="{scale.top}" y2="{scale.height - scale.bottom}" '
                     f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="1 3"/>')
        parts.append(_text(x + 3, scale.height - scale.bottom - 4, _("series break"),
                           "series-break-label", size=10, colour=INK))
    if context.estimate:
        estimate = sorted(context.estimate, key=lambda point: point.period)
        parts.append(_polyline(scale, estimate, ESTIMATE, "paired-estimate", "5 3"))
        parts += _dots(scale, context.estimate, ESTIMATE, "paired-estimate-point", None,
                       context.estimate_words)
        keys.append((context.estimate_words or _("estimate"), ESTIMATE, "5 3"))
    return parts


def _context_sentences(context: SeriesContext) -> list[str]:
    """The crises, breaks and estimate of a chart in words, for screen readers."""
    said = [_("Shaded: %(crisis)s from %(first)s to %(last)s.", crisis=crisis.words,
              first=crisis.first.code, last=crisis.last.code if crisis.last else "…")
            for crisis in context.crises]
    said += [_("The series breaks in %(period)s.", period=found.code)
             for found in context.breaks]
    if context.estimate:
        said.append(_("Dashed: %(estimate)s.", estimate=context.estimate_words))
    return said


def trend_legend() -> Markup:
    """The legend of trend charts drawn without theirs (small multiples), given once."""
    keys = [(_("actual"), ACTUAL, ""), (_("path to target"), TARGET, "6 4"),
            (_("projection from the trend"), PROJECTION, "2 3")]
    return _svg("legend", _("Legend"), ", ".join(name for name, _colour, _dash in keys),
                _legend(keys, 16), WIDTH, 22)


def _line_between(scale: _Scale, first: Point, last: Point, colour: str, css: str,
                  dash: str) -> list[str]:
    return [f'<line class="{css}" x1="{scale.x(first.period):.1f}" y1="{scale.y(first.value):.1f}" '
            f'x2="{scale.x(last.period):.1f}" y2="{scale.y(last.value):.1f}" stroke="{colour}" '
            f'stroke-width="2"{_dashes(dash)}/>']


def _describe(actual: Sequence[Point], unit: str, baseline: Point | None,
              target: Point | None, projection: Projection | None) -> str:
    """The chart in a sentence for screen readers."""
    ordered = sorted(actual, key=lambda point: point.period)
    parts = [_("%(count)s values in %(unit)s from %(first)s to %(last)s, latest %(value)s.",
               count=len(ordered), unit=unit, first=ordered[0].period.code,
               last=ordered[-1].period.code, value=written_number(ordered[-1].value))]
    if baseline is not None:
        parts.append(_("Baseline %(value)s in %(period)s.",
                       value=written_number(baseline.value), period=baseline.period.code))
    if target is not None:
        parts.append(_("Target %(value)s in %(period)s.", value=written_number(target.value),
                       period=target.period.code))
    if projection is not None:
        parts.append(_("The trend projects %(value)s.",
                       value=written_number(projection.target.value)))
    return " ".join(parts)


def breakdown_chart(title: str, unit: str, series: Mapping[str, Sequence[Point]],
                    labels: Mapping[str, str] | None = None) -> Markup:
    """One line per category (female, male, …), each in its own colour in every chart;
    `labels` gives the categories' names (default: their codes)."""
    drawn = {name: points for name, points in series.items() if points}
    if not drawn:
        return Markup("")
    labels = labels or {}
    every = [point for points in drawn.values() for point in points]
    scale = _Scale(every)
    parts = _frame(scale, _every_period(every), unit)
    legend = []
    for name, points in drawn.items():
        colour = "#" + category_colour(name)
        words = labels.get(name, name)
        parts += _line(scale, points, colour, f"category category-{escape(name)}")
        parts += _dots(scale, points, colour, "category-point", usual_coverage(points), words)
        legend.append((words, colour, ""))
    parts += _legend(legend, HEIGHT - 6)
    description = _("%(unit)s by category: %(categories)s.", unit=unit,
                    categories=", ".join(labels.get(name, name) for name in drawn))
    return _svg("breakdown", title, description, parts)


def sparkline(title: str, points: Sequence[Point], width: int = 96, height: int = 24) -> Markup:
    """A small trend line for a table cell: gaps where a period is missing, the latest point
    marked (hollow when fewer entities reported it than usual)."""
    if len(points) < 2:
        return Markup("")
    scale = _Scale(points, width, height, (2, 4, 3, 3))
    usual = usual_coverage(points)
    latest = max(points, key=lambda point: point.period)
    parts = _line(scale, points, ACTUAL, "spark", stroke=1.5)
    parts += _dots(scale, [latest], ACTUAL, "spark-latest", usual)[:1]
    description = " ".join(f"{point.period.code}: {written_number(point.value)}"
                           for point in sorted(points, key=lambda point: point.period))
    return _svg("sparkline", title, description, parts, width, height, fixed=True)


# ------------------------------------------------------------------ statuses and shares


def status_chart(title: str, counts: Mapping[str, Mapping[Status, int]],
                 links: Mapping[str, str] | None = None) -> Markup:
    """A stacked bar per group (principle name) of how many indicators stand at each status,
    each status in its colour, the count written in its segment; `links` opens a group."""
    label_width, bar_width, row = 110, 480, 30
    height = TOP + row * len(counts) + 34
    largest = max((sum(group.values()) for group in counts.values()), default=0) or 1
    parts = []
    for index, (name, group) in enumerate(counts.items()):
        y = TOP + index * row
        parts.append(_text(label_width - 8, y + 17, name, "group", "end", 12, INK))
        x = float(label_width)
        for status in Status:
            count = group.get(status, 0)
            width = count / largest * bar_width
            if not count:
                continue
            parts.append(
                f'<rect class="status-bar" data-group="{escape(name)}" '
                f'data-status="{status.value}" data-count="{count}" x="{x:.1f}" y="{y + 3}" '
                f'width="{width:.1f}" height="{row - 8}" fill="#{status.colour}">'
                f"<title>{escape(name)}: {escape(status.label)} {count}</title></rect>")
            parts.append(_text(x + width / 2, y + 18, str(count), "count", "middle", 11, "#fff"))
            x += width
        parts.append(_text(x + 6, y + 18, str(sum(group.values())), "total", "start", 11))
    keys, x = [], float(label_width)
    for status in Status:
        keys.append(f'<rect x="{x:.1f}" y="{height - 20}" width="10" height="10" '
                    f'fill="#{status.colour}"/>' + _text(x + 14, height - 11, status.label,
                                                          colour=INK))
        x += 26 + _text_width(status.label)
    description = "; ".join(
        f"{name}: " + ", ".join(f"{status.label} {group.get(status, 0)}" for status in Status)
        for name, group in counts.items())
    return _svg("statuses", title, description, [*parts, *keys], 640, height)


def share_bar(title: str, share: float | None, colour: str, width: int = 96,
              mark: float | None = None) -> Markup:
    """A share (0-1) as a filled bar, with an optional tick at `mark` (the expected share)."""
    if share is None:
        return Markup("")
    filled = max(0.0, min(share, 1.0)) * width
    parts = [f'<rect x="0" y="4" width="{width}" height="10" fill="{GRID}"/>',
             f'<rect class="filled" x="0" y="4" width="{filled:.1f}" height="10" '
             f'fill="#{colour}"/>']
    if mark is not None:
        x = max(0.0, min(mark, 1.0)) * width
        parts.append(f'<line class="expected" x1="{x:.1f}" x2="{x:.1f}" y1="1" y2="17" '
                     f'stroke="{INK}" stroke-width="2"/>')
    description = f"{share:.0%}" + (_(", %(mark)s expected", mark=f"{mark:.0%}")
                                    if mark is not None else "")
    return _svg("share", title, description, parts, width, 18, fixed=True)


# ------------------------------------------------------------------ a compiled section's charts


def section_chart(chart: Chart) -> Markup:
    """A chart of a compiled report's section (the gap report's): one line per series over
    the periods, or bars per category."""
    if chart.kind == "line":
        return breakdown_chart(chart.title, "", {
            name: [Point(parse_period(period), value)
                   for period, value in zip(chart.categories, values, strict=True)
                   if value is not None]
            for name, values in chart.series.items()})
    return bar_chart(chart)


def bar_chart(chart: Chart) -> Markup:
    """Horizontal bars, one row per category; the series side by side or stacked, each in its
    own colour (the chart's, else the palette's in order)."""
    row, width = 22, WIDTH + 60
    label_width = 12 + max((_text_width(category) for category in chart.categories), default=0)
    names = list(chart.series)
    colours = {name: "#" + (chart.colours.get(name) or OKABE_ITO[rank % len(OKABE_ITO)])
               for rank, name in enumerate(names)}
    totals = [sum(values[index] or 0 for values in chart.series.values()) if chart.stacked
              else max((values[index] or 0 for values in chart.series.values()), default=0)
              for index in range(len(chart.categories))]
    scale = (width - label_width - 50) / max(max(totals, default=0), 1)
    per_row = 1 if chart.stacked else len(names)
    height = 10 + len(chart.categories) * row * per_row + 30
    parts = []
    for index, category in enumerate(chart.categories):
        top = 6 + index * row * per_row
        parts.append(_text(label_width - 6, top + row * per_row / 2 + 4, category,
                           "category", "end", 11, INK))
        left = float(label_width)
        for rank, name in enumerate(names):
            value = chart.series[name][index] or 0
            y = top + (0 if chart.stacked else rank * row)
            bar = value * scale
            parts.append(f'<rect x="{left:.1f}" y="{y + 3:.1f}" width="{bar:.1f}" '
                         f'height="{row - 6}" fill="{colours[name]}"><title>{escape(name)}: '
                         f"{written_number(value)}</title></rect>")
            if chart.stacked:
                left += bar
            else:
                parts.append(_text(left + bar + 4, y + row - 7, written_number(value)))
        if chart.stacked:
            parts.append(_text(left + 4, top + row - 7, written_number(totals[index])))
    parts += _legend([(name, colours[name], "") for name in names], height - 6)
    description = "; ".join(
        f"{category}: " + ", ".join(f"{name} {written_number(values[index] or 0)}"
                                    for name, values in chart.series.items())
        for index, category in enumerate(chart.categories))
    return _svg("bars", chart.title, description, parts, width, height, fixed=True)
