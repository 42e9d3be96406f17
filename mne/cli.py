"""The `mne` command line (also `flask --app mne ...`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import DBAPIError

from mne.config import MAX_PORT, ConfigError, load_settings
from mne.context import database, settings
from mne.startup import check_database, check_storage, startup_problem


def register(app: Flask) -> None:
    """Add mne's commands to the application's command line."""
    from mne.accounts.cli import user_command
    from mne.commands import exports, framework, standards, statistics
    from mne.returns_commands import import_command, template_command

    for command in (init_command, demo_command, serve_command, template_command, import_command,
                    standards.standards_group, statistics.import_stats_command,
                    exports.export_command, framework.framework_group, user_command,
                    scheduler_command, report_command):
        app.cli.add_command(command)


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database."""
    from indicators.framework import ensure_default_scale, ensure_dimensions
    from mne.database import upgrade

    _check_ready(initialised=False)
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
@click.option("--port", default=None, type=click.IntRange(1, MAX_PORT),
              help="Port to listen on (config: web.port).")
@with_appcontext
def serve_command(host: str | None, port: int | None) -> None:
    """Run the web application."""
    import logging

    from flask import current_app
    from waitress import create_server

    _check_ready()
    host, port = host or settings().host, port or settings().port
    try:
        server = create_server(current_app._get_current_object(), host=host, port=port,
                               threads=8)
    except OSError as problem:
        raise ConfigError(f"{settings().path}: cannot listen on {host}:{port} "
                          f"({problem.strerror}); stop what uses it or choose another "
                          f"web.port (or --port)") from None
    logging.basicConfig()  # waitress's warnings reach the console, as with waitress.serve
    scheduler = _start_scheduler() if settings().scheduler_enabled else None
    click.echo(f"mne serving on http://{host}:{port}")
    try:
        server.run()
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


def _check_ready(initialised: bool = True) -> None:
    """Refuse to start, in one sentence, unless the database answers (and is `initialised`)
    and the storage folder takes files."""
    check_database(settings(), database().engine, initialised)
    check_storage(settings())


def _start_scheduler():
    from mne import scheduling

    scheduler = scheduling.start(settings(), database())
    for job in scheduler.get_jobs():
        click.echo(f"scheduler: {job.id} next at {job.next_run_time:%Y-%m-%d %H:%M:%S %Z}")
    return scheduler


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler alone (quarterly reports, reminders) until interrupted."""
    import logging
    import signal
    import threading

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    _check_ready()
    scheduler = _start_scheduler()
    try:
        stop.wait()
    finally:
        scheduler.shutdown()
    click.echo("scheduler stopped")


@click.command("report")
@click.argument("kind", type=click.Choice(["progress", "gaps"]))
@click.option("--strategy", "strategy_code", default=None,
              help="Strategy code (default: the first active strategy).")
@click.option("--period", default=None, help="e.g. 2026Q3 (default: the period just ended).")
@click.option("--format", "format_", type=click.Choice(["xlsx", "html", "json"]),
              default="xlsx", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def report_command(kind: str, strategy_code: str | None, period: str | None, format_: str,
                   output: Path) -> None:
    """Compile a report now, keep it as a new version and write it to a file."""
    import datetime as dt

    from indicators.overview import UnknownStrategy
    from indicators.periods import PeriodError, parse_period
    from mne.context import actor
    from mne.scheduling import report_settings
    from reports.archive import compile_and_issue, default_strategy, report_bytes
    from reports.gaps import period_just_ended

    config = report_settings(settings())
    with database().transaction() as session:
        strategy_code = strategy_code or default_strategy(session)
        if strategy_code is None:
            raise click.ClickException("no strategy yet: load one first (mne demo)")
        try:
            period = parse_period(period).code if period else (
                period_just_ended(config.calendar, dt.date.today()).code)
            report = compile_and_issue(session, kind, strategy_code, period, config, actor())
        except UnknownStrategy:
            raise click.ClickException(f"no strategy has the code {strategy_code}") from None
        except PeriodError as problem:
            raise click.ClickException(str(problem)) from None
        output.write_bytes(report_bytes(report, format_, config.storage_folder))
        kept = report.file(format_)
        click.echo(f"{kind} report {strategy_code} {period} version {report.version} "
                   f"({format_}, sha256 {kept.sha256}) written to {output}")


def _create_app() -> Flask:
    from mne import create_app

    return create_app()


def main() -> None:
    """Entry point of the `mne` console script. A configuration or start-up failure ends it
    with one sentence on stderr and exit code 2, never a traceback."""
    from mne import secret_key

    loaded = None
    try:
        loaded = load_settings()
        secret_key(loaded)
        cli = FlaskGroup(create_app=_create_app, add_default_commands=False,
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
