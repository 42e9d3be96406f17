"""The progress report: statuses counted by principle and by objective, each indicator's
figures (the evaluators' arithmetic, the very numbers the API gives), and its trend."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from indicators.caveats import Caveats, strategy_caveats
from indicators.data_quality import completeness_by, expected_returns
from indicators.disaggregation import TOTAL
from indicators.evaluation import (
    IndicatorProgress,
    Scope,
    aggregated_series,
    indicators_of,
    progress_rows,
    sex_coverage_of,
    status_changes,
)
from indicators.framework_texts import text_of
from indicators.i18n import _
from indicators.model import Indicator, Strategy
from indicators.obligations import Calendar
from indicators.periods import Period, parse_period, period_sort_key
from indicators.progress import Thresholds
from indicators.vocabulary import Status
from reports.certainty import uncertain_statuses
from reports.compilation import (
    NUMBER,
    PERCENT,
    STATUS,
    TEXT,
    Chart,
    Column,
    Compilation,
    Section,
)
from reports.model import ReportKind
from reports.revisions import revisions_section, revisions_to_earlier_periods
from reports.sources import returns_used


@dataclass(frozen=True)
class ProgressTable:
    """A strategy's indicators, their series and their progress rows at a period: read once,
    shared by the progress and the gap report."""

    indicators: list[Indicator]
    series: pd.DataFrame
    rows: list[IndicatorProgress]
    approved_only: bool = True


def progress_table(session: Session, strategy: Strategy, period_code: str,
                   thresholds: Thresholds, approved_only: bool = True) -> ProgressTable:
    """The progress table of a strategy at the end of a period (the numbers
    `strategy_progress` and the API give): of approved figures only, as viewers read them,
    unless `approved_only` is false (a preliminary report, with the submitted figures)."""
    indicators = indicators_of(session, strategy)
    scope = Scope(until=parse_period(period_code).end, approved_only=approved_only)
    series = aggregated_series(session, indicators, scope, sex_only=True)
    return ProgressTable(indicators, series, progress_rows(session, indicators, scope,
                                                           thresholds, series), approved_only)


def compile_progress_report(session: Session, strategy: Strategy, period_code: str,
                            table: ProgressTable, as_of: dt.date,
                            previous: ProgressTable | None = None,
                            calendar: Calendar | None = None) -> Compilation:
    """The progress report of a strategy at the end of a period: the briefing's sections (the
    statuses' movements since `previous`, the most off track, the sex picture, the returns'
    completeness by `calendar`), then the full tables."""
    period = parse_period(period_code)
    indicators, series, rows = table.indicators, table.series, table.rows
    titles = {objective.code: text_of(objective, "title") for principle in strategy.principles
              for objective in principle.objectives}
    caveats = strategy_caveats(session, indicators, series)
    return Compilation(
        kind=ReportKind.PROGRESS,
        strategy_code=strategy.code,
        strategy_title=text_of(strategy, "title"),
        period=period.code,
        as_of=as_of,
        sections=[
            _by_group(rows, "principle", _("By principle"), _("Principle"),
                      lambda row: row.principle_name),
            _movements(previous.rows if previous else [], rows),
            _most_off_track(rows),
            uncertain_statuses(session, indicators, rows,
                               Scope(until=period.end, approved_only=table.approved_only)),
            _sex_picture(rows),
            _completeness(session, strategy, period, calendar),
            _by_group(rows, "objective", _("By objective"), _("Objective"),
                      lambda row: f"{row.objective} {titles.get(row.objective, '')}".strip()),
            _indicators(rows),
            _trends(rows, series, {indicator.code: indicator.id for indicator in indicators},
                    caveats),
            _caveats(indicators, caveats),
            revisions_section(revisions_to_earlier_periods(session, strategy.id,
                                                           ReportKind.PROGRESS, period)),
        ],
        returns_used=returns_used(session, [indicator.id for indicator in indicators],
                                  until=period.end, approved_only=table.approved_only),
        preliminary=not table.approved_only,
    )


def _status_columns() -> list[Column]:
    return [Column(status.value, status.label, NUMBER) for status in Status]


def _by_group(rows: list[IndicatorProgress], key: str, title: str, label: str,
              name_of) -> Section:
    counted: dict[str, Counter] = {}
    for row in rows:
        counted.setdefault(name_of(row), Counter())[row.status.value] += 1
    table = [{key: name, **{status.value: counts[status.value] for status in Status},
              "total": sum(counts.values())} for name, counts in counted.items()]
    columns = [Column(key, label), *_status_columns(), Column("total", _("Indicators"), NUMBER)]
    chart = Chart("bar", title, [entry[key] for entry in table],
                  {column.label: [float(entry[column.key]) for entry in table]
                   for column in _status_columns()},
                  stacked=True,
                  colours={status.label: status.colour for status in Status})
    return Section(key, title, columns, table, charts=[chart])


INDICATOR_COLUMNS = (
    ("code", "Code", TEXT), ("name", "Indicator", TEXT), ("principle_name", "Principle", TEXT),
    ("objective", "Objective", TEXT), ("unit", "Unit", TEXT),
    ("baseline_value", "Baseline", NUMBER), ("baseline_period", "Baseline period", TEXT),
    ("target_value", "Target", NUMBER), ("target_period", "Target period", TEXT),
    ("latest_value", "Latest value", NUMBER), ("latest_period", "Latest period", TEXT),
    ("progress", "Progress", PERCENT), ("expected_progress", "Expected progress", PERCENT),
    ("status", "Status", STATUS), ("slope", "Trend per year", NUMBER),
    ("projected_value", "Projected at target period", NUMBER),
    ("observed_required_ratio", "Observed / required rate", NUMBER),
    ("female_share", "Female share", PERCENT), ("male_share", "Male share", PERCENT),
    ("sex_coverage", "Sex coverage", PERCENT), ("level", "Level", NUMBER),
    ("level_label", "Level label", TEXT), ("narrative", "Narrative", TEXT),
    ("entities_reporting", "Entities reporting", NUMBER),
    ("across_break", "Comparability", TEXT),
)


def _indicator_columns() -> list[Column]:
    headings = {
        "Code": _("Code"), "Indicator": _("Indicator"), "Principle": _("Principle"),
        "Objective": _("Objective"), "Unit": _("Unit"), "Baseline": _("Baseline"),
        "Baseline period": _("Baseline period"), "Target": _("Target"),
        "Target period": _("Target period"), "Latest value": _("Latest value"),
        "Latest period": _("Latest period"), "Progress": _("Progress"),
        "Expected progress": _("Expected progress"), "Status": _("Status"),
        "Trend per year": _("Trend per year"),
        "Projected at target period": _("Projected at target period"),
        "Observed / required rate": _("Observed / required rate"),
        "Female share": _("Female share"), "Male share": _("Male share"),
        "Sex coverage": _("Sex coverage"), "Level": _("Level"), "Level label": _("Level label"),
        "Narrative": _("Narrative"), "Entities reporting": _("Entities reporting"),
        "Comparability": _("Comparability"),
    }
    return [Column(key, headings[heading], kind) for key, heading, kind in INDICATOR_COLUMNS]


def indicator_row(row: IndicatorProgress) -> dict:
    """An indicator's figures as the report shows them: the API's, with the sex shares
    brought up from the breakdown."""
    data = row.as_dict()
    sex = data.pop("sex") or {}
    data["female_share"], data["male_share"] = sex.get("female_share"), sex.get("male_share")
    data["across_break"] = _("across a series break") if row.across_break else ""
    return {key: data.get(key) for key, _heading, _kind in INDICATOR_COLUMNS}


def _indicators(rows: list[IndicatorProgress]) -> Section:
    return Section("indicators", _("Indicators"), _indicator_columns(),
                   [indicator_row(row) for row in rows],
                   note=_("Progress is the share of the way from baseline to target; expected "
                          "progress the share expected by the latest period."))


def _drawn_caveats(caveats: Caveats | None) -> dict:
    """What a report's chart draws of an indicator's caveats, as plain data: the crises (first,
    last period, name), the break periods and the estimate's values by period."""
    if caveats is None:
        return {}
    return {"crises": [[found.crisis.first.code, found.crisis.last.code if found.crisis.last
                        else None, found.crisis.name] for found in caveats.crises],
            "breaks": [found.period.code for found in caveats.breaks],
            "estimate": {period.code: value for period, value in caveats.pair.estimate_points}
            if caveats.pair else {},
            "estimate_words": caveats.pair.source.label if caveats.pair else ""}


def _trends(rows: list[IndicatorProgress], series: pd.DataFrame, ids: dict[str, int],
            caveats: dict[int, Caveats]) -> Section:
    totals = series[series["disaggregation"] == TOTAL]
    by_id = dict(tuple(totals.groupby("indicator_id"))) if not totals.empty else {}
    periods = sorted(set(totals["period"]), key=period_sort_key)
    table, charts = [], []
    for row in rows:
        code, points = row.code, by_id.get(ids[row.code])
        if points is None:
            continue
        values = dict(zip(points["period"], points["value"].astype(float), strict=True))
        reporting = dict(zip(points["period"], points["entities"].astype(int), strict=True))
        table.append({"code": code, **{period: values.get(period) for period in periods},
                      "entities": {period: int(count) for period, count in reporting.items()},
                      "caveats": _drawn_caveats(caveats.get(ids[row.code]))})
        charts.append(Chart("line", f"{code} {row.name}"[:80], periods,
                            {code: [values.get(period) for period in periods]},
                            colours={code: row.status.colour},
                            source_row=len(table) - 1))
    columns = [Column("code", _("Indicator")), *(Column(period, period, NUMBER)
                                                 for period in periods)]
    return Section("trends", _("Trends"), columns, table, charts=charts,
                   note=_("The strategy's value of each indicator per period."))


def _caveats(indicators: list[Indicator], found: dict[int, Caveats]) -> Section:
    """Each indicator's crises compared before, during and after, its series breaks and its
    paired estimate, in sentences."""
    rows = [{"code": indicator.code, "name": indicator.name, "caveat": sentence}
            for indicator in indicators if indicator.id in found
            for sentence in found[indicator.id].in_words()]
    return Section(
        "caveats", _("How far the figures compare"),
        [Column("code", _("Code")), Column("name", _("Indicator")),
         Column("caveat", _("What to bear in mind"))], rows,
        note=_("Crises compared before, during and after against the pre-crisis trend; series "
               "breaks; estimates of the same phenomenon from other sources."),
        sheet=_("Caveats"))


MOST_OFF_TRACK = 5


def _movements(before: list[IndicatorProgress], after: list[IndicatorProgress]) -> Section:
    """The indicators whose status changed since the previous period."""
    changes = status_changes(before, after)
    return Section(
        "movements", _("Movements since the previous period"),
        [Column("code", _("Code")), Column("name", _("Indicator")),
         Column("principle_name", _("Principle")), Column("before", _("Was"), STATUS),
         Column("after", _("Now"), STATUS), Column("movement", _("Movement"))],
        [{"code": change.code, "name": change.name,
          "principle_name": next(row.principle_name for row in after if row.code == change.code),
          "before": change.before, "after": change.after,
          "movement": {1: _("better"), -1: _("worse"), 0: _("changed")}[change.movement],
          "direction": change.movement}
         for change in changes],
        sheet=_("Movements"))


def expected_value(row: IndicatorProgress) -> float | None:
    """The value the indicator should have reached by its latest period on the straight path
    from baseline to target."""
    if None in (row.expected_progress, row.baseline_value, row.target_value):
        return None
    if row.direction.keeps_level:
        return row.target_value
    return row.baseline_value + row.expected_progress * (row.target_value - row.baseline_value)


def _most_off_track(rows: list[IndicatorProgress]) -> Section:
    """The indicators furthest behind the progress expected of them, off track first."""
    behind = sorted((row for row in rows if row.status is Status.OFF_TRACK
                     and row.progress is not None and row.expected_progress is not None),
                    key=lambda row: row.progress - row.expected_progress)[:MOST_OFF_TRACK]
    return Section(
        "off_track", _("Most off track"),
        [Column("code", _("Code")), Column("name", _("Indicator")), Column("unit", _("Unit")),
         Column("latest_value", _("Latest value"), NUMBER),
         Column("expected_value", _("Expected value"), NUMBER),
         Column("progress", _("Progress"), PERCENT),
         Column("expected_progress", _("Expected progress"), PERCENT),
         Column("behind", _("Behind expected"), PERCENT)],
        [{"code": row.code, "name": row.name, "unit": row.unit,
          "latest_value": row.latest_value, "expected_value": expected_value(row),
          "progress": row.progress, "expected_progress": row.expected_progress,
          "behind": row.expected_progress - row.progress} for row in behind],
        note=_("Behind expected: the progress expected by the latest period less the progress "
               "made, in points of the way from baseline to target."),
        sheet=_("Off track"))


def _sex_picture(rows: list[IndicatorProgress]) -> Section:
    """Female share and sex coverage of each indicator reported by sex."""
    sexed = [row for row in rows if row.sex_coverage is not None]
    return Section(
        "sex", _("Women and men"),
        [Column("code", _("Code")), Column("name", _("Indicator")),
         Column("female_share", _("Female share"), PERCENT),
         Column("sex_coverage", _("Sex coverage"), PERCENT)],
        [{"code": row.code, "name": row.name,
          "female_share": row.sex.female_share if row.sex else None,
          "sex_coverage": row.sex_coverage} for row in sexed],
        note=_("%(share)s of the latest values of indicators reported by sex come with their "
               "sex breakdown.", share=_percent(sex_coverage_of(rows))),
        sheet=_("Sex"))


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f} %"


def _completeness(session: Session, strategy: Strategy, period: Period,
                  calendar: Calendar | None) -> Section:
    """Returns expected, received and received on time for the report's period."""
    found = []
    if calendar is not None:
        found = [row for row in completeness_by(
            expected_returns(session, strategy.code, calendar, period), "period")
            if row["period"] == period.code]
    return Section(
        "completeness", _("Returns received"),
        [Column("period", _("Period")), Column("expected", _("Returns expected"), NUMBER),
         Column("received", _("Received"), NUMBER), Column("on_time", _("On time"), NUMBER),
         Column("completeness", _("Completeness"), PERCENT),
         Column("timeliness", _("Timeliness"), PERCENT)],
        [{key: row[key] for key in ("period", "expected", "received", "on_time",
                                     "completeness", "timeliness")} for row in found],
        sheet=_("Returns"))
