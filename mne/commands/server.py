"""`mne serve` and `mne scheduler`: the web application and the scheduler."""

from __future__ import annotations

import socket

import click
from flask.cli import with_appcontext

from mne.context import database, settings


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (config: web.host).")
@click.option("--port", default=None, type=int, help="Port to listen on (config: web.port).")
@with_appcontext
def serve_command(host: str | None, port: int | None) -> None:
    """Run the web application."""
    from flask import current_app
    from waitress import serve

    host, port = host or settings().host, port or settings().port
    _ensure_port_free(host, port)
    scheduler = _start_scheduler() if settings().scheduler_enabled else None
    click.echo(f"mne serving on http://{host}:{port}")
    try:
        serve(current_app._get_current_object(), host=host, port=port, threads=8)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


def _ensure_port_free(host: str, port: int) -> None:
    """Stop with one sentence, before anything starts, when another program holds the port."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress binds
        try:
            probe.bind((host, port))
        except OSError as problem:
            raise click.ClickException(
                f"cannot serve on http://{host}:{port}: {problem.strerror or problem} "
                f"(another program is using port {port}?); choose another port with "
                f"--port {port + 1}, or `make run PORT={port + 1}`") from None


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
    scheduler = _start_scheduler()
    try:
        stop.wait()
    finally:
        scheduler.shutdown()
    click.echo("scheduler stopped")
