"""Text from users never becomes a formula in a file someone opens in Excel."""

import pytest

from indicators.cells import neutralise


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)",
                                  "\tcmd", "\rcmd"])
def test_text_that_would_run_as_a_formula_is_shown_as_text(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Police", "a=b", "", -3, 4.5, None])
def test_ordinary_text_and_numbers_stay_as_they_are(value):
    assert neutralise(value) == value
