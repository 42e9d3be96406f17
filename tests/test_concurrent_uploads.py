"""Twenty coordinators' uploads for one entity and period arriving at once, over real HTTP: each
is answered with its outcome and a sentence, the revisions form one chain, the values in force
are those of the last revision, and every upload is kept once."""

import json
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from importers.return_form import build_form
from importers.template import write_template
from indicators.model import DataValue, Indicator, Return, ReturnState, Upload
from indicators.periods import parse_period
from tests.return_workbooks import fill

PERIOD = "2026Q3"
UPLOADS = 20
ANSWERS = {201, 200, 409, 422}


def _post_workbook(url: str, token: str, data: bytes) -> tuple[int, dict]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"return.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Authorization": f"Bearer {token}",
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as answer:
        text = answer.read()
        try:
            return answer.code, json.loads(text)
        except ValueError:
            return answer.code, {"message": text.decode(errors="replace")}


def test_twenty_simultaneous_uploads_form_one_chain(db, small_strategy, live_server, token_for):
    with db.sessions() as session:
        template = write_template(session, build_form(session, "AG", parse_period(PERIOD)))
    token = token_for("coordinator", "AG")
    workbooks = {45 + number: fill(template, {("P1", ""): 45 + number}) for number in
                 range(UPLOADS)}

    with ThreadPoolExecutor(max_workers=UPLOADS) as pool:
        answers = list(pool.map(
            lambda data: _post_workbook(f"{live_server}/api/v1/returns", token, data),
            workbooks.values()))

    assert [status for status, _body in answers if status not in ANSWERS] == [], answers
    assert all(body.get("message") for _status, body in answers)
    assert sorted(body["revision"] for _status, body in answers) == list(range(1, UPLOADS + 1))
    sent = {body["revision"]: percent
            for percent, (_status, body) in zip(workbooks, answers, strict=True)}
    with db.sessions() as session:
        returns = session.scalars(select(Return).order_by(Return.revision)).all()
        assert [item.revision for item in returns] == list(range(1, UPLOADS + 1))
        assert [item.state for item in returns] == \
            [ReturnState.SUPERSEDED] * (UPLOADS - 1) + [ReturnState.SUBMITTED]
        percent = session.scalars(select(DataValue).join(Indicator).where(
            Indicator.code == "P1", DataValue.period == PERIOD)).one()
        assert percent.value == sent[UPLOADS]
        in_force = session.scalars(select(DataValue).where(DataValue.period == PERIOD)).all()
        assert {value.return_id for value in in_force} == {returns[-1].id}
        assert session.scalar(select(func.count()).select_from(Upload)) == UPLOADS
        assert sorted(session.scalars(select(Upload.return_id))) == [item.id for item in returns]

