"""The mne application shell: app factory, configuration, database session, pages, API, CLI."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, has_app_context, has_request_context, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import Babel, get_locale
from flask_babel import gettext as babel_gettext
from flask_wtf.csrf import CSRFProtect

from indicators.i18n import _english, install_translator
from mne.config import LOCALES, Settings, load_settings, secret_key
from mne.database import Database
from reports.compilation import finite

csrf = CSRFProtect()


def create_app(settings: Settings | None = None) -> Flask:
    """Build the application from `settings` (read from config.toml when not given)."""
    settings = settings or load_settings()
    app = Flask(__name__)
    app.json = FiniteJSONProvider(app)
    app.config.update(
        MNE_SETTINGS=settings,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 64 * 1024,
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).with_name("translations")),
        JSON_SORT_KEYS=False,
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PREFERRED_URL_SCHEME="https" if settings.secure_cookies else "http",
    )
    app.extensions["mne.database"] = Database(settings.database_url)
    Babel(app, locale_selector=_choose_locale)
    install_translator(_translate)
    csrf.init_app(app)
    app.teardown_appcontext(_close_session)
    app.jinja_env.globals["get_locale"] = get_locale

    from mne import api, commands, errors, web
    from mne.accounts import guard

    guard.init_app(app)
    errors.register(app)
    web.register(app)
    app.register_blueprint(api.blueprint, url_prefix="/api/v1")
    commands.register(app)
    return app


class FiniteJSONProvider(DefaultJSONProvider):
    """JSON answers that any strict reader accepts: a number that is not finite is null."""

    def dumps(self, obj, **kwargs):
        return super().dumps(finite(obj), allow_nan=False, **kwargs)


def _translate(message: str, **variables: object) -> str:
    """Flask-Babel's gettext inside the application, English outside it."""
    if has_app_context():
        return babel_gettext(message, **variables)
    return _english(message, **variables)


def _choose_locale() -> str | None:
    if not has_request_context():
        return None  # a command: the configured default language
    return request.args.get("lang") or request.accept_languages.best_match(LOCALES)


def _close_session(_error: BaseException | None) -> None:
    session = g.pop("mne_session", None)
    if session is not None:
        session.close()
