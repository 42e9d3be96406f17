"""Pages of the reports: issued versions with their downloads and a "compile now" form, the
scheduler's run history and the notifications sent to coordinators."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from indicators.errors import MneError
from indicators.model import Strategy, utcnow
from indicators.periods import parse_period
from mne.accounts.guard import permissions, requires
from mne.accounts.permissions import Action
from mne.context import actor, database, session, settings
from mne.scheduling import job_context, report_settings
from reports.archive import MEDIA_TYPES, compile_and_issue, list_reports, report_bytes
from reports.job_names import REMINDERS_JOB
from reports.jobs import recent_runs, run_recorded
from reports.model import CompiledReport, Notification, ReportFormat, ReportKind, RunOutcome
from reports.narratives import INDICATORS, PRINCIPLES, annotate, kept_compilation, narratives_of
from reports.revisions import revised_since_issue
from reports.scheduler import next_run_times

blueprint = Blueprint("reports", __name__)


@blueprint.get("/reports")
@requires(Action.READ_REPORTS)
def reports_page():
    """Every issued report version, with downloads, those revised since issue, and the form to
    compile one now."""
    strategies = session().scalars(select(Strategy).order_by(Strategy.code)).all()
    just_ended = report_settings(settings()).calendar.period_just_ended(dt.date.today())
    reports = list_reports(session(), preliminary=may_read_preliminary())
    return render_template("reports.html", reports=reports,
                           revised=revised_since_issue(session(), reports),
                           strategies=strategies, kinds=list(ReportKind),
                           default_period=just_ended.code,
                           may_annotate=permissions().allows(Action.COMPILE_REPORTS))


@blueprint.post("/reports/compile")
@requires(Action.COMPILE_REPORTS)
def compile_now():
    """Compile a report now and keep it as a new version."""
    kind, code = request.form.get("kind", ""), request.form.get("strategy", "")
    try:
        period = parse_period(request.form.get("period", "")).code
        report = compile_and_issue(session(), ReportKind(kind), code, period,
                                   report_settings(settings()), actor(),
                                   preliminary=request.form.get("preliminary") == "1")
        session().commit()
    except (MneError, ValueError) as problem:
        session().rollback()
        flash(_("Nothing compiled: %(problem)s", problem=problem), "error")
        return redirect(url_for("reports.reports_page"))
    flash(_("Compiled %(kind)s report %(period)s, version %(version)s.",
            kind=ReportKind(kind).label, period=period, version=report.version), "info")
    return redirect(url_for("reports.reports_page"))


@blueprint.route("/reports/<int:report_id>/narrative", methods=["GET", "POST"])
@requires(Action.COMPILE_REPORTS)
def narrative_page(report_id: int):
    """The narratives of a progress report, per principle and indicator, prefilled with the
    current ones; saving issues a new version with the same figures."""
    report = session().get(CompiledReport, report_id)
    if report is None or report.kind is not ReportKind.PROGRESS:
        abort(404)
    storage = settings().storage_folder
    if request.method == "POST":
        issued = annotate(session(), report, {
            about: {key.split(":", 1)[1]: text for key, text in request.form.items()
                    if key.startswith(f"{about}:")}
            for about in (PRINCIPLES, INDICATORS)}, storage, actor())
        session().commit()
        flash(_("Narrative kept: %(kind)s report %(period)s, version %(version)s.",
                kind=_("progress"), period=issued.period, version=issued.version), "info")
        return redirect(url_for("reports.reports_page"))
    compilation = kept_compilation(report, storage)
    names = {row["code"]: row["name"] for row in compilation.section("indicators").rows}
    return render_template("report_narrative.html", report=report, names=names,
                           narratives=narratives_of(compilation))


@blueprint.get("/reports/<int:report_id>.<format>")
@requires(Action.READ_REPORTS)
def download(report_id: int, format: str):
    """One issued report in one format, byte for byte as kept."""
    report = readable_report(report_id)
    if report is None or format not in set(ReportFormat):
        abort(404)
    return file_response(report, ReportFormat(format))


def may_read_preliminary() -> bool:
    """Whether the signed-in user may see preliminary reports (those who compile reports;
    never a viewer)."""
    return permissions().allows(Action.COMPILE_REPORTS)


def readable_report(report_id: int) -> CompiledReport | None:
    """The report version, unless it does not exist or is preliminary and the user may not
    see it (as if it did not exist)."""
    report = session().get(CompiledReport, report_id)
    if report is None or (report.preliminary and not may_read_preliminary()):
        return None
    return report


def file_response(report: CompiledReport, format: ReportFormat) -> Response:
    """The kept file of a report as a download named after its strategy, kind, period and
    version."""
    data = report_bytes(report, format, settings().storage_folder)
    name = f"{report.kind}-{report.strategy.code}-{report.period}-v{report.version}.{format}"
    return Response(data, mimetype=MEDIA_TYPES[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blueprint.get("/scheduler")
@requires(Action.COMPILE_REPORTS)
def scheduler_page():
    """The scheduled jobs, when the next reports are compiled and why, and the history of the
    runs."""
    return render_template("scheduler.html", jobs=settings().jobs,
                           next_report=settings().calendar.explained(dt.date.today()),
                           next_runs=next_run_times(session()),
                           enabled=settings().scheduler_enabled,
                           run_at=settings().run_at.isoformat("minutes"),
                           timezone=settings().scheduler_timezone, runs=recent_runs(session()))


@blueprint.get("/notifications")
@requires(Action.READ_RETURNS)
def notifications_page():
    """Reminders to coordinators, newest first: a coordinator sees those of their entities."""
    statement = select(Notification).order_by(Notification.created_at.desc(),
                                              Notification.id.desc()).limit(500)
    rows = session().scalars(permissions().scope(statement, Notification.entity_id,
                                                 Action.READ_RETURNS)).all()
    return render_template("notifications.html", notifications=rows,
                           smtp=settings().smtp is not None,
                           can_send=permissions().allows(Action.SEND_REMINDERS))


@blueprint.post("/notifications/send")
@requires(Action.SEND_REMINDERS)
def send_now():
    """Run the reminders now, as the scheduler would today."""
    run = run_recorded(job_context(settings(), database()), REMINDERS_JOB, utcnow())
    if run.outcome is RunOutcome.FAILED:
        flash(_("The reminders failed: %(error)s", error=run.error), "error")
    else:
        flash(_("%(count)s reminders sent.", count=len(run.outputs)), "info")
    return redirect(url_for("reports.notifications_page"))
