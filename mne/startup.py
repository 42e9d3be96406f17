"""Start-up checks: whether the database answers and is initialised, and whether the storage
folder takes files, each failure one sentence naming the key or the service and what to do."""

from __future__ import annotations

import getpass
import tempfile

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from indicators.i18n import N_
from mne.config import ConfigError, Settings
from mne.database import current_revision, head_revision, make_engine


def check_database(settings: Settings, engine: Engine, initialised: bool = True) -> None:
    """Raise ConfigError when the database cannot be opened or, if it must be `initialised`,
    is not at the newest revision."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        revision = current_revision(engine)
    except DBAPIError as problem:
        reason = str(problem.orig).strip().splitlines()[0]
        raise ConfigError(settings.path, N_(
            "the database %(where)s (database.url or MNE_DATABASE_URL) cannot be opened "
            "(%(reason)s); start the database server or correct database.url"),
            where=where, reason=reason) from None
    if not initialised or revision == head_revision():
        return
    if revision is None:
        raise ConfigError(settings.path, N_("the database %(where)s is not initialised; run "
                                            "'mne init' first"), where=where)
    raise ConfigError(settings.path, N_("the database %(where)s is at revision %(revision)s, "
                                        "this mne needs %(head)s; run 'mne init' to upgrade it"),
                      where=where, revision=revision, head=head_revision())


def check_storage(settings: Settings) -> None:
    """Raise ConfigError unless the storage folder exists (or can be made) and takes files."""
    folder = settings.storage_folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as problem:
        raise ConfigError(settings.path, N_(
            "storage.folder %(folder)s cannot keep files (%(reason)s); make it a folder the "
            "user %(user)s may write to, or point storage.folder elsewhere"),
            folder=str(folder), reason=problem.strerror, user=getpass.getuser()) from None


def check_ready(settings: Settings, engine: Engine, initialised: bool = True) -> None:
    """Refuse to start, in one sentence, unless the database answers (and is `initialised`)
    and the storage folder takes files."""
    check_database(settings, engine, initialised)
    check_storage(settings)


def startup_problem(settings: Settings) -> ConfigError | None:
    """Why mne cannot work with this configuration's database and storage, or None: used to
    explain a failure that came up while a command ran."""
    try:
        engine = make_engine(settings.database_url)
        try:
            check_ready(settings, engine)
        finally:
            engine.dispose()
    except ConfigError as problem:
        return problem
    return None
