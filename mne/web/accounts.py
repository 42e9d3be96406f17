"""Signing in and out, one's own API tokens, and the administration of users and roles."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_user, logout_user
from sqlalchemy import select

from indicators.audit import record
from indicators.model import Entity
from mne.accounts import service
from mne.accounts.guard import public, requires, signed_in_user
from mne.accounts.model import ApiToken, Role, User
from mne.accounts.permissions import Action
from mne.context import actor, settings
from mne.context import session as db_session

blueprint = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only."""
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlsplit(target).netloc:
        return target
    return url_for("web.home")


@blueprint.route("/login", methods=["GET", "POST"])
@public
def login():
    """The log-in form; a wrong password says so, and a log-in that must wait after repeated
    failures answers 429 with the seconds to wait (also in Retry-After)."""
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    result = service.authenticate(db_session(), request.form.get("email", ""),
                                  request.form.get("password", ""),
                                  request.remote_addr or "unknown", settings().login_limits)
    db_session().commit()
    if result.retry_after:
        return _login_refused(ngettext(
            "Too many failed log-ins for this account or from this address: wait %(num)s "
            "second and try again.", "Too many failed log-ins for this account or from this "
            "address: wait %(num)s seconds and try again.", result.retry_after),
            429, {"Retry-After": str(result.retry_after)})
    if result.user is None:
        return _login_refused(result.message, 401)
    session.clear()  # a fresh session: nothing carried over from before signing in
    login_user(result.user)
    return redirect(_safe_next(request.form.get("next")))


def _login_refused(message: str, status: int, headers: dict[str, str] | None = None):
    """The log-in form again, saying why the log-in did not happen."""
    page = render_template("login.html", next=request.form.get("next", ""),
                           email=request.form.get("email", ""), error=message)
    return page, status, headers or {}


@blueprint.post("/logout")
@requires(Action.OWN_ACCOUNT)
def logout():
    """Sign out: every session of the user ends, a copy of this cookie included."""
    signed_in_user().end_sessions()
    record(db_session(), actor(), "logout", "user", actor())
    db_session().commit()
    logout_user()
    session.clear()
    return redirect(url_for("accounts.login"))


@blueprint.get("/account")
@requires(Action.OWN_ACCOUNT)
def account():
    """The signed-in user's roles, API tokens and a form to change their password."""
    return render_template("account.html", user=signed_in_user(), new_token=None)


@blueprint.post("/account/password")
@requires(Action.OWN_ACCOUNT)
def change_own_password():
    """A new password, given the current one: the user's other sessions end, this one goes
    on."""
    user = signed_in_user()
    try:
        service.change_own_password(db_session(), user, request.form.get("current", ""),
                                    request.form.get("password", ""),
                                    request.remote_addr or "unknown", settings().login_limits)
    except service.AccountError as problem:
        flash(str(problem), "error")
    else:
        login_user(user)
        flash(_("Password changed; your sessions on other devices have ended."))
    db_session().commit()  # the new password, or the failed attempt
    return redirect(url_for("accounts.account"))


@blueprint.post("/account/tokens")
@requires(Action.OWN_ACCOUNT)
def create_own_token():
    """A new API token, shown on this page once."""
    user = signed_in_user()
    _record, token = service.create_token(db_session(), actor(), user,
                                          request.form.get("name", ""))
    db_session().commit()
    return render_template("account.html", user=user, new_token=token)


@blueprint.post("/account/tokens/<int:token_id>/revoke")
@requires(Action.OWN_ACCOUNT)
def revoke_own_token(token_id: int):
    token = db_session().get(ApiToken, token_id)
    if token is None or token.user_id != signed_in_user().id:
        abort(404)
    service.revoke_token(db_session(), actor(), token)
    db_session().commit()
    flash(_("Token %(name)s revoked.", name=token.name))
    return redirect(url_for("accounts.account"))


@blueprint.get("/admin/users")
@requires(Action.MANAGE_USERS)
def users():
    """Every user with their roles, the accounts and addresses whose log-ins are slowed down
    now, and a form to add a user."""
    rows = db_session().scalars(select(User).order_by(User.email)).all()
    return render_template("admin_users.html", users=rows,
                           throttles=service.login_throttles(db_session(),
                                                             settings().login_limits))


@blueprint.post("/admin/users")
@requires(Action.MANAGE_USERS)
def add_user():
    form = request.form
    try:
        user = service.add_user(db_session(), actor(), form.get("email", ""),
                                form.get("name", ""), form.get("password", ""))
    except service.AccountError as problem:
        flash(str(problem), "error")
        return redirect(url_for("accounts.users"))
    db_session().commit()
    return redirect(url_for("accounts.user_page", user_id=user.id))


def _user_or_404(user_id: int) -> User:
    user = db_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@blueprint.get("/admin/users/<int:user_id>")
@requires(Action.MANAGE_USERS)
def user_page(user_id: int):
    """One user: roles to grant or revoke, activation, password, tokens."""
    entities = db_session().scalars(select(Entity).order_by(Entity.code)).all()
    return render_template("admin_user.html", user=_user_or_404(user_id), roles=list(Role),
                           entities=entities)


def _change_user(user_id: int, change) -> object:
    """Apply `change(user)` and commit; a refused change is shown on the user's page."""
    user = _user_or_404(user_id)
    try:
        change(user)
    except service.AccountError as problem:
        db_session().rollback()
        flash(str(problem), "error")
    else:
        db_session().commit()
    return redirect(url_for("accounts.user_page", user_id=user_id))


def _role_and_entity() -> tuple[Role, Entity | None]:
    code = request.form.get("entity", "")
    try:
        role = Role(request.form.get("role", ""))
    except ValueError:
        raise service.AccountError(_("Choose a role.")) from None
    return role, service.entity_by_code(db_session(), code) if code else None


@blueprint.post("/admin/users/<int:user_id>/roles")
@requires(Action.MANAGE_USERS)
def grant_role(user_id: int):
    return _change_user(user_id, lambda user: service.grant_role(
        db_session(), actor(), user, *_role_and_entity()))


@blueprint.post("/admin/users/<int:user_id>/roles/revoke")
@requires(Action.MANAGE_USERS)
def revoke_role(user_id: int):
    return _change_user(user_id, lambda user: service.revoke_role(
        db_session(), actor(), user, *_role_and_entity()))


@blueprint.post("/admin/users/<int:user_id>/active")
@requires(Action.MANAGE_USERS)
def set_active(user_id: int):
    return _change_user(user_id, lambda user: service.set_active(
        db_session(), actor(), user, request.form.get("active") == "1"))


@blueprint.post("/admin/users/<int:user_id>/password")
@requires(Action.MANAGE_USERS)
def set_password(user_id: int):
    """A new password for the user: their sessions end (an administrator who sets their own
    stays signed in here)."""
    answer = _change_user(user_id, lambda user: service.set_password(
        db_session(), actor(), user, request.form.get("password", "")))
    if user_id == signed_in_user().id:
        login_user(signed_in_user())
    return answer


@blueprint.post("/admin/tokens/<int:token_id>/revoke")
@requires(Action.MANAGE_USERS)
def revoke_token(token_id: int):
    token = db_session().get(ApiToken, token_id)
    if token is None:
        abort(404)
    return _change_user(token.user_id, lambda _user: service.revoke_token(
        db_session(), actor(), token))
