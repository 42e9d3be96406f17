"""An evaluator opens the demonstration's crisis-affected indicator in a real browser: the
crisis is shaded on its chart, the band of its ranges drawn, the paired estimate beside it,
both compared below."""

import os
from pathlib import Path

import pytest

from tests.helpers import browser_login

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 900}


def test_indicator_page_shows_the_shaded_crisis_the_range_band_and_the_paired_estimate(
        page, demo, make_user):
    page.set_viewport_size(LAPTOP)
    browser_login(page, make_user("evaluator"))
    page.goto("/strategies/MRD-NSOC/indicators/PR1.1")
    chart = page.locator("figure.trend-chart svg")
    crisis = chart.locator("rect.crisis")
    assert crisis.count() == 1
    assert (crisis.get_attribute("data-first"), crisis.get_attribute("data-last")) == (
        "2025Q3", "2026Q1")
    assert crisis.bounding_box()["width"] > 50
    assert chart.locator("polygon.range-band").count() >= 1
    assert chart.locator("polyline.paired-estimate").count() >= 1
    assert chart.locator("circle.paired-estimate-point").count() == 4
    compared = page.locator('table.crisis-comparison tr[data-kind="gang_violence"]')
    assert compared.locator('[data-field="gap"]').get_attribute("data-value") != "None"
    assert "of the phenomenon is reported" in page.locator("p.pair-reading").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    folder = os.environ.get("MNE_SCREENSHOTS")
    if folder:
        chart.scroll_into_view_if_needed()
        page.locator("section.progress figure.trend-chart").evaluate(
            "figure => window.scrollTo(0, figure.getBoundingClientRect().top + scrollY - 60)")
        page.screenshot(path=str(Path(folder) / "indicator-crisis.png"))
