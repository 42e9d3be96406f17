"""`mne serve` and `mne scheduler`: the web application and the scheduler."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from indicators.i18n import N_, _
from mne.config import MAX_PORT, ConfigError
from mne.context import database, settings
from mne.startup import check_ready


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

    check_ready(settings(), database().engine)
    host, port = host or settings().host, port or settings().port
    try:
        server = create_server(current_app._get_current_object(), host=host, port=port,
                               threads=8)
    except OSError as problem:
        raise ConfigError(settings().path, N_(
            "cannot listen on %(host)s:%(port)s (%(reason)s); stop what uses it or choose "
            "another web.port (or --port, or make run PORT=%(next_port)s)"),
            host=host, port=port, reason=problem.strerror, next_port=port + 1) from None
    logging.basicConfig()  # waitress's warnings reach the console, as with waitress.serve
    scheduler = _start_scheduler() if settings().scheduler_enabled else None
    address = f"http://{host}:{port}"
    click.echo(_("mne serving on %(address)s", address=address))
    try:
        server.run()
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


def _start_scheduler():
    from mne import scheduling

    scheduler = scheduling.start(settings(), database())
    for job in scheduler.get_jobs():
        time = job.next_run_time.strftime("%Y-%m-%d %H:%M:%S %Z")
        click.echo(_("scheduler: %(job)s next at %(time)s", job=job.id, time=time))
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
    check_ready(settings(), database().engine)
    scheduler = _start_scheduler()
    try:
        stop.wait()
    finally:
        scheduler.shutdown()
    click.echo(_("scheduler stopped"))
