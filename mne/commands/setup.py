"""`mne init` and `mne demo`: the database and the demonstration strategy."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from indicators.i18n import _
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
    click.echo(_("database ready at revision %(revision)s: %(url)s", revision=revision,
                 url=repr(database().engine.url)))


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
    click.echo(_demo_outcome(summary))
    for refused in summary.refused:
        click.echo(_("demonstration return not imported: %(reason)s", reason=refused), err=True)
    for email, _name, password, role, entity in DEMO_USERS:
        user = {"email": email, "password": password, "role": role.value, "entity": entity}
        click.echo(_("demo user %(email)s / %(password)s: %(role)s of %(entity)s", **user)
                   if entity else _("demo user %(email)s / %(password)s: %(role)s", **user))


def _demo_outcome(summary) -> str:
    """What `mne demo` did: the strategy and what it wrote, or that it wrote nothing."""
    counts = {"strategy": summary.strategy, "received": summary.returns_received,
              "approved": summary.returns_approved, "values": summary.values_written}
    if not summary.wrote_anything:
        return _("demonstration strategy %(strategy)s already loaded: nothing written (the "
                 "demonstration never rewrites existing data)", **counts)
    if summary.framework_written:
        return _("demonstration strategy %(strategy)s loaded: framework and %(received)s "
                 "returns received through the upload pipeline (%(approved)s approved), "
                 "%(values)s values", **counts)
    return _("demonstration strategy %(strategy)s loaded: %(received)s returns received "
             "through the upload pipeline (%(approved)s approved), %(values)s values", **counts)
