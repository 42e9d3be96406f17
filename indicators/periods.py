"""Reporting periods: `2026Q3`, `2026S2`, `2026M07`, `2026`, built on pandas periods.

A semester has no pandas frequency of its own; it is a six-month period (`6M`) that starts in
January or July, so parsing, ordering and arithmetic still go through `pd.Period`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from indicators.errors import Invalid
from indicators.i18n import _
from indicators.vocabulary import Frequency

if TYPE_CHECKING:  # pandas is imported where a period is built, so that importing this is quick
    import pandas as pd

_PANDAS_FREQ = {
    Frequency.MONTHLY: "M",
    Frequency.QUARTERLY: "Q",
    Frequency.SEMIANNUAL: "6M",
    Frequency.ANNUAL: "Y",
}

_CODE = re.compile(
    r"^(?P<year>\d{4})(?:(?P<kind>[QSM])(?P<number>\d{1,2}))?$"
)
_LIMITS = {"Q": (1, 4), "S": (1, 2), "M": (1, 12)}
_FREQ_OF_KIND = {
    "Q": Frequency.QUARTERLY,
    "S": Frequency.SEMIANNUAL,
    "M": Frequency.MONTHLY,
    None: Frequency.ANNUAL,
}


class PeriodError(Invalid):
    """A period code that is not one of the accepted forms."""


@dataclass(frozen=True, order=False)
class Period:
    """One reporting period, ordered by its end and then its start."""

    frequency: Frequency
    span: pd.Period

    @cached_property
    def code(self) -> str:
        """The period's code, e.g. `2026Q3`."""
        year = self.span.start_time.year
        month = self.span.start_time.month
        if self.frequency is Frequency.QUARTERLY:
            return f"{year}Q{(month - 1) // 3 + 1}"
        if self.frequency is Frequency.SEMIANNUAL:
            return f"{year}S{(month - 1) // 6 + 1}"
        if self.frequency is Frequency.MONTHLY:
            return f"{year}M{month:02d}"
        return f"{year}"

    @cached_property
    def start(self) -> dt.date:
        """First day of the period."""
        return self.span.start_time.date()

    @cached_property
    def end(self) -> dt.date:
        """Last day of the period."""
        if self.frequency is Frequency.SEMIANNUAL:
            import pandas as pd

            return (self.span.start_time + pd.DateOffset(months=6) - pd.Timedelta(days=1)).date()
        return self.span.end_time.date()

    def __add__(self, steps: int) -> Period:
        return Period(self.frequency, self.span + steps)

    def __sub__(self, other: int | Period) -> Period | int:
        if isinstance(other, Period):
            return self.steps_from(other)
        return Period(self.frequency, self.span - other)

    def steps_from(self, other: Period) -> int:
        """Number of periods of this frequency from `other` to this one."""
        if other.frequency is not self.frequency:
            raise PeriodError(
                f"cannot count {self.frequency} periods from {other.code} ({other.frequency})"
            )
        months = (self.start.year - other.start.year) * 12 + self.start.month - other.start.month
        return months // _months_in(self.frequency)

    def due_date(self, days_after_end: int) -> dt.date:
        """The day a return for this period is due."""
        return self.end + dt.timedelta(days=days_after_end)

    def contains(self, other: Period) -> bool:
        """Whether `other` lies wholly inside this period."""
        return self.start <= other.start and other.end <= self.end

    def _key(self) -> tuple[dt.date, dt.date]:
        return (self.end, self.start)

    def __lt__(self, other: Period) -> bool:
        return self._key() < other._key()

    def __le__(self, other: Period) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: Period) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: Period) -> bool:
        return self._key() >= other._key()

    def __str__(self) -> str:
        return self.code


def _months_in(frequency: Frequency) -> int:
    return {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.SEMIANNUAL: 6}.get(
        frequency, 12
    )


@lru_cache(maxsize=4096)
def parse_period(code: str) -> Period:
    """Parse a period code; an unknown code raises `PeriodError` naming it."""
    import pandas as pd

    text = str(code).strip().upper()
    match = _CODE.match(text)
    if not match:
        raise PeriodError(_("'%(code)s' is not a period code: expected 2026, 2026S1, 2026Q3 "
                            "or 2026M07", code=code))
    year = int(match["year"])
    kind = match["kind"]
    frequency = _FREQ_OF_KIND[kind]
    if kind is None:
        return Period(frequency, pd.Period(year=year, freq="Y"))
    number = int(match["number"])
    low, high = _LIMITS[kind]
    if not low <= number <= high:
        raise PeriodError(_("'%(code)s' is not a period code: %(kind)s must be between "
                            "%(low)s and %(high)s", code=code, kind=kind, low=low, high=high))
    month = {"Q": (number - 1) * 3 + 1, "S": (number - 1) * 6 + 1, "M": number}[kind]
    return Period(frequency, pd.Period(year=year, month=month, freq=_PANDAS_FREQ[frequency]))


def period_containing(day: dt.date, frequency: Frequency | str) -> Period:
    """The period of `frequency` that contains `day`."""
    import pandas as pd

    frequency = Frequency(frequency)
    if frequency is Frequency.SEMIANNUAL:
        month = 1 if day.month <= 6 else 7
        return Period(frequency, pd.Period(year=day.year, month=month, freq="6M"))
    return Period(frequency, pd.Period(day, freq=_PANDAS_FREQ[frequency]))


@lru_cache(maxsize=256)
def due_in(frequency: Frequency | str, period: Period) -> bool:
    """Whether values of `frequency` are due in a return for `period`: when the period of that
    frequency containing the return period's last day ends on it (a quarterly return asks for
    quarterly and monthly values every quarter, semi-annual ones in Q2 and Q4, annual in Q4)."""
    return period_containing(period.end, frequency).end == period.end


def periods_between(frequency: Frequency | str, first: dt.date, last: dt.date) -> list[Period]:
    """Every period of `frequency` that ends between `first` and `last`, inclusive, in order."""
    frequency = Frequency(frequency)
    period = period_containing(first, frequency)
    if period.end < first:
        period = period + 1
    found = []
    while period.end <= last:
        found.append(period)
        period = period + 1
    return found


def period_sort_key(code: str) -> tuple[dt.date, dt.date]:
    """A key that orders period codes in time, for `sorted(codes, key=period_sort_key)`."""
    period = parse_period(code)
    return (period.end, period.start)
