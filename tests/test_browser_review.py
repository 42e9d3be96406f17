"""In the browser: a coordinator uploads, an evaluator sends the return back with a comment on
a value, and the coordinator sees the comment."""

import pytest

from tests.helpers import browser_login, download_template
from tests.return_workbooks import fill

pytestmark = pytest.mark.browser


def _log_out(page) -> None:
    page.click("nav.session button[type=submit]")
    page.wait_for_selector("input[name=email]")


def test_evaluator_returns_a_return_with_a_comment_the_coordinator_sees(
        page, small_strategy, make_user, tmp_path):
    browser_login(page, make_user("coordinator", "AG"))
    page.goto("/returns/of/AG/2026Q3")
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(fill(download_template(page, tmp_path)))
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
