"""`mne init` and `mne demo`: the database and the demonstration strategy."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from mne.context import database, settings


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database."""
    from indicators.framework import ensure_default_scale, ensure_dimensions
    from mne.database import upgrade
    from mne.startup import check_ready

    check_ready(settings(), database().engine, initialised=False)
    revision = upgrade(database().engine)
    with database().transaction() as session:
        ensure_dimensions(session, settings().dimensions)
        ensure_default_scale(session)
    click.echo(f"database ready at revision {revision}: {database().engine.url!r}")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demonstration strategy where it is absent; existing data is never rewritten."""
    from importers.demo import load_demo
    from mne.accounts.service import DEMO_USERS, ensure_demo_users
    from mne.context import actor

    summary = load_demo(database().sessions, settings().storage_folder, settings().dimensions)
    with database().transaction() as session:
        ensure_demo_users(session, actor())
    if summary.wrote_anything:
        click.echo(
            f"demonstration strategy {summary.strategy} loaded: "
            f"{'framework and ' if summary.framework_written else ''}"
            f"{summary.returns_received} returns received through the upload pipeline "
            f"({summary.returns_approved} approved), {summary.values_written} values"
        )
    else:
        click.echo(f"demonstration strategy {summary.strategy} already loaded: nothing written "
                   "(the demonstration never rewrites existing data)")
    for refused in summary.refused:
        click.echo(f"demonstration return not imported: {refused}", err=True)
    for email, _name, password, role, entity in DEMO_USERS:
        click.echo(f"demo user {email} / {password}: {role.value}"
                   + (f" of {entity}" if entity else ""))
