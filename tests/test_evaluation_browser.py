"""An evaluator in a real browser goes from the dashboard to an indicator's charts."""

import os
from collections import Counter
from pathlib import Path

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
    page.locator("tr.indicator[data-status=achieved] td.name a").first.click()
    page.wait_for_selector("figure.trend-chart svg")
    assert page.locator("h1 .code").inner_text().startswith("PR")
    trend = page.locator("figure.trend-chart svg")
    assert trend.locator("polyline.actual").count() == 1
    assert trend.locator("circle.actual-point").count() >= 2
    assert trend.bounding_box()["height"] > 100
    by_sex = page.locator('section.breakdown[data-dimension="sex"] svg')
    assert by_sex.locator("polyline.category-female").count() >= 1   # more where a gap
    assert by_sex.locator("polyline.category-male").count() >= 1
    assert by_sex.bounding_box()["width"] > 100


STRATEGY = "MRD-NSOC"
LAPTOP = {"width": 1366, "height": 900}


def _screenshot(page, name: str) -> None:
    """Keep a screenshot in the folder MNE_SCREENSHOTS names (the README's pictures)."""
    folder = os.environ.get("MNE_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name))


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_dashboard_fits_a_laptop_screen_and_its_chart_counts_equal_the_table(
        page, demo, make_user):
    page.set_viewport_size(LAPTOP)
    browser_login(page, make_user("evaluator"))
    page.goto(f"/strategies/{STRATEGY}/dashboard")
    assert _fits_the_screen(page)
    chart = page.locator("figure.status-chart svg")
    assert chart.bounding_box()["width"] > 300
    charted = Counter()
    for bar in chart.locator("rect.status-bar").all():
        charted[bar.get_attribute("data-status")] += int(bar.get_attribute("data-count"))
    listed = Counter(row.get_attribute("data-status")
                     for row in page.locator("table.progress-table tr.indicator").all())
    assert charted == listed and sum(listed.values()) > 30
    assert page.locator("table.progress-table svg.sparkline").count() > 20
    assert page.locator("section.sex-picture tr[data-indicator]").count() > 0
    assert "unapproved figures" in page.locator(".figures-notice").inner_text()
    _screenshot(page, "dashboard.png")


def test_dashboard_sorts_its_table_by_a_clicked_column(page, demo, make_user):
    page.set_viewport_size(LAPTOP)
    browser_login(page, make_user("evaluator"))
    page.goto(f"/strategies/{STRATEGY}/dashboard?principle=PROTECT")
    rows = page.locator("table.progress-table tr.indicator")
    assert {row.get_attribute("data-principle") for row in rows.all()} == {"PROTECT"}
    page.click("table.progress-table th:has-text('Female share')")
    shares = [cell.get_attribute("data-value") for cell in
              page.locator("table.progress-table tr.indicator td:last-child").all()]
    known = [float(share) for share in shares if share]
    assert known == sorted(known) and len(known) >= 2


def test_indicator_page_fits_a_laptop_screen(page, demo, make_user):
    page.set_viewport_size(LAPTOP)
    browser_login(page, make_user("evaluator"))
    page.goto(f"/strategies/{STRATEGY}/indicators/PR1.1")
    page.wait_for_selector("figure.trend-chart svg")
    assert _fits_the_screen(page)
