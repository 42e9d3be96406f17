"""The `mne` console script: the application's commands (mne/commands/) behind one entry
point (also `flask --app mne ...`)."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from mne import create_app
from mne.config import ConfigError, load_settings, secret_key


def main() -> None:
    """Entry point of the `mne` console script."""
    try:
        secret_key(load_settings())
    except ConfigError as problem:
        click.echo(f"mne: {problem}", err=True)
        sys.exit(2)
    cli = FlaskGroup(create_app=create_app, add_default_commands=False,
                     add_version_option=False, help="mne: indicator tracker for national "
                     "strategies to prevent and counter organized crime.")
    cli.main(prog_name="mne")
