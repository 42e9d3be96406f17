"""`mne report`: compile a report now and keep it as a new version."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from mne.context import database, settings
from mne.languages import language_option


@click.command("report")
@click.argument("kind", type=click.Choice(["progress", "gaps"]))
@click.option("--strategy", "strategy_code", default=None,
              help="Strategy code (default: the first active strategy).")
@click.option("--period", default=None, help="e.g. 2026Q3 (default: the period just ended).")
@click.option("--format", "format_", type=click.Choice(["xlsx", "html", "json"]),
              default="xlsx", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--preliminary", is_flag=True,
              help="Include submitted figures not yet approved (marked preliminary on every "
                   "page; never shown to viewers).")
@with_appcontext
@language_option
def report_command(kind: str, strategy_code: str | None, period: str | None, format_: str,
                   output: Path, preliminary: bool) -> None:
    """Compile a report now (of approved figures), keep it as a new version and write it to a
    file."""
    import datetime as dt

    from indicators.framework import default_strategy
    from indicators.periods import parse_period
    from mne.context import actor
    from mne.scheduling import report_settings
    from reports.archive import compile_and_issue, report_bytes

    config = report_settings(settings())
    with database().transaction() as session:
        strategy_code = strategy_code or default_strategy(session)
        if strategy_code is None:
            raise click.ClickException("no strategy yet: load one first (mne demo)")
        period = parse_period(period).code if period else (
            config.calendar.period_just_ended(dt.date.today()).code)
        report = compile_and_issue(session, kind, strategy_code, period, config, actor(),
                                   preliminary=preliminary)
        output.write_bytes(report_bytes(report, format_, config.storage_folder))
        kept = report.file(format_)
        click.echo(f"{kind} report {strategy_code} {period} version {report.version} "
                   f"({format_}, sha256 {kept.sha256}) written to {output}")
