"""Compiling a report and keeping it: every compilation becomes a new version, its files kept
by sha256, never overwritten (the scheduler's exactly-once claims: reports/claims.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from indicators.errors import NotFound
from indicators.evaluation import load_strategy
from indicators.i18n import reader_language
from indicators.model import Strategy, utcnow
from indicators.obligations import Calendar
from indicators.periods import parse_period
from indicators.progress import Thresholds
from indicators.storage import read_stored, store_bytes
from reports.compilation import Compilation, as_json, finite
from reports.gaps import compile_gaps
from reports.model import (
    CompiledReport,
    ReportFile,
    ReportFormat,
    ReportKind,
)
from reports.progress import compile_progress_report, progress_table
from reports.render_html import render_html
from reports.render_pdf import render_pdf
from reports.render_xlsx import render_xlsx

VERSION_ATTEMPTS = 5
RENDERERS: dict[ReportFormat, Callable[[Compilation], bytes]] = {
    ReportFormat.XLSX: render_xlsx,
    ReportFormat.HTML: render_html,
    ReportFormat.JSON: lambda compilation: json.dumps(
        finite(compilation.to_json()), ensure_ascii=False, default=as_json,
        allow_nan=False).encode("utf-8"),
}
MEDIA_TYPES = {
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.HTML: "text/html; charset=utf-8",
    ReportFormat.JSON: "application/json",
    ReportFormat.PDF: "application/pdf",
}


@dataclass(frozen=True)
class ReportSettings:
    """What compiling needs from configuration."""

    storage_folder: Path
    calendar: Calendar
    thresholds: Thresholds


def compile_reports(session: Session, kinds: list[ReportKind], strategy_code: str, period: str,
                    settings: ReportSettings, as_of: dt.date,
                    preliminary: bool = False) -> dict[ReportKind, Compilation]:
    """Compile (without keeping) reports of `kinds` for a strategy and period, resolving the
    strategy (`NotFound`) and reading its progress table once for all of them: of approved
    figures only, or, `preliminary`, with the submitted figures too."""
    strategy = load_strategy(session, strategy_code)
    table = progress_table(session, strategy, period, settings.thresholds,
                           approved_only=not preliminary)
    compilers = {
        ReportKind.PROGRESS: lambda: compile_progress_report(
            session, strategy, period, table, as_of,
            previous=progress_table(session, strategy, (parse_period(period) - 1).code,
                                    settings.thresholds),
            calendar=settings.calendar),
        ReportKind.GAPS: lambda: compile_gaps(session, strategy, period, settings.calendar,
                                              as_of, table.indicators, table.rows,
                                              table.approved_only),
    }
    return {ReportKind(kind): compilers[ReportKind(kind)]() for kind in kinds}


def compile_report(session: Session, kind: ReportKind | str, strategy_code: str,
                   period: str, settings: ReportSettings, as_of: dt.date,
                   preliminary: bool = False) -> Compilation:
    """Compile (without keeping) a report of `kind` for a strategy and period."""
    return compile_reports(session, [kind], strategy_code, period, settings, as_of,
                           preliminary)[kind]


def compile_and_issue(session: Session, kind: ReportKind | str, strategy_code: str, period: str,
                      settings: ReportSettings, compiled_by: str,
                      preliminary: bool = False) -> CompiledReport:
    """Compile a report now (as of today) and keep it as a new version (a preliminary one
    with the submitted figures too, when asked)."""
    compilation = compile_report(session, kind, strategy_code, period, settings,
                                 dt.date.today(), preliminary)
    return issue_report(session, compilation, settings.storage_folder, compiled_by)


def render(compilation: Compilation) -> dict[ReportFormat, bytes]:
    """The compilation in every format."""
    return {format: renderer(compilation) for format, renderer in RENDERERS.items()}


def issue_report(session: Session, compilation: Compilation, storage_folder: Path,
                 compiled_by: str) -> CompiledReport:
    """Keep the compilation's files and record it as the next version of its report; when its
    figures equal those of the latest version (whatever the day it was compiled), that version
    is the answer and nothing new is issued."""
    strategy_id = session.scalars(
        select(Strategy.id).where(Strategy.code == compilation.strategy_code)).one()
    rendered = render(compilation)
    language = reader_language()
    latest = _latest_version(session, strategy_id, compilation.kind, compilation.period,
                             language)
    if latest is not None and _same_figures(latest, rendered[ReportFormat.JSON], storage_folder):
        return latest
    files = [
        (format, store_bytes(storage_folder, data, f".{format.value}"))
        for format, data in rendered.items()
    ]
    for _attempt in range(VERSION_ATTEMPTS):
        report = CompiledReport(
            strategy_id=strategy_id, kind=compilation.kind, period=compilation.period,
            version=_next_version(session, strategy_id, compilation.kind, compilation.period),
            compiled_by=compiled_by, compiled_at=utcnow(),
            returns_used=compilation.returns_used, preliminary=compilation.preliminary,
            language=language, files=[ReportFile(format=format, sha256=kept.sha256, size=kept.size,
                              path=kept.relative_path) for format, kept in files],
        )
        try:
            with session.begin_nested():
                session.add(report)
            return report
        except IntegrityError:
            continue  # another process took this version number first
    raise RuntimeError(f"could not number a new version of {compilation.kind} "
                       f"{compilation.strategy_code} {compilation.period}")


def _latest_version(session: Session, strategy_id: int, kind: ReportKind, period: str,
                    language: str) -> CompiledReport | None:
    """The latest version in `language` (or kept before languages were recorded)."""
    return session.scalars(
        select(CompiledReport).where(CompiledReport.strategy_id == strategy_id,
                                     CompiledReport.kind == kind,
                                     CompiledReport.period == period,
                                     CompiledReport.language.in_((language, "")))
        .order_by(CompiledReport.version.desc()).limit(1)).one_or_none()


def _same_figures(report: CompiledReport, figures: bytes, storage_folder: Path) -> bool:
    """Whether a kept report says what this json says, the day of compiling aside: the same
    figures, and the same narratives when this one brings any (a compilation brings none, so
    it answers the latest version, narratives and all)."""
    if report.file(ReportFormat.JSON) is None:
        return False
    kept = json.loads(report_bytes(report, ReportFormat.JSON, storage_folder))
    fresh = json.loads(figures)
    narratives = fresh.get("narratives") or kept.get("narratives")
    return ({**kept, "as_of": None} == {**fresh, "as_of": None, "narratives": narratives})


def _next_version(session: Session, strategy_id: int, kind: ReportKind, period: str) -> int:
    latest = session.scalar(select(func.max(CompiledReport.version)).where(
        CompiledReport.strategy_id == strategy_id, CompiledReport.kind == kind,
        CompiledReport.period == period))
    return (latest or 0) + 1


def report_bytes(report: CompiledReport, format: ReportFormat | str,
                 storage_folder: Path) -> bytes:
    """The kept file of a report in `format`, checked against its sha256; a PDF is typeset
    from the kept html."""
    if ReportFormat(format) is ReportFormat.PDF:
        return render_pdf(report_bytes(report, ReportFormat.HTML, storage_folder))
    kept = report.file(ReportFormat(format))
    if kept is None:
        raise NotFound("report_file", f"{report.id} ({ReportFormat(format).value})")
    return read_stored(storage_folder, kept.path)


def list_reports(session: Session, strategy_code: str | None = None,
                 preliminary: bool = False) -> list[CompiledReport]:
    """Issued reports, newest period first, then kind and newest version; the preliminary
    ones too when `preliminary`."""
    statement = (select(CompiledReport).join(Strategy)
                 .options(selectinload(CompiledReport.files),
                          selectinload(CompiledReport.strategy))
                 .order_by(CompiledReport.period.desc(), CompiledReport.kind,
                           CompiledReport.version.desc()))
    if strategy_code:
        statement = statement.where(Strategy.code == strategy_code)
    if not preliminary:
        statement = statement.where(CompiledReport.preliminary.is_(False))
    return list(session.scalars(statement))
