"""`mne import-stats FILE --mapping NAME`: bulk import of published statistics."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from importers.statistics import StatsProblem, StatsSummary, import_statistics, load_mapping
from indicators.audit import record
from mne.context import actor, database


@click.command("import-stats")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", "mapping_name", required=True,
              help="Mapping shipped with mne (e.g. unodc) or a mapping TOML file.")
@click.option("--strategy", "strategy_code", default=None,
              help="Strategy whose indicators receive the values (default: the mapping's).")
@click.option("--create-missing", is_flag=True,
              help="Create missing strategy, entities, indicators, dimensions and categories.")
@with_appcontext
def import_stats_command(path: Path, mapping_name: str, strategy_code: str | None,
                         create_missing: bool) -> None:
    """Import long-format published statistics (e.g. UNODC data files) into indicator series.
    Nothing is written unless everything can be; a second import of the same file changes
    nothing."""
    try:
        mapping = load_mapping(mapping_name)
        with database().transaction() as session, ExitStack() as stack:
            bars = []

            def advance(done: int, total: int) -> None:
                if not bars:  # shown once the file is read and values are being written
                    bars.append(stack.enter_context(click.progressbar(
                        length=total, label=_("writing values"),
                        file=click.get_text_stream("stderr"))))
                bars[0].update(done - bars[0].pos)

            summary = import_statistics(session, path, mapping, strategy_code, create_missing,
                                        progress=advance)
            record(session, actor(), "statistics.import", "file", path.name, after={
                "mapping": mapping_name, "rows": summary.rows, **summary.outcomes(),
                "added": len(summary.changes.added), "changed": len(summary.changes.changed),
                "created": summary.created})
    except StatsProblem as problem:
        refused = problem.refused_rows
        click.echo(ngettext("nothing imported: %(num)s row refused:",
                            "nothing imported: %(num)s rows refused:", refused) if refused
                   else _("nothing imported:"), err=True)
        for line in problem.lines:
            click.echo(f"  {line}", err=True)
        if not create_missing and problem.needs_creation:
            click.echo(_("run again with --create-missing to create them"), err=True)
        raise SystemExit(1) from None
    _echo_summary(summary)


def _echo_summary(summary: StatsSummary) -> None:
    """Every row of the file accounted for: what was created, the counts by outcome, the rows
    added up and the labels merged, each with its reason."""
    for line in summary.created:
        click.echo(_("created %(thing)s", thing=line))
    outcomes, changes = summary.outcomes(), summary.changes
    click.echo(_("%(rows)s rows read: %(stored)s stored, %(added_up)s added into another row, "
                 "%(refused)s refused", rows=summary.rows, **outcomes))
    click.echo(_("%(values)s values: %(added)s added, %(changed)s changed, %(unchanged)s "
                 "unchanged", values=summary.values, added=len(changes.added),
                 changed=len(changes.changed), unchanged=len(changes.unchanged)))
    for problem in [*summary.merged_labels, *summary.added_up]:
        click.echo(f"  {problem.message}")
