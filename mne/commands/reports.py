"""`mne report`: compile a report now and keep it as a new version."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from indicators.i18n import _
from mne.context import database, settings
from mne.languages import language_option
from reports.model import ReportFormat


def format_of(output: Path) -> str:
    """The report format an output file's extension names (xlsx when it names none)."""
    extension = output.suffix.lower().lstrip(".")
    return extension if extension in set(ReportFormat) else ReportFormat.XLSX.value


@click.command("report")
@click.argument("kind", type=click.Choice(["progress", "gaps"]))
@click.option("--strategy", "strategy_code", default=None,
              help="Strategy code (default: the first active strategy).")
@click.option("--period", default=None, help="e.g. 2026Q3 (default: the period just ended).")
@click.option("--format", "format_", type=click.Choice([format.value for format in ReportFormat]),
              default=None, help="Default: the output file's extension, else xlsx.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--preliminary", is_flag=True,
              help="Include submitted figures not yet approved (marked preliminary on every "
                   "page; never shown to viewers).")
@with_appcontext
@language_option
def report_command(kind: str, strategy_code: str | None, period: str | None,
                   format_: str | None, output: Path, preliminary: bool) -> None:
    """Compile a report now (of approved figures; reusing the latest version when no figure
    changed) and write it to a file, in the format `--format` names or the file's extension
    says."""
    import datetime as dt
    import hashlib

    from indicators.framework import default_strategy
    from indicators.periods import parse_period
    from mne.context import actor
    from mne.scheduling import report_settings
    from reports.archive import compile_and_issue, report_bytes

    format_ = format_ or format_of(output)
    config = report_settings(settings())
    with database().transaction() as session:
        strategy_code = strategy_code or default_strategy(session)
        if strategy_code is None:
            raise click.ClickException(_("no strategy yet: load one first (mne demo)"))
        period = parse_period(period).code if period else (
            config.calendar.period_just_ended(dt.date.today()).code)
        report = compile_and_issue(session, kind, strategy_code, period, config, actor(),
                                   preliminary=preliminary)
        data = report_bytes(report, format_, config.storage_folder)
        output.write_bytes(data)
        click.echo(_("%(kind)s report %(strategy)s %(period)s version %(version)s (%(format)s, "
                     "sha256 %(digest)s) written to %(output)s", kind=kind,
                     strategy=strategy_code, period=period, version=report.version,
                     format=format_, digest=hashlib.sha256(data).hexdigest(), output=output))
