"""Signing in on requests, and the one gate every request passes.

Each view declares what it needs: `@requires(Action.X)` or `@public`. Before any view runs,
`_guard` refuses a body over the upload limit unread (413), authenticates the request (the
session cookie, or `Authorization: Bearer <token>` for machine clients), checks CSRF unless a
token authenticated it, and checks the declared action against the user's permissions. A view
that declares nothing is refused (deny by default).
Anonymous visitors are sent to the log-in page (pages) or answered 401 (API).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import (
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import LoginManager, current_user
from sqlalchemy import select

from indicators.model import Entity, Return
from mne.accounts.model import User
from mne.accounts.permissions import Action, Permissions
from mne.accounts.service import token_owner
from mne.context import session

PUBLIC = "public"
PUBLIC_ENDPOINTS = frozenset({"static"})
API_PREFIX = "/api/"
View = TypeVar("View", bound=Callable)
login_manager = LoginManager()


def requires(action: Action) -> Callable[[View], View]:
    """Declare that a view needs `action` (somewhere; check a particular entity inside the
    view with `authorize`)."""

    def declare(view: View) -> View:
        view.required_action = action
        return view

    return declare


def public(view: View) -> View:
    """Declare that a view is open to anonymous visitors."""
    view.required_action = PUBLIC
    return view


def required_action(app: Flask, endpoint: str) -> Action | str | None:
    """What the view behind `endpoint` declared it needs, or None when it declared nothing."""
    if endpoint in PUBLIC_ENDPOINTS:
        return PUBLIC
    return getattr(app.view_functions.get(endpoint), "required_action", None)


def signed_in_user() -> User | None:
    """The user the request is authenticated as, or None."""
    return current_user if current_user.is_authenticated else None


def permissions() -> Permissions:
    """The permissions of the request's user, computed once per request."""
    if "mne_permissions" not in g:
        g.mne_permissions = Permissions.of(session(), signed_in_user())
    return g.mne_permissions


def approved_figures_only() -> bool:
    """Whether the request's user reads approved figures only (see Permissions)."""
    return not permissions().sees_unapproved_figures()


def authorize(action: Action, entity_id: int | None = None) -> None:
    """Answer 403 unless the request's user may do `action` on `entity_id`."""
    if not permissions().allows(action, entity_id):
        abort(403, _("Your role does not allow this."))


def authorized_return(return_id: int, action: Action) -> Return:
    """The return with this id, if the request's user may do `action` on its entity: 404 when
    there is none, 403 when it belongs to an entity outside the user's scope."""
    found = session().get(Return, return_id)
    if found is None:
        abort(404)
    authorize(action, found.entity_id)
    return found


def authorize_entity(action: Action, code: str) -> None:
    """Answer 403 unless the user may do `action` for the entity with this code (an unknown
    code is left to the view to answer)."""
    entity_id = session().scalars(select(Entity.id).where(Entity.code == code)).first()
    if entity_id is not None:
        authorize(action, entity_id)


def entity_codes(action: Action) -> frozenset[str] | None:
    """Codes of the entities the user may do `action` for; None for every entity."""
    allowed = permissions().entities(action)
    if allowed is None:
        return None
    return frozenset(session().scalars(select(Entity.code).where(Entity.id.in_(allowed))))


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer …` header, if the request has one."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _load_session_user(session_id: str) -> User | None:
    """The active user a session cookie names, if the session has not been ended since
    (see `User.end_sessions`)."""
    if bearer_token() is not None:
        return None  # a request with a token is that token's, whatever cookie it carries
    user_id, _colon, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = session().get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _load_token_user(_request) -> User | None:
    token = bearer_token()
    if not token:
        return None
    user = token_owner(session(), token)
    session().commit()  # keeps the token's last use
    return user


def _is_api() -> bool:
    return request.path.startswith(API_PREFIX)


def _unauthenticated():
    if _is_api():
        response = jsonify({"error": _("Sign in, or send a valid API token as "
                                       "'Authorization: Bearer <token>'.")})
        response.headers["WWW-Authenticate"] = "Bearer"
        return response, 401
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def _guard():
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > limit:
        abort(413)  # before anything reads the body
    if request.endpoint is None:
        return None  # no such route: 404 or 405 follows
    token = bearer_token()
    needed = required_action(current_app, request.endpoint)
    if needed is None:
        abort(403, _("This address declares no access rule, so it is closed."))
    if (token is not None or needed != PUBLIC) and not current_user.is_authenticated:
        return _unauthenticated()
    if token is None and current_app.config.get("WTF_CSRF_ENABLED", True):
        current_app.extensions["csrf"].protect()
    if needed != PUBLIC:
        authorize(needed)
    return None


def _error_response(error):
    """Errors under /api answer in JSON, like the API's own errors; pages in a page."""
    if error.code == 413:
        error.description = _(
            "The file is larger than the %(limit)s MB accepted; remove anything that is not "
            "part of the return (pictures, extra sheets) and upload it again.",
            limit=f"{current_app.config['MNE_SETTINGS'].max_upload_bytes / 1024 / 1024:.1f}")
    if error.code == 500:
        error.description = _("Something went wrong on the server; try again later, or tell "
                              "the administrator (the server's log has the details).")
    if _is_api():
        return jsonify({"error": error.description}), error.code
    return render_template("error.html", error=error), error.code


def _may(action: str, entity: str | None = None) -> bool:
    """Templates ask `may('review_returns')` to show what the user may use, and
    `may('read_returns', 'POL')` for what concerns one entity (by code)."""
    if entity is None:
        return permissions().allows(Action(action))
    if "mne_entity_codes" not in g:
        g.mne_entity_codes = {}
    if action not in g.mne_entity_codes:
        g.mne_entity_codes[action] = entity_codes(Action(action))
    codes = g.mne_entity_codes[action]
    return codes is None or entity in codes


def init_app(app: Flask) -> None:
    """Sign users in from the session or a token, and guard every request."""
    login_manager.init_app(app)
    login_manager.user_loader(_load_session_user)
    login_manager.request_loader(_load_token_user)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # _guard checks it, except for token clients
    app.before_request(_guard)
    for code in (400, 401, 403, 404, 405, 409, 413, 415, 422, 500):
        app.register_error_handler(code, _error_response)
    app.jinja_env.globals["may"] = _may
