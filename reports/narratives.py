"""The words of a progress report: the default narrative of each principle and indicator (from
the computed statuses and movements and the indicators' latest qualitative narratives), and a
new version of an issued report carrying an evaluator's narratives beside the very same figures."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session

from indicators.i18n import _, in_language
from indicators.vocabulary import Status
from reports.compilation import Compilation, from_json
from reports.model import CompiledReport, ReportFormat, ReportKind

PRINCIPLES, INDICATORS = "principles", "indicators"


def principle_default(compilation: Compilation, principle: str) -> str:
    """A principle's indicators by status and how many moved towards or away from target."""
    entry = next((row for row in compilation.section("principle").rows
                  if row["principle"] == principle), {})
    standing = ", ".join(f"{entry[status.value]} {status.label}" for status in Status
                         if entry.get(status.value))
    moved = [row["direction"] for row in compilation.section("movements").rows
             if row["principle_name"] == principle]
    text = _("%(count)s indicators: %(standing)s.", count=entry.get("total", 0),
             standing=standing)
    if moved:
        text += " " + _("Since the previous period %(better)s moved towards their target and "
                        "%(worse)s away from it.", better=moved.count(1), worse=moved.count(-1))
    return text


def indicator_default(compilation: Compilation, code: str) -> str:
    """An indicator's latest qualitative narrative, else its change of status, else nothing."""
    row = next(row for row in compilation.section("indicators").rows if row["code"] == code)
    if row.get("narrative"):
        return row["narrative"]
    moved = next((move for move in compilation.section("movements").rows
                  if move["code"] == code), None)
    if moved is None:
        return ""
    return _("Status moved from %(before)s to %(after)s since the previous period.",
             before=moved["before"].label, after=moved["after"].label)


def narratives_of(compilation: Compilation) -> dict[str, dict[str, str]]:
    """Each principle's and indicator's narrative: the evaluator's, else the default."""
    rows = compilation.section("indicators").rows
    principles = list(dict.fromkeys(row["principle_name"] for row in rows))
    return {
        PRINCIPLES: {name: compilation.narrative(PRINCIPLES, name)
                     or principle_default(compilation, name) for name in principles},
        INDICATORS: {row["code"]: compilation.narrative(INDICATORS, row["code"])
                     or indicator_default(compilation, row["code"]) for row in rows},
    }


def kept_compilation(report: CompiledReport, storage_folder: Path) -> Compilation:
    """The compilation an issued progress report was rendered from, read from its json."""
    from reports.archive import report_bytes

    if report.kind is not ReportKind.PROGRESS:
        raise ValueError("only a progress report carries narratives")
    return from_json(json.loads(report_bytes(report, ReportFormat.JSON, storage_folder)))


def annotate(session: Session, report: CompiledReport, narratives: dict[str, dict[str, str]],
             storage_folder: Path, annotated_by: str) -> CompiledReport:
    """A new version of `report` with the evaluator's `narratives` (texts left blank or equal
    to the default are not kept), its figures, returns used and language unchanged."""
    from reports.archive import issue_report

    compilation = kept_compilation(report, storage_folder)
    defaults = narratives_of(replace(compilation, narratives={}))
    kept = {about: {key: text.strip() for key, text in texts.items()
                    if text.strip() and text.strip() != defaults[about].get(key, "").strip()}
            for about, texts in narratives.items() if about in defaults}
    with in_language(report.language or None):  # the new version in the report's language
        return issue_report(session, replace(compilation, narratives=kept), storage_folder,
                            annotated_by)
