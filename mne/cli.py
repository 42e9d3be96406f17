"""The `mne` console script: the application's commands (mne/commands/) behind one entry
point (also `flask --app mne ...`)."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup
from sqlalchemy.exc import DBAPIError

from mne import create_app
from mne.config import ConfigError, load_settings, secret_key
from mne.startup import startup_problem


def main() -> None:
    """Entry point of the `mne` console script. A configuration or start-up failure ends it
    with one sentence on stderr and exit code 2, never a traceback."""
    loaded = None
    try:
        loaded = load_settings()
        secret_key(loaded)
        cli = FlaskGroup(create_app=create_app, add_default_commands=False,
                         add_version_option=False, help="mne: indicator tracker for national "
                         "strategies to prevent and counter organized crime.")
        cli.main(prog_name="mne")
    except ConfigError as problem:
        _fail(problem)
    except (DBAPIError, OSError):
        problem = loaded and startup_problem(loaded)
        if not problem:
            raise
        _fail(problem)


def _fail(problem: ConfigError) -> None:
    click.echo(f"mne: {problem}", err=True)
    sys.exit(2)
