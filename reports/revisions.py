"""Revisions after issue (Eurostat's "revised" flag): a return approved after its period's
report was issued revises that report. The issued versions stay as they were; the reports page
marks them, compiling the revised version is one click, and the next report lists the revisions
to earlier periods."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from indicators.diffs import Diff
from indicators.i18n import _
from indicators.model import Return
from indicators.periods import Period, period_sort_key
from indicators.return_review import Decision, ReviewDecision
from reports.compilation import DATE, Column, Section
from reports.model import CompiledReport, ReportKind


@dataclass(frozen=True)
class Revision:
    """A return approved after the first report of its period was issued."""

    return_: Return
    approved_at: dt.datetime

    @property
    def figures(self) -> list[str]:
        """The figures it changed, as `indicator breakdown: before → after`."""
        diff = Diff.from_dict(self.return_.diff)
        return [f"{row.get('indicator', '')} {row.get('breakdown', '')}".strip()
                + f": {row.get('before', '')} → {row.get('after', '')}"
                for row in diff.changed + diff.added + diff.removed]


def _approvals(session: Session, strategy_id: int):
    """(return, approved at) of every approval of the strategy's returns."""
    return session.execute(
        select(Return, ReviewDecision.at).join(ReviewDecision,
                                               ReviewDecision.return_id == Return.id)
        .where(Return.strategy_id == strategy_id, ReviewDecision.decision == Decision.APPROVED)
        .order_by(ReviewDecision.at, Return.id)).all()


def _first_issued(session: Session, strategy_id: int, kind: ReportKind) -> dict[str, dt.datetime]:
    """When the first version of each period's report of `kind` was issued."""
    return dict(session.execute(
        select(CompiledReport.period, func.min(CompiledReport.compiled_at))
        .where(CompiledReport.strategy_id == strategy_id, CompiledReport.kind == kind)
        .group_by(CompiledReport.period)).all())


def revised_since_issue(session: Session,
                        reports: list[CompiledReport]) -> dict[int, list[Revision]]:
    """For each report among `reports` that is the latest version of its period's report in
    its language, the returns of its period approved after it was issued (only those revised
    are named)."""
    latest: dict[tuple, CompiledReport] = {}
    for report in reports:
        key = (report.strategy_id, report.kind, report.period, report.language)
        if key not in latest or latest[key].version < report.version:
            latest[key] = report
    approvals = {strategy_id: _approvals(session, strategy_id)
                 for strategy_id in {report.strategy_id for report in latest.values()}}
    revised = {report.id: [Revision(item, at) for item, at in approvals[report.strategy_id]
                           if item.period == report.period and at > report.compiled_at]
               for report in latest.values()}
    return {report_id: found for report_id, found in revised.items() if found}


def revisions_to_earlier_periods(session: Session, strategy_id: int, kind: ReportKind,
                                 period: Period) -> list[Revision]:
    """Revisions of periods before `period` that came since the report of the period before it
    was first issued: those the report of `period` lists."""
    issued = _first_issued(session, strategy_id, kind)
    since = issued.get((period - 1).code, dt.datetime.min)
    return sorted((Revision(item, at) for item, at in _approvals(session, strategy_id)
                   if item.period in issued and at > issued[item.period] and at > since
                   and period_sort_key(item.period) < (period.end, period.start)),
                  key=lambda found: (period_sort_key(found.return_.period), found.approved_at))


def revisions_section(revisions: list[Revision]) -> Section:
    """The report's list of revisions to earlier periods."""
    columns = [Column("period", _("Period")), Column("entity", _("Entity")),
               Column("revision", _("Return revision")),
               Column("approved", _("Approved"), DATE), Column("figures", _("Figures changed"))]
    rows = [{"period": found.return_.period, "entity": found.return_.entity.code,
             "revision": str(found.return_.revision), "approved": found.approved_at.date(),
             "figures": "; ".join(found.figures)} for found in revisions]
    return Section("revisions", _("Revisions to earlier periods"), columns, rows,
                   note=_("Returns approved after the report of their period was issued; "
                          "that report is marked revised."), sheet=_("Revisions"))
