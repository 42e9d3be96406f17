"""`mne user add|role|token`: users, their roles and API tokens from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from indicators.i18n import _
from mne.accounts import service
from mne.accounts.model import ApiToken, Role
from mne.context import actor, database


@click.group("user")
def user_command() -> None:
    """Manage users, their roles and their API tokens."""


def _run(change) -> object:
    """Run `change(session)` in a transaction (a refused change, an `AccountError`, ends the
    command with the exit code of `mne.errors`)."""
    with database().transaction() as session:
        return change(session)


@user_command.command("add")
@click.argument("email")
@click.option("--name", default="", help="Full name (default: the e-mail address).")
@click.password_option(help="Password (prompted for, twice, when not given).")
@with_appcontext
def add(email: str, name: str, password: str) -> None:
    """Add a user who signs in with EMAIL."""
    _run(lambda session: service.add_user(session, actor(), email, name, password))
    click.echo(_("user %(email)s added", email=service.normalise_email(email)))


@user_command.command("role")
@click.argument("email")
@click.argument("role", type=click.Choice([role.value for role in Role]))
@click.option("--entity", default="", help="Entity code: the role applies to it and the "
              "entities below it (coordinator, viewer).")
@click.option("--revoke", is_flag=True, help="Take the role away instead of granting it.")
@with_appcontext
def role(email: str, role: str, entity: str, revoke: bool) -> None:
    """Grant (or --revoke) ROLE to the user EMAIL."""

    def change(session):
        user = service.user_by_email(session, email)
        where = service.entity_by_code(session, entity) if entity else None
        (service.revoke_role if revoke else service.grant_role)(
            session, actor(), user, Role(role), where)
        return ", ".join(item.label() for item in user.roles) or _("none")

    click.echo(_("%(email)s roles: %(roles)s", email=email, roles=_run(change)))


@user_command.command("token")
@click.argument("email")
@click.option("--name", default="command line", help="What the token is for.")
@click.option("--revoke", "revoke_id", type=int, default=None,
              help="Revoke the token with this number instead of creating one.")
@with_appcontext
def token(email: str, name: str, revoke_id: int | None) -> None:
    """Create an API token for EMAIL (printed once, never shown again), or --revoke one."""

    def change(session):
        user = service.user_by_email(session, email)
        if revoke_id is None:
            record, secret = service.create_token(session, actor(), user, name)
            shown = _("token %(number)s for %(email)s (shown only now):", number=record.id,
                      email=user.email)
            return f"{shown}\n{secret}"
        found = session.get(ApiToken, revoke_id)
        if found is None or found.user_id != user.id:
            raise service.AccountError(_("%(email)s has no token %(number)s", email=email,
                                         number=revoke_id))
        service.revoke_token(session, actor(), found)
        return _("token %(number)s of %(email)s revoked", number=revoke_id, email=user.email)

    click.echo(_run(change))
