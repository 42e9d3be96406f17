"""The overview renders in a real headless browser."""

import pytest

from tests.helpers import browser_login

pytestmark = pytest.mark.browser


def test_evaluator_sees_four_principles_in_the_browser(page, demo, make_user):
    browser_login(page, make_user("evaluator"))
    page.goto("/")
    assert page.locator("section.principle").count() == 4
    assert page.locator("tr.indicator").count() >= 32
