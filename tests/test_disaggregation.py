"""Disaggregation keys: a breakdown has one canonical name whatever order it is written in."""

import pytest

from indicators.disaggregation import (
    TOTAL,
    DisaggregationError,
    breakdown_keys,
    canonical_key,
    parse_key,
)


def test_order_of_dimensions_does_not_matter():
    assert canonical_key({"sex": "female", "age": "18+"}) == "age=18+;sex=female"
    assert canonical_key({"age": "18+", "sex": "female"}) == "age=18+;sex=female"
    assert canonical_key("sex=female;age=18+") == "age=18+;sex=female"


def test_case_and_spaces_are_normalised():
    assert canonical_key(" Sex = Female ; AGE=18+ ") == "age=18+;sex=female"


def test_the_total_has_the_empty_key():
    assert canonical_key({}) == TOTAL == canonical_key(None) == canonical_key("")
    assert parse_key(TOTAL) == {}


def test_key_reads_back_as_its_breakdown():
    assert parse_key("age=0-17;sex=male") == {"age": "0-17", "sex": "male"}


@pytest.mark.parametrize("text", ["sex", "sex=female;sex=male", "=female"])
def test_malformed_breakdown_is_refused(text):
    with pytest.raises(DisaggregationError):
        canonical_key(text)


def test_indicator_needs_total_and_each_category():
    keys = breakdown_keys({"sex": ["female", "male"], "age": ["0-17", "18+"]})
    assert keys == ["", "sex=female", "sex=male", "age=0-17", "age=18+"]
