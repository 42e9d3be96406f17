"""`mne template` and `mne import`: the return template and importing a filled-in return."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from importers.returns import annotated_bytes
from indicators.i18n import _, chosen_language
from indicators.periods import parse_period
from mne.languages import language_option
from mne.uploads import receive, template


@click.command("template")
@click.option("--entity", required=True, help="Code of the reporting entity.")
@click.option("--period", required=True, help="Reporting period, e.g. 2026Q3.")
@click.option("--strategy", default=None, help="Strategy code (default: the active one).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .xlsx file to write.")
@with_appcontext
@language_option
def template_command(entity: str, period: str, strategy: str | None, output: Path) -> None:
    """Write the return template of an entity for a period."""
    _name, data = template(entity, parse_period(period), strategy, chosen_language())
    output.write_bytes(data)
    click.echo(_("template for %(entity)s %(period)s written to %(output)s", entity=entity,
                 period=period, output=output))


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--errors-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the workbook with every problem marked on its cell to this file.")
@click.option("--dry-run", is_flag=True, help="Validate only; import nothing.")
@with_appcontext
@language_option
def import_command(file: Path, errors_out: Path | None, dry_run: bool) -> None:
    """Validate and import one return: exit 0 imported, 1 rejected, 2 not a usable file."""
    data = file.read_bytes()
    result = receive(data, file.name, dry_run=dry_run)
    lines = [problem.line() for problem in result.report.sorted()]
    for line in lines + result.report.omissions():
        click.echo(line)
    click.echo(result.message, err=result.exit_code != 0)
    if errors_out and result.report.problems:
        errors_out.write_bytes(annotated_bytes(data, result.report))
        click.echo(_("workbook with the problems marked written to %(output)s",
                     output=errors_out))
    raise SystemExit(result.exit_code)
