"""The mne application shell: app factory, configuration, database session, pages, API, CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from mne.config import Settings


def create_app(settings: Settings | None = None, pages: bool = True) -> Flask:
    """Build the application from `settings` (read from config.toml when not given). What it
    needs is imported here, not with the package, so that the command line starts at once.
    Without `pages` (a command that serves none), the pages, the API and their JSON answers,
    sign-in and the commands' registration for `flask --app mne` are left out, and with them
    their modules."""
    from flask import Flask
    from flask_babel import Babel, get_locale
    from flask_wtf.csrf import CSRFProtect

    from mne.config import load_settings, secret_key
    from mne.database import Database
    from mne.languages import LANGUAGES, TRANSLATIONS, choose_locale, html_lang, install_catalogues

    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(
        MNE_SETTINGS=settings,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 64 * 1024,
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_TRANSLATION_DIRECTORIES=str(TRANSLATIONS),
        JSON_SORT_KEYS=False,
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PREFERRED_URL_SCHEME="https" if settings.secure_cookies else "http",
    )
    app.extensions["mne.database"] = Database(settings.database_url)
    if settings.proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxies, x_proto=settings.proxies)
    Babel(app, locale_selector=choose_locale)
    install_catalogues(settings.default_locale)
    CSRFProtect(app)
    app.teardown_appcontext(_close_session)
    app.jinja_env.globals.update(html_lang=html_lang, get_locale=get_locale, languages=LANGUAGES)
    if pages:
        _add_pages(app)
    return app


def _add_pages(app: Flask) -> None:
    """Sign-in, the error pages, every page, the API (its answers strict JSON) and mne's
    commands under `flask`."""
    from mne import api, commands, errors, web
    from mne.accounts import guard
    from mne.finite_json import FiniteJSONProvider

    app.json = FiniteJSONProvider(app)
    guard.init_app(app)
    errors.register(app)
    web.register(app)
    app.register_blueprint(api.blueprint, url_prefix="/api/v1")
    commands.register(app)


def _close_session(_error: BaseException | None) -> None:
    from flask import g

    session = g.pop("mne_session", None)
    if session is not None:
        session.close()
