"""`mne standards list|add`: the international standards catalogue on the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from indicators.i18n import _
from indicators.standards import add_standard, standards
from mne.context import database


@click.group("standards")
def standards_group() -> None:
    """International standard indicators (SDG 16) that can be added to a strategy."""


@standards_group.command("list")
def list_command() -> None:
    """List the catalogue: code, unit, breakdowns, custodian, name."""
    for standard in standards():
        breakdown = ", ".join(standard.dimensions) or "-"
        click.echo(f"{standard.code:<12} {standard.unit.value:<14} {breakdown:<24} "
                   f"{standard.custodian:<24} {standard.name}")


@standards_group.command("add")
@click.option("--strategy", "strategy_code", required=True, help="Strategy code.")
@click.option("--objective", "objective_code", required=True, help="Objective code.")
@click.option("--code", "indicator_code", default=None, help="Indicator code (default SDG16.x.y).")
@click.argument("standard_code")
@with_appcontext
def add_command(strategy_code: str, objective_code: str, indicator_code: str | None,
                standard_code: str) -> None:
    """Add the standard STANDARD_CODE (e.g. 16.2.2) to a strategy as a new indicator."""
    with database().transaction() as session:
        indicator = add_standard(session, strategy_code, objective_code, standard_code,
                                 indicator_code)
        click.echo(_("added %(indicator)s (%(standard)s) to %(strategy)s, objective "
                     "%(objective)s", indicator=indicator.code, standard=indicator.standard,
                     strategy=strategy_code, objective=objective_code))
