"""The mne application shell: app factory, configuration, database session, pages, API, CLI."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request
from flask_babel import Babel, get_locale

from mne.config import Settings, load_settings
from mne.database import Database

LOCALES = ("en", "zh")


def create_app(settings: Settings | None = None) -> Flask:
    """Build the application from `settings` (read from config.toml when not given)."""
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(
        MNE_SETTINGS=settings,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 64 * 1024,
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).with_name("translations")),
        JSON_SORT_KEYS=False,
    )
    app.extensions["mne.database"] = Database(settings.database_url)
    Babel(app, locale_selector=_choose_locale)
    app.teardown_appcontext(_close_session)
    app.jinja_env.globals["get_locale"] = get_locale

    from mne import api, cli, web

    web.register(app)
    app.register_blueprint(api.blueprint, url_prefix="/api/v1")
    cli.register(app)
    return app


def _choose_locale() -> str | None:
    return request.args.get("lang") or request.accept_languages.best_match(LOCALES)


def _close_session(_error: BaseException | None) -> None:
    session = g.pop("mne_session", None)
    if session is not None:
        session.close()
