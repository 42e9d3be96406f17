"""The scheduler's claims: each scheduled (strategy, kind, period, language) report is
compiled exactly once across processes. The first process to insert the claim compiles it; a
claim that failed or went stale (its process died) can be taken over; the outcome is settled
on the claim."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from indicators.i18n import in_language
from indicators.model import Strategy, utcnow
from reports.archive import ReportSettings, compile_reports, issue_report
from reports.model import SCHEDULER, ClaimState, CompiledReport, ReportClaim, ReportKind

STALE_CLAIM = dt.timedelta(hours=1)


def claim(session_factory, strategy_id: int, kind: ReportKind, period: str,
          worker: str, language: str = "") -> bool:
    """Claim the scheduled compilation of a report, in a transaction of its own. True for the
    one caller that gets it: the first to insert the claim, or one taking over a claim that
    failed or went stale (its process died)."""
    try:
        with session_factory() as session, session.begin():
            session.add(ReportClaim(strategy_id=strategy_id, kind=kind, period=period,
                                    language=language, claimed_by=worker, claimed_at=utcnow()))
        return True
    except IntegrityError:
        pass
    with session_factory() as session, session.begin():
        taken = session.execute(
            update(ReportClaim)
            .where(ReportClaim.strategy_id == strategy_id, ReportClaim.kind == kind,
                   ReportClaim.period == period, ReportClaim.language == language,
                   or_(ReportClaim.state == ClaimState.FAILED,
                       (ReportClaim.state == ClaimState.CLAIMED)
                       & (ReportClaim.claimed_at < utcnow() - STALE_CLAIM)))
            .values(state=ClaimState.CLAIMED, claimed_by=worker, claimed_at=utcnow(), error="")
        )
        return taken.rowcount == 1


def settle_claim(session: Session, strategy_id: int, kind: ReportKind, period: str,
                 report: CompiledReport | None = None, error: str = "",
                 language: str = "") -> None:
    """Mark a claim done (with its report) or failed (with the error), so that the next
    trigger retries it."""
    session.execute(
        update(ReportClaim)
        .where(ReportClaim.strategy_id == strategy_id, ReportClaim.kind == kind,
               ReportClaim.period == period, ReportClaim.language == language)
        .values(state=ClaimState.DONE if report else ClaimState.FAILED,
                report_id=report.id if report else None, error=error[:4000])
    )


def failed_claims(session: Session) -> list[ReportClaim]:
    """Scheduled compilations that failed and wait for the next trigger."""
    return list(session.scalars(select(ReportClaim).where(
        ReportClaim.state == ClaimState.FAILED).order_by(ReportClaim.period)))


def compile_scheduled(session_factory, strategy: Strategy, kinds: list[ReportKind],
                      period: str, settings: ReportSettings, as_of: dt.date,
                      worker: str, language: str = "") -> list[CompiledReport]:
    """Compile and keep reports for the scheduler in `language` ('': the default one), each
    exactly once across processes: those another process claimed are left to it. A failure is
    recorded on the claims and raised."""
    claimed = [kind for kind in kinds if claim(session_factory, strategy.id, kind, period,
                                               worker, language)]
    if not claimed:
        return []
    try:
        with in_language(language or None), session_factory() as session, session.begin():
            compilations = compile_reports(session, claimed, strategy.code, period, settings,
                                           as_of)
            reports = [issue_report(session, compilation, settings.storage_folder, SCHEDULER)
                       for compilation in compilations.values()]
            for report in reports:
                settle_claim(session, strategy.id, report.kind, period, report,
                             language=language)
            return reports
    except Exception as problem:
        with session_factory() as session, session.begin():
            for kind in claimed:
                settle_claim(session, strategy.id, kind, period, error=f"{problem!r}",
                             language=language)
        raise

