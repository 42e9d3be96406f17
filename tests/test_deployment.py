"""The multi-user deployment of docs/deploy.md: gunicorn runs the application with three
worker processes on PostgreSQL, coordinators upload returns through the page while evaluators
read pages and the API, all at once; every upload is kept and imported exactly once, and every
worker answers the same."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from importers.return_form import build_form
from importers.template import write_template
from indicators.model import DataValue, Indicator, Return, Upload
from indicators.periods import parse_period
from indicators.storage import read_stored
from mne.accounts.service import hash_password
from mne.config import load_settings
from mne.database import Database
from tests.conftest import POSTGRES_SERVER, _postgres_scratch_database
from tests.deployment import Browser, gunicorn
from tests.helpers import TEST_PASSWORD, add_user, write_config
from tests.return_workbooks import build_small_strategy, fill

pytestmark = pytest.mark.skipif(POSTGRES_SERVER is None, reason="no PostgreSQL server answers")

WORKERS = 3
PERIODS = ("2026Q2", "2026Q3")
REVISIONS = 2  # uploads per period, each a new revision
PAGES = ("/dashboard", "/strategies/SMALL/indicators/P1", "/api/v1/indicators/P1/series",
         "/returns/of/AG/2026Q3")
OUTCOME = re.compile(rb'data-outcome="(\w+)"')


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """Strategy SMALL on a scratch PostgreSQL database served by gunicorn; yields the base URL,
    the database, the settings, the coordinator's and the evaluator's e-mail addresses and the
    templates of each period."""
    folder = tmp_path_factory.mktemp("deployment")
    with contextlib.contextmanager(_postgres_scratch_database)() as url:
        database = Database(url)
        with database.sessions() as session:
            build_small_strategy(session)
        with database.transaction() as session:
            password = hash_password(TEST_PASSWORD)
            people = (add_user(session, password, "coordinator", "AG"),
                      add_user(session, password, "evaluator"))
            templates = {period: write_template(session, build_form(session, "AG",
                                                                    parse_period(period)))
                         for period in PERIODS}
        config = write_config(folder, url)
        with gunicorn(config, workers=WORKERS) as base:
            yield base, database, load_settings(config), people, templates
        database.engine.dispose()


def test_three_workers_take_uploads_and_page_views_at_once(deployment):
    base, database, settings, (coordinator, evaluator), templates = deployment
    sent = [(period, 40 + 10 * number + index, fill(templates[period],
                                                    {("P1", ""): 40 + 10 * number + index}))
            for number in range(REVISIONS) for index, period in enumerate(PERIODS)]
    uploading = threading.Event()
    uploading.set()
    sender, reader = Browser(base, coordinator, TEST_PASSWORD), Browser(base, evaluator,
                                                                        TEST_PASSWORD)

    def upload(item):
        period, _percent, workbook = item
        return sender.post(f"/returns/of/AG/{period}", {"action": "submit"},
                            form_at=f"/returns/of/AG/{period}",
                            files={"file": (f"AG-{period}.xlsx", workbook)})

    def read_pages():
        statuses = []
        while uploading.is_set() or not statuses:
            statuses += [(path, reader.get(path)[0]) for path in PAGES]
        return statuses

    with ThreadPoolExecutor(max_workers=WORKERS * 2) as pool:
        readers = [pool.submit(read_pages) for _ in range(WORKERS)]
        answers = list(pool.map(upload, sent))
        uploading.clear()
        views = [view for reader in readers for view in reader.result()]

    outcomes = [(status, OUTCOME.search(body).group(1).decode()) for status, body in answers]
    assert outcomes == [(200, "submitted")] * len(sent)
    assert [view for view in views if view[1] != 200] == []
    latest = _each_upload_kept_and_imported_once(database, settings, sent)
    _assert_every_worker_answers_the_same(reader, latest)


def _each_upload_kept_and_imported_once(database, settings, sent) -> dict[str, float]:
    """Check that every upload is kept byte for byte and made one revision of its period, the
    revisions of a period forming one chain; return the percent in force in each period."""
    percent_of = {hashlib.sha256(workbook).hexdigest(): percent for _p, percent, workbook in sent}
    with database.sessions() as session:
        uploads = session.scalars(select(Upload)).all()
        assert sorted(upload.sha256 for upload in uploads) == sorted(percent_of)
        for upload in uploads:
            read_stored(settings.storage_folder, upload.file_path)
        returns = session.scalars(select(Return).order_by(Return.period, Return.revision)).all()
        assert [(item.period, item.revision) for item in returns] == \
            [(period, revision) for period in PERIODS for revision in range(1, REVISIONS + 1)]
        assert sorted(upload.return_id for upload in uploads) == sorted(r.id for r in returns)
        latest = {item.period: percent_of[item.upload.sha256] for item in returns}
        in_force = dict(session.execute(select(DataValue.period, DataValue.value).join(Indicator)
                                        .where(Indicator.code == "P1")).all())
    assert in_force == latest
    return latest


def _assert_every_worker_answers_the_same(reader: Browser, latest: dict[str, float]) -> None:
    series = {reader.get("/api/v1/indicators/P1/series")[1] for _ in range(WORKERS * 4)}
    assert len(series) == 1
    points = {point["period"]: point["value"] for point in json.loads(series.pop())["series"]}
    assert {period: points.get(period) for period in PERIODS} == latest
