"""What a request or a command needs from the application: settings, database, session."""

from __future__ import annotations

import getpass

from flask import current_app, g, has_request_context
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
    """Who is acting, as recorded on uploads and changes: the signed-in user on a page or API
    call, the operating-system user on the command line."""
    if has_request_context():
        return "anonymous"
    return getpass.getuser()
