"""What a request or a command needs from the application: settings, database, session."""

from __future__ import annotations

from flask import current_app, g
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
