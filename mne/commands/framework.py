"""`mne framework export|import`: a strategy's whole framework as one workbook."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from importers.framework_workbook import export_framework, import_framework
from importers.problems import annotate_workbook
from indicators.audit import record
from indicators.i18n import _
from mne.context import actor, database


@click.group("framework")
def framework_group() -> None:
    """A strategy's framework (principles, objectives, indicators, targets...) as a workbook."""


@framework_group.command("export")
@click.option("--strategy", "strategy_code", required=True, help="Strategy code.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def export_command(strategy_code: str, output: Path) -> None:
    """Write the strategy's framework to an xlsx workbook."""
    with database().transaction() as session:
        content = export_framework(session, strategy_code)
    output.write_bytes(content)
    click.echo(_("wrote %(output)s", output=output))


@framework_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every cell, write nothing.")
@click.option("--errors-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the workbook back with every problem cell marked.")
@with_appcontext
def import_command(path: Path, dry_run: bool, errors_out: Path | None) -> None:
    """Create or update a strategy's framework from a workbook: all or nothing."""
    data = path.read_bytes()
    with database().transaction() as session:
        result = import_framework(session, data, dry_run=dry_run)
        if not dry_run and not result.report.has_errors:
            record(session, actor(), "framework.import", "strategy", result.strategy,
                   after={"file": path.name, **result.counts})
    for problem in result.report.sorted():
        click.echo(problem.line(), err=True)
    if result.report.has_errors:
        if errors_out:
            errors_out.write_bytes(annotate_workbook(data, result.report.problems))
        click.echo(_("nothing imported: %(count)s errors", count=len(result.report.errors)),
                   err=True)
        raise SystemExit(1)
    counts = ", ".join(f"{count} {sheet.lower()}" for sheet, count in result.counts.items())
    done = (_("framework of %(strategy)s checked (dry run, nothing written): %(counts)s",
              strategy=result.strategy, counts=counts) if dry_run
            else _("framework of %(strategy)s imported: %(counts)s", strategy=result.strategy,
                   counts=counts))
    click.echo(done)
