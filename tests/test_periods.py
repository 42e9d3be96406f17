"""Reporting periods: the codes coordinators and evaluators write, and their arithmetic."""

import datetime as dt

import pytest

from indicators.periods import (
    Frequency,
    PeriodError,
    parse_period,
    period_sort_key,
    periods_between,
)


@pytest.mark.parametrize(
    ("code", "frequency", "start", "end"),
    [
        ("2026Q3", Frequency.QUARTERLY, dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        ("2026S2", Frequency.SEMIANNUAL, dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
        ("2026S1", Frequency.SEMIANNUAL, dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
        ("2026M07", Frequency.MONTHLY, dt.date(2026, 7, 1), dt.date(2026, 7, 31)),
        ("2024M02", Frequency.MONTHLY, dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2026", Frequency.ANNUAL, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ],
)
def test_period_code_gives_its_frequency_and_dates(code, frequency, start, end):
    period = parse_period(code)
    assert period.frequency is frequency
    assert (period.start, period.end) == (start, end)
    assert period.code == code


def test_lower_case_and_spaces_are_read_as_the_code():
    assert parse_period(" 2026q3 ").code == "2026Q3"


@pytest.mark.parametrize("code", ["2026Q5", "26Q1", "2026Q0", "2026M13", "2026S3", "Q3 2026", ""])
def test_unknown_period_code_is_refused_with_its_name(code):
    with pytest.raises(PeriodError) as refused:
        parse_period(code)
    assert f"'{code}'" in str(refused.value)


def test_quarters_step_across_years():
    assert (parse_period("2025Q4") + 1).code == "2026Q1"
    assert (parse_period("2026Q1") - 2).code == "2025Q3"
    assert parse_period("2026Q3") - parse_period("2024Q3") == 8


def test_semesters_and_months_step_like_quarters():
    assert (parse_period("2026S2") + 1).code == "2027S1"
    assert (parse_period("2026M12") + 1).code == "2027M01"
    assert parse_period("2027S1") - parse_period("2025S2") == 3


def test_periods_of_different_lengths_order_by_end():
    codes = ["2026", "2026Q3", "2026M07", "2026S1", "2025Q4"]
    assert sorted(codes, key=period_sort_key) == ["2025Q4", "2026S1", "2026M07", "2026Q3", "2026"]


def test_counting_periods_of_other_frequencies_is_refused():
    with pytest.raises(PeriodError):
        parse_period("2026Q3").steps_from(parse_period("2026"))


def test_expected_quarters_between_two_dates():
    found = periods_between("quarterly", dt.date(2024, 10, 1), dt.date(2026, 9, 30))
    assert [period.code for period in found] == [
        "2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"
    ]


def test_a_period_not_yet_ended_is_not_expected():
    found = periods_between("semiannual", dt.date(2025, 3, 1), dt.date(2026, 8, 15))
    assert [period.code for period in found] == ["2025S1", "2025S2", "2026S1"]


def test_return_due_date_counts_days_after_period_end():
    assert parse_period("2026Q3").due_date(30) == dt.date(2026, 10, 30)
    assert parse_period("2026").due_date(45) == dt.date(2027, 2, 14)


def test_a_year_contains_its_quarters():
    assert parse_period("2026").contains(parse_period("2026Q2"))
    assert not parse_period("2026S1").contains(parse_period("2026Q3"))
