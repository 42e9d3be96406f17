"""A hostile or broken workbook never takes the service down and never gets a traceback: each
of the corpus (tests/hostile_workbooks.py) goes through `mne import` and the API of a running
`mne serve`; each answer is its expected outcome with one sentence, the server answers
afterwards, and its memory (with its helpers') stays under 500 MB."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from importers.return_form import L_CODE, L_LEVEL
from indicators.model import Upload, UploadOutcome
from mne import create_app
from mne.config import load_settings
from mne.database import Database
from tests.helpers import empty_database, free_port, write_config
from tests.hostile_workbooks import Case, hostile_corpus
from tests.return_workbooks import build_small_strategy, cell_of, rows_by_code

MEGABYTE = 1024 * 1024
PEAK_LIMIT = 500 * MEGABYTE


def strict_json(text: str):
    """JSON as a strict reader takes it: NaN and Infinity are refused."""
    def refuse(constant: str):
        raise ValueError(f"{constant} is not JSON")
    return json.loads(text, parse_constant=refuse)


@dataclass
class Server:
    url: str
    token: str
    config: Path
    pid: int
    database: Database

    def request(self, path: str, data: bytes | None = None, name: str = "return.xlsx"):
        """Status and text of an authorised request (a multipart upload when `data`)."""
        headers = {"Authorization": f"Bearer {self.token}"}
        body = None
        if data is not None:
            boundary = "hostile-boundary"
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
            body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                    f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(self.url + path, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=180) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def peak_memory(self) -> int:
        """The most memory (resident) the server process or any helper it runs ever held."""
        return max(_high_water_mark(pid) for pid in [self.pid, *_descendants(self.pid)])


def _high_water_mark(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def _descendants(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(item) for item in (task / "children").read_text().split()]
        except OSError:
            continue
    return children + [grandchild for child in children for grandchild in _descendants(child)]


def _mne() -> str:
    return shutil.which("mne", path=str(Path(sys.executable).parent)) or "mne"


@pytest.fixture(scope="module")
def server(database_url, _databases, tmp_path_factory):
    """`mne serve` in its own process on the small strategy, with a coordinator's token."""
    from mne.accounts.model import Role, User
    from mne.accounts.service import create_token, find_entity, grant_role

    database = _databases.setdefault(database_url, Database(database_url))
    empty_database(database)
    with database.sessions() as session:
        build_small_strategy(session)
    with database.transaction() as session:
        user = User(email="hostile@test.example", name="hostile", password_hash="-")
        session.add(user)
        session.flush()
        grant_role(session, "test", user, Role("coordinator"), find_entity(session, "AG"))
        token = create_token(session, "test", user, "test")[1]
    folder = tmp_path_factory.mktemp("hostile")
    config = write_config(folder, database_url, enabled="false")
    port = free_port()
    environment = {**os.environ, "MNE_CONFIG": str(config)}
    environment.pop("MNE_DATABASE_URL", None)
    process = subprocess.Popen([_mne(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                               env=environment, stdout=subprocess.DEVNULL,
                               stderr=open(folder / "server.log", "wb"))  # noqa: SIM115
    served = Server(f"http://127.0.0.1:{port}", token, config, process.pid, database)
    try:
        _wait_until_answering(served)
        yield served
    finally:
        process.terminate()
        process.wait(timeout=30)
        empty_database(database)


def _wait_until_answering(server: Server) -> None:
    for _attempt in range(120):
        try:
            if server.request("/api/v1/strategies")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise AssertionError("mne serve did not answer")


@pytest.fixture(scope="module")
def corpus(server) -> list[Case]:
    status, template = server.request("/api/v1/templates?entity=AG&period=2026Q3")
    assert status == 200
    levels = openpyxl.load_workbook(io.BytesIO(template))["Qualitative"]
    level_row = rows_by_code(levels, L_CODE)[("Q1", "")]
    level_cell = f"{openpyxl.utils.get_column_letter(L_LEVEL)}{level_row}"
    return hostile_corpus(template, cell_of(template, "C1"), level_cell)


def _opening(case: Case) -> str:
    """The words the sentence of an unusable file starts with (its template up to a field)."""
    return case.problem.template.split("%(")[0]


def _assert_answer(case: Case, answer: dict) -> None:
    assert answer["outcome"] == case.outcome, (case.name, answer["message"])
    message = answer["message"]
    assert message and "Traceback" not in message and message.rstrip().endswith("."), case.name
    if case.outcome is UploadOutcome.UNUSABLE:
        assert message.startswith(_opening(case)), (case.name, message)
    elif case.problem:
        assert case.problem.code in {problem["type"] for problem in answer["problems"]}, \
            (case.name, answer["problems"])
    else:
        assert answer["errors"] == 0, (case.name, answer["problems"])


def test_every_hostile_workbook_through_the_api_gets_its_outcome_and_memory_stays_low(
        server, corpus):
    for case in corpus:
        status, body = server.request("/api/v1/returns?dry_run=1", case.data)
        answer = strict_json(body.decode())
        expected_status = 400 if case.outcome is UploadOutcome.UNUSABLE else 200
        assert status == expected_status, (case.name, answer)
        _assert_answer(case, answer)
        assert server.request("/api/v1/strategies")[0] == 200, f"down after {case.name}"
        assert server.peak_memory() < PEAK_LIMIT, (case.name, server.peak_memory())
    with server.database.sessions() as session:
        outcomes = session.scalars(select(Upload.outcome)).all()
    assert len(outcomes) == len(corpus)
    assert UploadOutcome.RECEIVED not in outcomes and None not in outcomes


def _assert_command_answer(case: Case, exit_code: int, output: str, errors: str) -> None:
    assert exit_code == case.exit_code, (case.name, output)
    assert "Traceback" not in output, (case.name, output)
    if case.outcome is UploadOutcome.UNUSABLE:
        assert _opening(case) in errors, (case.name, output)


def test_every_hostile_workbook_through_the_command_line_exits_with_its_meaning(
        server, corpus, tmp_path):
    """`mne import --dry-run` run in this process (the command's own code, without starting an
    interpreter per file)."""
    app = create_app(load_settings(server.config))
    runner = app.test_cli_runner()
    for case in corpus:
        path = tmp_path / f"{case.name}.xlsx"
        path.write_bytes(case.data)
        result = runner.invoke(args=["import", "--dry-run", str(path)])
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            (case.name, result.exception)
        _assert_command_answer(case, result.exit_code, result.stdout + result.stderr,
                               result.stderr)
    app.extensions["mne.database"].engine.dispose()


@pytest.mark.parametrize("name", ["cell_at_XFD1048576", "lying_zip_headers", "renamed_csv"])
def test_the_real_command_line_survives_the_worst(server, corpus, tmp_path, name):
    case = next(case for case in corpus if case.name == name)
    path = tmp_path / f"{case.name}.xlsx"
    path.write_bytes(case.data)
    environment = {**os.environ, "MNE_CONFIG": str(server.config)}
    environment.pop("MNE_DATABASE_URL", None)
    result = subprocess.run([_mne(), "import", "--dry-run", str(path)], capture_output=True,
                            text=True, env=environment, timeout=300)
    _assert_command_answer(case, result.returncode, result.stdout + result.stderr,
                           result.stderr)


def test_the_annotated_download_of_an_unusable_upload_is_a_sentence(server, corpus):
    case = next(case for case in corpus if case.name == "renamed_csv")
    answer = strict_json(server.request("/api/v1/returns?dry_run=1", case.data)[1].decode())
    status, body = server.request(f"/uploads/{answer['upload_id']}/annotated")
    assert status == 422
    assert b"no cells to mark" in body


def test_api_errors_are_json(server):
    for path, expected in (("/api/v1/no-such-thing", 404), ("/api/v1/returns/999999", 404)):
        status, body = server.request(path)
        assert status == expected and strict_json(body.decode())["error"]
    status, body = server.request("/api/v1/strategies", b"x")
    assert status == 405 and strict_json(body.decode())["error"]
