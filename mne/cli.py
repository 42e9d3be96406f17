"""The `mne` console script: the application's commands (mne/commands/) behind one entry
point (also `flask --app mne ...`).

It starts at once: `mne --help` lists the commands from their source without importing them;
a command's module loads when it runs, the application (and its settings) when the command
first needs it."""

from __future__ import annotations

import gc
import sys

import click

from mne.commands import COMMANDS, SERVING_PAGES, description, load_command


class LazyCommands(click.Group):
    """The commands of COMMANDS, each imported only when it is run or asked for its help."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return load_command(name) if name in COMMANDS else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        described = click.Group(commands=[click.Command(name, help=description(name))
                                          for name in COMMANDS])
        described.format_commands(ctx, formatter)


class Application:
    """Builds the application when a command first needs it, keeping the settings it read;
    with its pages only for a command that serves them (`pages`)."""

    def __init__(self) -> None:
        self.settings = None
        self.pages = True
        self.app = None

    def __call__(self):
        from mne import create_app
        from mne.config import load_settings

        self.settings = load_settings()
        self.app = create_app(self.settings, self.pages)
        return self.app

    def close(self) -> None:
        """Close the database connections the command left open (SQLite writes back its
        journal as the last one closes), then leave the objects the command loaded to the end
        of the process: collecting their cycles one last time, as the interpreter does when it
        exits, walks every one of them for nothing (a quarter of a second after an import)."""
        if self.app is not None:
            self.app.extensions["mne.database"].engine.dispose()
        gc.freeze()

    def failure(self, problem: Exception) -> Exception | None:
        """The one sentence that explains a configuration or start-up failure, else None; in
        the configured language (as far as the configuration could be read)."""
        from sqlalchemy.exc import DBAPIError

        from mne.config import ConfigError
        from mne.startup import startup_problem

        if isinstance(problem, ConfigError):
            sentence = problem
        elif isinstance(problem, DBAPIError | OSError) and self.settings is not None:
            sentence = startup_problem(self.settings)
        else:
            return None
        self.speak_configured_language()
        return sentence

    def speak_configured_language(self) -> None:
        """Translate messages into the configured language, read from the settings or, when
        they could not be read, from the file as far as it can be."""
        from indicators.i18n import ENGLISH
        from mne.config import configured_language
        from mne.languages import install_catalogues

        language = self.settings.default_locale if self.settings else configured_language()
        install_catalogues(language or ENGLISH)


@click.group("mne", cls=LazyCommands, help="mne: indicator tracker for national strategies to "
             "prevent and counter organized crime.")
@click.version_option(package_name="mne-tracker", prog_name="mne")
@click.pass_context
def commands(context: click.Context) -> None:
    from flask.cli import ScriptInfo

    context.obj.pages = context.invoked_subcommand in SERVING_PAGES
    context.obj = ScriptInfo(create_app=context.obj)


def main() -> None:
    """Entry point of the `mne` console script. A configuration or start-up failure ends it
    with one sentence on stderr and exit code 2, never a traceback."""
    application = Application()
    try:
        commands.main(prog_name="mne", obj=application)
    except Exception as problem:
        sentence = application.failure(problem)
        if sentence is None:
            raise
        click.echo(f"mne: {sentence}", err=True)
        sys.exit(2)
    finally:
        application.close()
