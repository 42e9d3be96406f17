"""What a request or a command needs from the application: settings, database, session."""

from __future__ import annotations

import getpass

from flask import current_app, g, has_request_context
from flask_login import current_user
from sqlalchemy.orm import Session

from mne.config import Settings
from mne.database import Database


def settings() -> Settings:
    """The settings of the running application."""
    return current_app.config["MNE_SETTINGS"]


def database() -> Database:
    """The database of the running application."""
    return current_app.extensions["mne.database"]


def session() -> Session:
    """The session of this request (or command), closed when it ends."""
    if "mne_session" not in g:
        g.mne_session = database().sessions()
    return g.mne_session


def actor() -> str:
    """Who is acting, as recorded on uploads and changes: the e-mail address of the signed-in
    user (or of the API token's owner) on a page or API call, the operating-system user on the
    command line."""
    if has_request_context():
        return current_user.email if current_user.is_authenticated else "anonymous"
    return getpass.getuser()
