"""A coordinator uploads a flawed return in the browser, sees its problems, corrects the
workbook and sees it submitted."""

import pytest

from tests.helpers import browser_login, download_template
from tests.return_workbooks import fill

pytestmark = pytest.mark.browser


def test_coordinator_fixes_a_flawed_return_in_the_browser(page, small_strategy, tmp_path,
                                                          make_user):
    browser_login(page, make_user("coordinator", "AG"))
    page.goto("/returns")
    page.select_option("select[name=entity]", "AG")
    page.fill("input[name=period]", "2026Q3")
    page.click("text=Open")
    template = download_template(page, tmp_path)

    flawed = tmp_path / "flawed.xlsx"
    flawed.write_bytes(fill(template, {("P1", ""): "half", ("C1", "sex=male"): 90}))
    page.set_input_files("input[type=file]", str(flawed))
    page.click("button[value=submit]")
    assert page.locator("#outcome").get_attribute("data-outcome") == "rejected"
    problems = page.locator("#problems tbody tr")
    assert page.locator("#problems tr[data-type=not_a_number]").count() == 1
    # the male count above the total marks the total and each category cell (3)
    assert page.locator("#problems tr[data-type=breakdown_exceeds_total]").count() == 4
    assert problems.count() == 5
    assert "Quantitative!H" in problems.first.inner_text()
    assert page.locator("#annotated").is_visible()

    corrected = tmp_path / "corrected.xlsx"
    corrected.write_bytes(fill(template))
    page.go_back()
    page.set_input_files("input[type=file]", str(corrected))
    page.click("button[value=submit]")
    assert page.locator("#outcome").get_attribute("data-outcome") == "submitted"
    assert page.locator("#state").inner_text() == "submitted"
    assert "revision 2" in page.locator("h1").inner_text()
