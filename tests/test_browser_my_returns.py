"""A coordinator's quarter in the browser: log in, see what is due on My returns, download the
template from the list, upload it and see it submitted; a sent-back return comes first with
its comments."""

import datetime as dt
import io
import os
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from indicators.model import Indicator, Return, ReturnState
from indicators.return_review import ValueComment, send_back
from tests.helpers import browser_login
from tests.return_workbooks import cell_of, fill

pytestmark = pytest.mark.browser
# MNE_UPDATE_SCREENSHOTS=1 keeps the screenshot of My returns in docs/ (the README shows it)
SCREENSHOT = Path(__file__).parent.parent / "docs" / "my-returns.png"


@pytest.fixture
def october_20(monkeypatch):
    monkeypatch.setattr("mne.evaluation.today", lambda: dt.date(2026, 10, 20))


def _download(page, period: str, folder: Path) -> bytes:
    with page.expect_download() as download:
        page.click(f"tr[data-period='{period}'] a.template")
    path = folder / f"{period}.xlsx"
    download.value.save_as(path)
    return path.read_bytes()


def _upload(page, period: str, path: Path) -> None:
    row = page.locator(f"tr[data-period='{period}']")
    row.locator("input[type=file]").set_input_files(str(path))
    row.locator("button[value=submit]").click()


def _send_back(db, period: str) -> None:
    with db.transaction() as session:
        sent = session.scalars(select(Return).where(Return.period == period,
                                                    Return.state == ReturnState.SUBMITTED)).one()
        c1 = session.scalars(select(Indicator.id).where(Indicator.code == "C1")).one()
        send_back(session, sent, "evaluator@test.example", "Please check the count.",
                  [ValueComment(c1, "sex=male", "Twice last quarter's figure?")])


def test_coordinator_works_from_my_returns(page, db, small_strategy, make_user, tmp_path,
                                           october_20):
    browser_login(page, make_user("coordinator", "AG"))
    assert page.url.endswith("/my/returns")
    q3 = page.locator("tr[data-period='2026Q3']")
    assert q3.locator(".due").inner_text() == "2026-10-30"
    assert q3.locator(".status").inner_text() == "due in 10 days"

    template = _download(page, "2026Q3", tmp_path)
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(fill(template, {("C1", ""): 60, ("C1", "sex=female"): "<5",
                                       ("C1", "sex=male"): 55, ("C1", "sex=unknown"): None}))
    _upload(page, "2026Q3", filled)
    assert page.locator("#outcome").get_attribute("data-outcome") == "submitted"
    page.goto("/my/returns")
    assert page.locator("tr[data-period='2026Q3'] .status").inner_text() == "submitted"

    q2 = tmp_path / "q2.xlsx"
    q2.write_bytes(fill(_download(page, "2026Q2", tmp_path)))
    _upload(page, "2026Q2", q2)
    _send_back(db, "2026Q2")
    page.goto("/my/returns")
    first = page.locator("#my-returns tbody tr").first
    assert first.get_attribute("data-period") == "2026Q2"
    assert first.locator(".status").inner_text() == "sent back with 2 comments"
    assert "Twice last quarter's figure?" in page.locator("#review-feedback").inner_text()
    again = openpyxl.load_workbook(io.BytesIO(_download(page, "2026Q2", tmp_path)))
    assert "Review comments" in again.sheetnames
    assert again["Quantitative"][cell_of(template, "C1", "sex=male")].value == 55  # pre-filled
    page.set_viewport_size({"width": 1366, "height": 900})
    shot = SCREENSHOT if os.environ.get("MNE_UPDATE_SCREENSHOTS") else tmp_path / "mine.png"
    page.screenshot(path=str(shot))
