"""An evaluator in a real browser goes from the dashboard to an indicator's charts."""

import pytest

from tests.helpers import browser_login

pytestmark = pytest.mark.browser


def test_evaluator_follows_a_dashboard_cell_to_an_indicators_charts(page, demo, make_user):
    browser_login(page, make_user("evaluator"))
    page.goto("/")
    page.click("a.dashboard-link")
    cell = page.locator('a.cell-link[data-principle="PROTECT"][data-status="achieved"]')
    cell.click()
    page.wait_for_url("**status=achieved**")
    page.locator("tr.indicator[data-status=achieved] td.code a").first.click()
    page.wait_for_selector("figure.trend-chart svg")
    assert page.locator("h1 .code").inner_text().startswith("PR")
    trend = page.locator("figure.trend-chart svg")
    assert trend.locator("polyline.actual").count() == 1
    assert trend.locator("circle.actual-point").count() >= 2
    assert trend.bounding_box()["height"] > 100
    by_sex = page.locator('section.breakdown[data-dimension="sex"] svg')
    assert by_sex.locator("polyline.category-female").count() == 1
    assert by_sex.locator("polyline.category-male").count() == 1
    assert by_sex.bounding_box()["width"] > 100
