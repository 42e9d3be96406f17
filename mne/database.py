"""The database: engine, sessions, and schema upgrades through Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import indicators.aggregates  # noqa: F401  (its listeners keep the national series current)
from indicators.i18n import N_
from mne.config import ConfigError

if TYPE_CHECKING:  # alembic is imported by the commands that migrate or check the schema
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets foreign keys enforced, WAL and a busy timeout, a server
    a connection timeout of 10 seconds unless the URL sets one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        timeout = {} if "connect_timeout" in parsed.query else {"connect_timeout": 10}
        return create_engine(url, pool_pre_ping=True, connect_args=timeout)
    if parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as problem:
            raise ConfigError("database.url", N_(
                "cannot make the folder %(folder)s of the SQLite database (%(reason)s); point "
                "database.url elsewhere"), folder=str(folder), reason=problem.strerror) from None
    engine = create_engine(url, connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(engine: Engine) -> AlembicConfig:
    """Alembic configuration for the packaged migrations, bound to `engine`."""
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> str:
    """Create or upgrade the schema to the newest revision; returns that revision."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")
    return current_revision(engine)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision the package ships."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(make_engine("sqlite://"))).get_current_head()


class Database:
    """An engine and its session factory; its sessions keep the national series current
    (`indicators.aggregates` listens to every session)."""

    def __init__(self, url: str):
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed at the end, or rolled back on error."""
        with self.sessions() as session, session.begin():
            yield session
