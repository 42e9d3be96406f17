"""Helpers the tests share (plain functions and constants; the fixtures are in conftest.py)."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from sqlalchemy import MetaData, inspect, select, text

from mne.database import Database

ROOT = Path(__file__).resolve().parent.parent
TEST_PASSWORD = "correct horse battery"
GLOTIP = ROOT.parent / "shared" / "data" / "unodc-glotip-2003-2021.xlsx"
needs_glotip = pytest.mark.skipif(
    not GLOTIP.exists(),
    reason=f"the shared UNODC GLOTIP file is absent (expected at {GLOTIP})")


def empty_database(database: Database) -> None:
    """Delete every row but the migration version (on PostgreSQL, identities restart too)."""
    tables = [name for name in inspect(database.engine).get_table_names()
              if name != "alembic_version"]
    with database.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            connection.execute(text("PRAGMA foreign_keys=OFF"))
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))
            connection.execute(text("PRAGMA foreign_keys=ON"))



def table_rows(database: Database) -> dict[str, list[dict]]:
    """Every row of every table but the migration version, to put back with `put_rows`."""
    metadata = MetaData()
    metadata.reflect(database.engine)
    with database.engine.connect() as connection:
        return {name: [dict(row) for row in connection.execute(table.select()).mappings()]
                for name, table in metadata.tables.items() if name != "alembic_version"}


def put_rows(database: Database, rows: dict[str, list[dict]]) -> None:
    """Insert `rows` (from `table_rows`) into the emptied database, references unchecked while
    they go in (a return and its upload refer to each other); identities continue after them."""
    metadata = MetaData()
    metadata.reflect(database.engine)
    postgresql = database.engine.dialect.name == "postgresql"
    with database.engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica" if postgresql
                                else "PRAGMA foreign_keys=OFF"))
        for name, table_rows_ in rows.items():
            if table_rows_:
                connection.execute(metadata.tables[name].insert(), table_rows_)
        if postgresql:
            for name, table in metadata.tables.items():
                if "id" in table.columns and rows.get(name):
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f"(SELECT max(id) FROM \"{name}\"))"))
        else:
            connection.execute(text("PRAGMA foreign_keys=ON"))

def write_config(folder: Path, database_url: str, **replacements: str) -> Path:
    """A copy of the project's config.toml in `folder`, pointing at `database_url`;
    `replacements` maps a `key = ` line prefix to its new right-hand side."""
    content = (ROOT / "config.toml").read_text(encoding="utf-8")
    content = re.sub(r'(?m)^url = .*$', f'url = "{database_url}"', content, count=1)
    for key, value in replacements.items():
        content = re.sub(rf"(?m)^{re.escape(key)} = .*$", f"{key} = {value}", content, count=1)
    path = folder / "config.toml"
    path.write_text(content, encoding="utf-8")
    return path


def add_user(session, password_hash: str, role: str, entity: str | None = None,
             email: str | None = None) -> str:
    """A user holding `role` (on the entity with code `entity`, created when absent) whose
    password hashes to `password_hash`; returns the e-mail address. Asked again for the same
    role and entity, it gives the same user."""
    from indicators.model import Entity
    from mne.accounts.model import Role, User
    from mne.accounts.service import find_entity, grant_role

    email = email or f"{role}{'-' + entity.lower() if entity else ''}@test.example"
    if session.scalars(select(User).where(User.email == email)).first():
        return email
    user = User(email=email, name=email.split("@")[0], password_hash=password_hash)
    session.add(user)
    session.flush()
    where = entity and (find_entity(session, entity) or Entity(code=entity, name=entity))
    grant_role(session, "test", user, Role(role), where or None)
    return email


def csrf_token_of(client, path: str = "/login") -> str:
    """The CSRF token a page hands out (read from its form), for posting like a browser."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def login(client, email: str, password: str = TEST_PASSWORD):
    """Log in through the real log-in form (CSRF token included); returns the response."""
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token_of(client)})


def add_user_on_page(admin, db, email: str, name: str = "Someone",
                     password: str = "a long password") -> int:
    """Add a user through the administration page as `admin` (a signed-in client); returns
    the new user's id."""
    from mne.accounts.model import User

    admin.post("/admin/users", data={"email": email, "name": name, "password": password,
                                     "csrf_token": csrf_token_of(admin, "/admin/users")})
    with db.sessions() as session:
        return session.scalars(select(User.id).where(User.email == email)).one()


def download_template(page, folder: Path) -> bytes:
    """Click the template download on the current page; the template's bytes."""
    with page.expect_download() as download:
        page.click("#download-template")
    path = folder / "template.xlsx"
    download.value.save_as(path)
    return path.read_bytes()


def browser_login(page, email: str, password: str = TEST_PASSWORD) -> None:
    """Log in through the log-in page in the browser, as a person would."""
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_selector("nav.session")


def free_port() -> int:
    """A TCP port nothing listens on now, on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
