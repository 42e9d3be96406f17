"""In the browser: a coordinator uploads, an evaluator sends the return back with a comment on
a value, and the coordinator sees the comment."""

import pytest

from tests.conftest import browser_login
from tests.return_workbooks import fill

pytestmark = pytest.mark.browser


def _log_out(page) -> None:
    page.click("nav.session button[type=submit]")
    page.wait_for_selector("input[name=email]")


def test_evaluator_returns_a_return_with_a_comment_the_coordinator_sees(
        page, small_strategy, make_user, tmp_path):
    browser_login(page, make_user("coordinator", "AG"))
    page.goto("/returns/of/AG/2026Q3")
    with page.expect_download() as download:
        page.click("#download-template")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(fill(template.read_bytes()))
    page.set_input_files("input[type=file]", str(filled))
    page.click("button[value=submit]")
    assert page.locator("#outcome").get_attribute("data-outcome") == "submitted"
    _log_out(page)

    browser_login(page, make_user("evaluator"))
    page.goto("/review")
    page.click("tr.queued a")
    page.fill("tr.value[data-indicator=P1][data-breakdown=''] input",
              "45% is twice last quarter: please check")
    page.fill("textarea[name=note]", "One value to verify.")
    page.click("button[value=send-back]")
    assert page.locator(".state").inner_text() == "returned"
    _log_out(page)

    browser_login(page, make_user("coordinator", "AG"))
    page.goto("/returns/of/AG/2026Q3")
    feedback = page.locator("#review-feedback")
    assert "One value to verify." in feedback.inner_text()
    assert "45% is twice last quarter: please check" in feedback.inner_text()
    assert "P1" in feedback.inner_text()
