"""A coordinator's quarter in the browser: log in, see what is due on My returns, download the
template from the list, upload it and see it submitted; a sent-back return comes first with
its comments, and is corrected in the browser form, its values traced like uploaded ones."""

import datetime as dt
import io
import os
import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from indicators.model import DataValue, Indicator, Return, ReturnState
from indicators.return_review import ValueComment, send_back
from tests.helpers import browser_login
from tests.return_workbooks import cell_of, fill

pytestmark = pytest.mark.browser
# MNE_UPDATE_SCREENSHOTS=1 keeps the screenshot of My returns in docs/ (the README shows it)
SCREENSHOT = Path(__file__).parent.parent / "docs" / "my-returns.png"
FORM_SCREENSHOT = SCREENSHOT.with_name("return-form.png")


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
    assert q3.locator(".due").inner_text() == "Oct 30, 2026"  # as English writes dates
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

    _correct_in_the_form(page, template, tmp_path)
    assert _provenance(db, "2026Q2") == _provenance(db, "2026Q3")


def _field(page, template: bytes, breakdown: str, code: str = "C1"):
    return page.locator(f"#f-Quantitative-{cell_of(template, code, breakdown)}")


def _correct_in_the_form(page, template: bytes, folder: Path) -> None:
    """Open the sent-back return's form from My returns (it shows the values submitted), check
    it with a mistake (shown by its field), then submit it with `<5` and an empty category."""
    page.click("tr[data-period='2026Q2'] a.entry-form")
    assert _field(page, template, "sex=male").input_value() == "55"
    _field(page, template, "", "P1").fill("abc")
    page.click("button[value=check]")
    problem = page.locator(f"#f-Quantitative-{cell_of(template, 'P1')}-problems")
    assert "'abc' is not a number" in problem.inner_text()
    shot = FORM_SCREENSHOT if os.environ.get("MNE_UPDATE_SCREENSHOTS") else folder / "form.png"
    page.screenshot(path=str(shot))
    _field(page, template, "", "P1").fill("45%")
    _field(page, template, "sex=female").fill("<5")
    _field(page, template, "sex=unknown").fill("")
    _field(page, template, "sex=unknown").press("Tab")  # the flag next, in the row's order
    assert page.evaluate("document.activeElement.name") == (
        f"Quantitative!{cell_of(template, 'C1', 'sex=unknown', column='I')}")
    page.click("button[value=submit]")
    assert page.locator("#outcome").get_attribute("data-outcome") == "submitted"


def _provenance(db, period: str) -> set[tuple]:
    """The shape of where the period's values came from: the keys recorded, the sheets, that
    every cell is named and that the workbook is kept under its sha256."""
    with db.sessions() as session:
        values = session.scalars(select(DataValue).where(DataValue.period == period,
                                                         DataValue.return_id.is_not(None)))
        return {(value.source_sheet, bool(re.fullmatch(r"[A-Z]+\d+", value.source_cell)),
                 value.source_return.state.value, len(value.source_return.sha256),
                 value.source_return.upload.file_path.endswith(".xlsx"))
                for value in values}
