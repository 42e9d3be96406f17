"""The `mne` command line (also `flask --app mne ...`)."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from mne.config import ConfigError, load_settings
from mne.context import database, settings


def register(app: Flask) -> None:
    """Add mne's commands to the application's command line."""
    from mne.accounts.cli import user_command
    from mne.commands import exports, framework, standards, statistics
    from mne.returns_commands import import_command, template_command

    for command in (init_command, demo_command, serve_command, template_command, import_command,
                    standards.standards_group, statistics.import_stats_command,
                    exports.export_command, framework.framework_group, user_command):
        app.cli.add_command(command)


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database."""
    from indicators.framework import ensure_default_scale, ensure_dimensions
    from mne.database import upgrade

    revision = upgrade(database().engine)
    with database().transaction() as session:
        ensure_dimensions(session, settings().dimensions)
        ensure_default_scale(session)
    click.echo(f"database ready at revision {revision}: {database().engine.url!r}")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demonstration strategy (running it again changes nothing)."""
    from importers.demo import load_demo
    from mne.accounts.service import DEMO_USERS, ensure_demo_users
    from mne.context import actor

    with database().transaction() as session:
        summary = load_demo(session, settings().dimensions)
        ensure_demo_users(session, actor())
    click.echo(
        f"demonstration strategy {summary['strategy']}: {summary['indicators']} indicators, "
        f"{summary['entities']} entities, {summary['values']} values "
        f"({summary['values_written']} written now)"
    )
    for email, _name, password, role, entity in DEMO_USERS:
        click.echo(f"demo user {email} / {password}: {role.value}"
                   + (f" of {entity}" if entity else ""))


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (config: web.host).")
@click.option("--port", default=None, type=int, help="Port to listen on (config: web.port).")
@with_appcontext
def serve_command(host: str | None, port: int | None) -> None:
    """Run the web application."""
    from flask import current_app
    from waitress import serve

    host, port = host or settings().host, port or settings().port
    click.echo(f"mne serving on http://{host}:{port}")
    serve(current_app._get_current_object(), host=host, port=port, threads=8)


def _create_app() -> Flask:
    from mne import create_app

    return create_app()


def main() -> None:
    """Entry point of the `mne` console script."""
    from mne import secret_key

    try:
        secret_key(load_settings())
    except ConfigError as problem:
        click.echo(f"mne: {problem}", err=True)
        sys.exit(2)
    cli = FlaskGroup(create_app=_create_app, add_default_commands=False,
                     add_version_option=False, help="mne: indicator tracker for national "
                     "strategies to prevent and counter organized crime.")
    cli.main(prog_name="mne")
