"""Alembic environment: migrations run on the engine mne hands over, batch mode for SQLite.

Files in versions/ are named `<run order>_<revision id>_<name>.py` so that `ls` shows the order
they run in; the revision ids inside stay as they were (see versions/README.md)."""

from alembic import context
from sqlalchemy import create_engine

import indicators.audit  # noqa: F401  (tables of the audit trail)
import indicators.return_review  # noqa: F401  (tables of the review workflow)
import mne.accounts.model  # noqa: F401  (tables of users, roles, tokens)
import reports.model  # noqa: F401  (its tables join the metadata)
from indicators import (
    aggregates,  # noqa: F401  (its table joins the metadata)
    indexes,  # noqa: F401  (its indexes join the metadata)
)
from indicators.model import Base

config = context.config
engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # batch mode rebuilds tables other tables refer to (Alembic's advice)
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        with connection.begin():
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
