"""`mne export`: data values out as tidy CSV, SDMX-CSV or xlsx."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from indicators.i18n import _
from indicators.periods import PeriodError
from mne.context import database
from reports.exports import EXPORT_FORMATS, ValueFilter, export_values


@click.command("export")
@click.option("--format", "format_", type=click.Choice(list(EXPORT_FORMATS)), default="csv",
              show_default=True, help="csv (tidy), sdmx.csv (SDMX 2.1 CSV) or xlsx.")
@click.option("--strategy", default="", help="Strategy code.")
@click.option("--indicator", default="", help="Indicator code.")
@click.option("--entity", default="", help="Entity code.")
@click.option("--from", "period_from", default="", help="First period, e.g. 2025Q1.")
@click.option("--to", "period_to", default="", help="Last period, e.g. 2026Q2.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def export_command(format_: str, output: Path, period_from: str, period_to: str,
                   **codes: str) -> None:
    """Export data values, filtered by strategy, indicator, entity and period range."""
    try:
        with database().transaction() as session:
            content = export_values(
                session, ValueFilter.of({**codes, "from": period_from, "to": period_to}), format_)
    except PeriodError as problem:
        raise click.BadParameter(str(problem)) from None
    output.write_bytes(content)
    click.echo(_("wrote %(output)s (%(size)s bytes)", output=output, size=len(content)))
