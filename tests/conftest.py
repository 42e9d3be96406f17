"""Fixtures: real databases (SQLite always, PostgreSQL when one answers), settings, the app.

Every test that asks for `database_url` (directly or through `db`, `settings`, `app`, `client`)
runs once per backend. PostgreSQL is used when MNE_TEST_DATABASE_URL names a server, or when one
answers on 127.0.0.1:5432; each test session works in a scratch database of its own, dropped at
the end, so that two runs side by side never meet.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from mne import create_app
from mne.config import load_settings
from mne.database import Database, upgrade
from tests.helpers import (
    ROOT,
    TEST_PASSWORD,
    add_user,
    empty_database,
    login,
    put_rows,
    table_rows,
    write_config,
)

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _postgres_server_url() -> str | None:
    url = os.environ.get("MNE_TEST_DATABASE_URL")
    candidate = url or DEFAULT_POSTGRES
    try:
        engine = create_engine(candidate, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as problem:  # noqa: BLE001 - any failure means: no PostgreSQL here
        if url:
            raise RuntimeError(f"MNE_TEST_DATABASE_URL={url} does not answer: {problem}") from None
        return None
    return candidate


def _backends() -> list[str]:
    """SQLite always, PostgreSQL when a server answers; MNE_TEST_BACKENDS=sqlite narrows a
    development run to SQLite alone (CI never sets it)."""
    wanted = os.environ.get("MNE_TEST_BACKENDS", "sqlite,postgresql").split(",")
    found = ["sqlite"] + (["postgresql"] if "postgresql" in wanted and POSTGRES_SERVER else [])
    return [backend for backend in found if backend in wanted]


POSTGRES_SERVER = (
    _postgres_server_url() if "postgresql" in os.environ.get("MNE_TEST_BACKENDS", "postgresql")
    else None
)
BACKENDS = _backends()


def pytest_report_header(config) -> str:
    where = make_url(POSTGRES_SERVER).render_as_string() if POSTGRES_SERVER else "not available"
    return f"mne database backends: {', '.join(BACKENDS)} (PostgreSQL: {where})"


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A migrated scratch database of each backend, for the whole test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'mne-test.db'}"
        upgrade(Database(url).engine)
        yield url
        return
    yield from _postgres_scratch_database()


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path) -> Iterator[str]:
    """A scratch database of each backend with no schema at all, for migration tests."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mne-empty.db'}"
        return
    yield from _postgres_scratch_database(migrate=False)


def _postgres_scratch_database(migrate: bool = True) -> Iterator[str]:
    server = make_url(POSTGRES_SERVER)
    name = f"mne_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    if migrate:
        upgrade(database.engine)
    try:
        yield url
    finally:
        database.engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _databases() -> dict[str, Database]:
    return {}


@pytest.fixture
def db(request, database_url, _databases, _demo_snapshots) -> Iterator[Database]:
    """The scratch database, emptied after the test; holding the demonstration from the start
    when the test asks for `demo`."""
    database = _databases.setdefault(database_url, Database(database_url))
    if "demo" in request.fixturenames:
        _put_demo(database, _demo_snapshots, request.getfixturevalue("tmp_path_factory"))
    yield database
    empty_database(database)


@pytest.fixture
def session(db):
    """A session on the scratch database; the test commits what it wants kept."""
    with db.sessions() as session:
        yield session


@pytest.fixture
def config_file(tmp_path, db, database_url, monkeypatch) -> Path:
    """A config.toml for this test, on the scratch database, with storage under tmp_path."""
    monkeypatch.delenv("MNE_DATABASE_URL", raising=False)
    path = write_config(tmp_path, database_url)
    monkeypatch.setenv("MNE_CONFIG", str(path))
    return path


@pytest.fixture
def settings(config_file):
    return load_settings(config_file)


@pytest.fixture
def app(settings):
    app = create_app(settings)
    app.config.update(TESTING=True)
    yield app
    app.extensions["mne.database"].engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def run_mne(config_file):
    """Run the real `mne` command line in a subprocess with this test's configuration."""

    def run(*arguments: str, check: bool = True, **options) -> subprocess.CompletedProcess:
        command = shutil.which("mne", path=str(Path(sys.executable).parent)) or "mne"
        environment = {**os.environ, "MNE_CONFIG": str(config_file)}
        result = subprocess.run([command, *arguments], capture_output=True, text=True,
                                env=environment, timeout=300, **options)
        if check and result.returncode != 0:
            raise AssertionError(f"mne {' '.join(arguments)} failed:\n{result.stdout}\n"
                                 f"{result.stderr}")
        return result

    return run


@pytest.fixture(scope="session")
def _demo_snapshots() -> dict[str, tuple]:
    return {}


def _put_demo(database: Database, snapshots: dict[str, tuple], tmp_path_factory) -> None:
    """The demonstration in the empty `database`: received through the return pipeline once
    per backend, then put back from a copy of its rows (pytest makes a new scratch database of
    a backend whenever it returns to that backend's tests, so the copy is kept by backend)."""
    from importers.demo import load_demo

    backend = database.engine.dialect.name
    if backend in snapshots:
        put_rows(database, snapshots[backend][1])
        return
    storage = tmp_path_factory.mktemp("demo-storage")
    summary = load_demo(database.sessions, storage, load_settings(ROOT / "config.toml").dimensions)
    snapshots[backend] = (summary, table_rows(database), storage)


@pytest.fixture
def demo(db, settings, _demo_snapshots):
    """The demonstration strategy, loaded into the scratch database, and its stored files."""
    summary, _rows, storage = _demo_snapshots[db.engine.dialect.name]
    shutil.copytree(storage, settings.storage_folder, dirs_exist_ok=True)
    return summary


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The application served over real HTTP on a free local port; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make test installs it where it can)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser page whose relative addresses go to the live server."""
    context = chromium.new_context(base_url=live_server, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def _test_password_hash() -> str:
    from mne.accounts.service import hash_password

    return hash_password(TEST_PASSWORD)


@pytest.fixture
def make_user(db, _test_password_hash):
    """Create a user holding `role` (on the entity with code `entity`, created when absent)
    whose password is TEST_PASSWORD; returns the user's e-mail address. Asked again for the
    same role and entity, it gives the same user."""

    def make(role: str, entity: str | None = None, email: str | None = None) -> str:
        with db.transaction() as session:
            return add_user(session, _test_password_hash, role, entity, email)

    return make


@pytest.fixture
def client_as(app, make_user):
    """`client_as("evaluator")` or `client_as("coordinator", "POL")`: a test client signed in
    as a new user holding that role."""

    def signed_in(role: str, entity: str | None = None):
        client = app.test_client()
        response = login(client, make_user(role, entity))
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return signed_in


@pytest.fixture
def evaluator_client(client_as):
    """A test client signed in as an evaluator: reads everything, reviews, compiles reports."""
    return client_as("evaluator")


@pytest.fixture
def api_client_as(app, token_for):
    """`api_client_as("coordinator", "POL")`: a test client that sends the API token of a new
    user holding that role with every request, as a machine client does."""

    def with_token(role: str, entity: str | None = None):
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token_for(role, entity)}"
        return client

    return with_token


@pytest.fixture
def token_for(db, make_user):
    """`token_for("evaluator")`: an API token of a new user holding that role."""
    from mne.accounts.model import User
    from mne.accounts.service import create_token

    def create(role: str, entity: str | None = None) -> str:
        email = make_user(role, entity)
        with db.transaction() as session:
            user = session.scalars(select(User).where(User.email == email)).one()
            return create_token(session, "test", user, "test")[1]

    return create


@pytest.fixture
def small_strategy(db):
    """Strategy SMALL with agency AG and five indicators (see tests/return_workbooks.py)."""
    from tests.return_workbooks import build_small_strategy

    with db.sessions() as session:
        return build_small_strategy(session)


@pytest.fixture
def template(db, small_strategy) -> bytes:
    """The return template of the small strategy's agency AG for 2026Q3."""
    from importers.return_form import build_form
    from importers.template import write_template
    from indicators.periods import parse_period

    with db.sessions() as session:
        return write_template(session, build_form(session, "AG", parse_period("2026Q3")))
